//! Upserts: write a contact or company whether or not it exists yet, found
//! by an external id or by its natural key (a contact's email, a company's
//! domain). Imports decide per row what a match means ([`OnMatch`]); the API
//! always updates.

use entity::{company, contact};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::company::{self as companies, CompanyChanges, NewCompany};
use super::contact::{self as contacts, ContactChanges, NewContact};
use super::external_id::{self, ExternalId};
use crate::Kind;
use crate::access::Actor;
use crate::domain::{email, text};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::store::{Author, Core, Table, col, load_any, scope};

/// How an existing record is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// By one of its external ids.
    ExternalId(ExternalId),
    /// By its natural key: a contact's email, a company's domain.
    Key(String),
}

/// What to do when the record exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnMatch {
    /// Leave it as it is.
    Skip,
    /// Write the input over it.
    Update,
    /// Refuse (`CONFLICT`).
    Refuse,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    /// It existed and was left alone ([`OnMatch::Skip`]).
    Skipped,
}

/// Creates or updates the contact `by` finds, and commits.
pub async fn contact(
    core: &Core,
    actor: &Actor,
    by: Match,
    new: NewContact,
) -> CoreResult<(contact::Model, Upserted)> {
    let txn = core.begin().await?;
    let (row, done, events) = contact_in(&txn, actor, &by, new, OnMatch::Update).await?;
    core.commit(txn, Author::of(actor), events).await?;
    Ok((row, done))
}

/// Creates or updates the company `by` finds, and commits.
pub async fn company(
    core: &Core,
    actor: &Actor,
    by: Match,
    new: NewCompany,
) -> CoreResult<(company::Model, Upserted)> {
    let txn = core.begin().await?;
    let (row, done, events) = company_in(&txn, actor, &by, new, OnMatch::Update).await?;
    core.commit(txn, Author::of(actor), events).await?;
    Ok((row, done))
}

/// [`contact`] in the caller's transaction: the row, what was done, and the
/// events to commit.
pub async fn contact_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    by: &Match,
    mut new: NewContact,
    on_match: OnMatch,
) -> CoreResult<(contact::Model, Upserted, Vec<NewEvent>)> {
    let found = match by {
        Match::ExternalId(id) => by_external_id::<contact::Entity>(txn, actor, id).await?,
        Match::Key(raw) => {
            let email = email::normalize_email(raw).map_err(CoreError::invalid("match.email"))?;
            // Matching by email keeps that email when the input leaves it out.
            new.email.get_or_insert_with(|| email.clone());
            contact::Entity::find()
                .filter(scope::<contact::Entity>(actor.workspace_id))
                .filter(col("contact", "email").eq(email))
                .one(txn)
                .await?
        }
    };
    let ids = with_match(std::mem::take(&mut new.external_ids), by);
    let Some(found) = found else {
        new.external_ids = ids;
        let (row, event) = contacts::create_in(txn, actor, new).await?;
        return Ok((row, Upserted::Created, vec![event]));
    };
    match on_match {
        OnMatch::Skip => Ok((found, Upserted::Skipped, Vec::new())),
        OnMatch::Refuse => Err(exists(Kind::Contact, by)),
        OnMatch::Update => {
            let changes = ContactChanges {
                external_ids: None,
                ..ContactChanges::from(new)
            };
            let (row, event) = contacts::update_in(txn, actor, found.id, changes, None).await?;
            add_ids(txn, actor, Kind::Contact, row.id, &ids).await?;
            Ok((row, Upserted::Updated, vec![event]))
        }
    }
}

/// [`company`] in the caller's transaction: the row, what was done, and the
/// events to commit.
pub async fn company_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    by: &Match,
    mut new: NewCompany,
    on_match: OnMatch,
) -> CoreResult<(company::Model, Upserted, Vec<NewEvent>)> {
    let found = match by {
        Match::ExternalId(id) => by_external_id::<company::Entity>(txn, actor, id).await?,
        Match::Key(raw) => {
            let domain = text::normalize_domain(raw).map_err(CoreError::invalid("match.domain"))?;
            new.domain.get_or_insert_with(|| domain.clone());
            // Domains are not unique: the oldest company with it is the one.
            company::Entity::find()
                .filter(scope::<company::Entity>(actor.workspace_id))
                .filter(col("company", "domain").eq(domain))
                .all(txn)
                .await?
                .into_iter()
                // Picked here: an ORDER BY id can make SQLite walk the key index.
                .min_by_key(|c| c.id)
        }
    };
    let ids = with_match(std::mem::take(&mut new.external_ids), by);
    let Some(found) = found else {
        new.external_ids = ids;
        let (row, event) = companies::create_in(txn, actor, new).await?;
        return Ok((row, Upserted::Created, vec![event]));
    };
    match on_match {
        OnMatch::Skip => Ok((found, Upserted::Skipped, Vec::new())),
        OnMatch::Refuse => Err(exists(Kind::Company, by)),
        OnMatch::Update => {
            let changes = CompanyChanges {
                external_ids: None,
                ..CompanyChanges::from(new)
            };
            let (row, event) = companies::update_in(txn, actor, found.id, changes, None).await?;
            add_ids(txn, actor, Kind::Company, row.id, &ids).await?;
            Ok((row, Upserted::Updated, vec![event]))
        }
    }
}

/// The live record an external id names. One that names a deleted record is
/// refused: creating another would take the id from it.
async fn by_external_id<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: &ExternalId,
) -> CoreResult<Option<T::Model>> {
    let checked = external_id::validate(vec![id.clone()], "match.externalId")?;
    let Some(record_id) = external_id::find(txn, actor.workspace_id, T::KIND, &checked[0]).await?
    else {
        return Ok(None);
    };
    let row = load_any::<T>(txn, actor, record_id).await?;
    if T::deleted_at(&row).is_some() {
        return Err(CoreError::Conflict(format!(
            "the {} with this external id is deleted: restore it first",
            T::KIND.name()
        )));
    }
    Ok(Some(row))
}

/// The input's external ids plus the one matched by, which the record keeps.
fn with_match(mut ids: Vec<ExternalId>, by: &Match) -> Vec<ExternalId> {
    if let Match::ExternalId(id) = by
        && !ids.contains(id)
    {
        ids.push(id.clone());
    }
    ids
}

/// Adds `ids` to a record's external ids (an upsert keeps the ones it has).
async fn add_ids(
    txn: &DatabaseTransaction,
    actor: &Actor,
    kind: Kind,
    record_id: Uuid,
    ids: &[ExternalId],
) -> CoreResult<()> {
    let ids = external_id::validate(ids.to_vec(), external_id::INPUT_FIELD)?;
    let field = external_id::INPUT_FIELD;
    external_id::attach(txn, actor.workspace_id, kind, record_id, &ids, false, field).await
}

fn exists(kind: Kind, by: &Match) -> CoreError {
    let how = match by {
        Match::ExternalId(id) => format!("external id {:?} of {:?}", id.id, id.source),
        Match::Key(key) => format!("{key:?}"),
    };
    CoreError::Conflict(format!("a {} with {how} exists", kind.name()))
}
