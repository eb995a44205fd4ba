//! Archiving every contact a filter matches: a soft delete of each, as
//! `deleteContact` does one (history, `contact.deleted` event, lead scores
//! and stored figures kept right), in one transaction: all or none.
//!
//! The filter arrives as a condition on the `contact` table, built by the
//! door that parsed it (the GraphQL `ContactFilter`). Only ADMIN and MANAGER
//! may archive in bulk, and at most [`ARCHIVE_MAX`] contacts per call: each
//! costs a handful of statements inside the one transaction, which holds the
//! workspace's write lock until it commits. A larger match is refused with
//! its count, so the caller narrows the filter (or archives in slices, e.g.
//! by `createdAt`).

use entity::contact;
use entity::enums::Role;
use sea_orm::sea_query::Condition;
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use super::lifecycle::change_in;
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, Table, scope};

/// The most contacts one `archiveContacts` call archives.
pub const ARCHIVE_MAX: u64 = 1_000;

/// What an archive call did, or would do on a dry run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Archived {
    /// The live contacts the filter matches (before the call).
    pub matched: u64,
    /// How many were archived: 0 on a dry run.
    pub archived: u64,
}

/// `FORBIDDEN` unless the actor may archive in bulk (ADMIN and MANAGER):
/// a door checks it before it even parses the filter.
pub fn may_archive(actor: &Actor) -> CoreResult<()> {
    if matches!(actor.role, Role::Admin | Role::Manager) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "the {:?} role may not archive contacts in bulk",
            actor.role
        )))
    }
}

/// Soft-deletes every live contact matching `matches` (a condition on the
/// `contact` table), or on a `dry_run` only counts them.
pub async fn archive_contacts(
    core: &Core,
    actor: &Actor,
    matches: Condition,
    dry_run: bool,
) -> CoreResult<Archived> {
    may_archive(actor)?;
    let condition = scope::<contact::Entity>(actor.workspace_id).add(matches);
    if dry_run {
        let matched = contact::Entity::find()
            .filter(condition)
            .count(&core.db)
            .await?;
        return Ok(Archived {
            matched,
            archived: 0,
        });
    }
    let txn = core.begin().await?;
    // One more than the cap tells "too many" without counting them all.
    let rows = contact::Entity::find()
        .filter(condition.clone())
        .order_by_asc(contact::Column::Id)
        .limit(ARCHIVE_MAX + 1)
        .all(&txn)
        .await?;
    if rows.len() as u64 > ARCHIVE_MAX {
        let matched = contact::Entity::find()
            .filter(condition)
            .count(&txn)
            .await?;
        return Err(CoreError::bad_input(
            "filter",
            format!(
                "the filter matches {matched} contacts; one call archives at most {ARCHIVE_MAX}: narrow it"
            ),
        ));
    }
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        contact::Entity::check_write(actor, row)?;
        let (_, event) =
            change_in::<contact::Entity>(&txn, actor, row.id, row.version, true).await?;
        events.push(event);
    }
    core.commit(txn, Author::of(actor), events).await?;
    let archived = rows.len() as u64;
    Ok(Archived {
        matched: archived,
        archived,
    })
}
