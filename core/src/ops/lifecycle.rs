//! Soft delete and restore, the same for every editable record.

use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use super::unique::Unique;
use crate::access::{Actor, Area};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::kind::Kind;
use crate::rules::scoring::{self, Which};
use crate::rules::stored_figures;
use crate::store::{Author, Core, Table, check_version, event_for, load_any, now, set_deleted};

/// Soft-deletes (`delete`) or restores record `id` of `T`, which the actor's
/// role must be able to change as part of `area`; returns the row after.
pub async fn delete_or_restore<T: Table>(
    core: &Core,
    actor: &Actor,
    area: Area,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<T::Model> {
    actor.require(area)?;
    let txn = core.begin().await?;
    let row = load_any::<T>(&txn, actor, id).await?;
    T::check_write(actor, &row)?;
    match (delete, T::deleted_at(&row)) {
        (true, Some(_)) => return Err(CoreError::NotFound(T::KIND.name())),
        (false, None) => {
            return Err(CoreError::bad_input(
                "id",
                format!("this {} is not deleted", T::KIND.name()),
            ));
        }
        _ => {}
    }
    check_version(expected_version, T::version(&row))?;
    // Back among the live, its email or domain must be free again.
    if let Some(unique) = Unique::of(T::KIND).filter(|_| !delete) {
        unique
            .check_row_free(&txn, actor.workspace_id, id, &row)
            .await?;
    }
    let (row, event) = change_in::<T>(&txn, actor, id, T::version(&row), delete).await?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(row)
}

/// Soft-deletes (`delete`) or restores row `id` of `T`, read at `version`,
/// in `txn`, keeping lead scores and stored figures right; returns the row
/// after and its event. The caller has checked the role and the row.
pub(crate) async fn change_in<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    delete: bool,
) -> CoreResult<(T::Model, NewEvent)> {
    set_deleted::<T>(txn, actor, id, version, delete).await?;
    // Lead scores read company fields and skip deleted records.
    let rescore = match T::KIND {
        Kind::Company => Some(Which::Company(id)),
        Kind::Contact => Some(Which::Contact(id)),
        _ => None,
    };
    if let Some(which) = rescore {
        let verb = if delete { "deleted" } else { "restored" };
        let reason = format!("{} {verb}", T::KIND.name());
        scoring::recompute(txn, actor.workspace_id, which, &reason, now()).await?;
    }
    // Stored figures skip deleted tickets, orders, answers and contacts.
    if let Some((owners, inputs)) =
        stored_figures::fed_by(txn, actor.workspace_id, T::KIND, id).await?
    {
        stored_figures::refresh(txn, actor.workspace_id, &owners, &inputs).await?;
    }
    let row = load_any::<T>(txn, actor, id).await?;
    let event = event_for::<T>(&row, if delete { "deleted" } else { "restored" })?;
    Ok((row, event))
}
