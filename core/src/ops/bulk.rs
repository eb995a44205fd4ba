//! Bulk writes: many records of one kind in one transaction, all or none,
//! each with its own event. A refusal names the input it concerns
//! (`inputs.3.email`), so a client can fix that one and send the batch again.

use std::future::Future;

use entity::{activity, company, contact, deal, ticket};
use sea_orm::DatabaseTransaction;

use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::ops::{activity as activities, company as companies, contact as contacts};
use crate::ops::{deal as deals, ticket as tickets};
use crate::store::{Author, Core};

/// The most records one bulk call writes.
pub const BULK_MAX: usize = 500;

/// A new record that can be written in a caller's transaction.
pub trait CreateIn: Send + Sized {
    /// The row written.
    type Model: Send;
    /// Writes it in `txn`, returning the row and the events to commit.
    fn create_in<'a>(
        self,
        txn: &'a DatabaseTransaction,
        actor: &'a Actor,
    ) -> impl Future<Output = CoreResult<(Self::Model, Vec<NewEvent>)>> + Send + 'a;
}

macro_rules! create_in {
    ($new:ty, $model:ty, $op:path, $events:ident => $list:expr) => {
        impl CreateIn for $new {
            type Model = $model;
            fn create_in<'a>(
                self,
                txn: &'a DatabaseTransaction,
                actor: &'a Actor,
            ) -> impl Future<Output = CoreResult<(Self::Model, Vec<NewEvent>)>> + Send + 'a {
                async move {
                    let (row, $events) = $op(txn, actor, self).await?;
                    Ok((row, $list))
                }
            }
        }
    };
}

create_in!(contacts::NewContact, contact::Model, contacts::create_in, e => vec![e]);
create_in!(companies::NewCompany, company::Model, companies::create_in, e => vec![e]);
create_in!(deals::NewDeal, deal::Model, deals::create_in, e => vec![e]);
create_in!(activities::NewActivity, activity::Model, activities::create_in, e => vec![e]);
// A ticket also brings the events of the triggers it fired.
create_in!(tickets::NewTicket, ticket::Model, tickets::create_in, e => e);

/// Writes every record of `inputs` in one transaction, in order, and
/// commits their events together; the first refusal undoes them all.
pub async fn create_all<N: CreateIn>(
    core: &Core,
    actor: &Actor,
    inputs: Vec<N>,
) -> CoreResult<Vec<N::Model>> {
    check_count(inputs.len())?;
    let txn = core.begin().await?;
    let mut rows = Vec::with_capacity(inputs.len());
    let mut events = Vec::with_capacity(inputs.len());
    for (index, new) in inputs.into_iter().enumerate() {
        let (row, written) = new
            .create_in(&txn, actor)
            .await
            .map_err(|e| at_index(e, index))?;
        rows.push(row);
        events.extend(written);
    }
    core.commit(txn, Author::of(actor), events).await?;
    Ok(rows)
}

/// Refuses an empty batch and one over [`BULK_MAX`].
fn check_count(count: usize) -> CoreResult<()> {
    if count == 0 {
        return Err(CoreError::bad_input("inputs", "must not be empty"));
    }
    if count > BULK_MAX {
        return Err(CoreError::bad_input(
            "inputs",
            format!("at most {BULK_MAX} records per call, not {count}"),
        ));
    }
    Ok(())
}

/// `err` of input `index` naming that input: `input.email` becomes
/// `inputs.3.email`; a refusal without a field says which input it was.
pub fn at_index(err: CoreError, index: usize) -> CoreError {
    let indexed = |field: String| {
        let rest = field.strip_prefix("input").unwrap_or(&field);
        let rest = rest
            .strip_prefix('.')
            .map_or(String::new(), |r| format!(".{r}"));
        format!("inputs.{index}{rest}")
    };
    match err {
        CoreError::BadInput { field, message } => CoreError::BadInput {
            field: indexed(field),
            message,
        },
        CoreError::Taken { field, message } => CoreError::Taken {
            field: indexed(field),
            message,
        },
        CoreError::Conflict(message) => CoreError::Conflict(format!("inputs.{index}: {message}")),
        CoreError::Forbidden(message) => CoreError::Forbidden(format!("inputs.{index}: {message}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_its_input() {
        let named = |field: &str| match at_index(CoreError::bad_input(field, "bad"), 3) {
            CoreError::BadInput { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(named("input.email"), "inputs.3.email");
        assert_eq!(
            named("input.contacts.0.contactId"),
            "inputs.3.contacts.0.contactId"
        );
        assert_eq!(named("input"), "inputs.3");
        assert!(check_count(0).is_err());
        assert!(check_count(BULK_MAX).is_ok());
        assert!(check_count(BULK_MAX + 1).is_err());
    }
}
