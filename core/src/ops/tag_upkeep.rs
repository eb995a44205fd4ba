//! Workspace-wide tag upkeep: the tags no live record carries, renaming a
//! tag and merging tags into one. Unlike tagging one record, these change
//! every record a tag is on, so only the roles that keep the workspace's
//! shared settings (ADMIN and MANAGER) may do them. Each is one transaction
//! that publishes a `<record>.tagged` event (and so a history entry) for
//! every live record whose tags it changed.

use std::collections::{HashMap, HashSet};

use entity::enums::{Role, TaggableType};
use entity::{company, contact, deal, tag, tagging, ticket};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

use crate::access::Actor;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::store::{Author, Core, Table, col, event_for, now, scope, update_in_workspace};

/// Longest tag name (as when tagging).
const MAX_TAG_NAME: usize = 100;
/// Most tags merged in one call.
const MAX_MERGED: usize = 50;
/// Most records one rename or merge may change: each gets an event and a
/// history entry in the same transaction, which must stay short.
const MAX_RECORDS: usize = 5_000;

/// The ids of tags on at least one live (not deleted) record of the
/// workspace: `tag.id NOT IN` this is "unused".
pub fn used_tag_ids(workspace_id: Uuid) -> SelectStatement {
    let live = |record_type: TaggableType, table: &'static str| {
        Condition::all()
            .add(col("tagging", "record_type").eq(record_type))
            .add(
                col("tagging", "record_id").in_subquery(
                    Query::select()
                        .column((table, "id"))
                        .from(table)
                        .and_where(col(table, "workspace_id").eq(workspace_id))
                        .and_where(col(table, "deleted_at").is_null())
                        .to_owned(),
                ),
            )
    };
    Query::select()
        .column(("tagging", "tag_id"))
        .from("tagging")
        .and_where(col("tagging", "workspace_id").eq(workspace_id))
        .cond_where(
            Condition::any()
                .add(live(TaggableType::Company, "company"))
                .add(live(TaggableType::Contact, "contact"))
                .add(live(TaggableType::Deal, "deal"))
                .add(live(TaggableType::Ticket, "ticket")),
        )
        .to_owned()
}

/// Renames tag `id`; a name another tag of the
/// workspace has is refused (merge them instead).
pub async fn rename(core: &Core, actor: &Actor, id: Uuid, name: &str) -> CoreResult<tag::Model> {
    may_change_tags(actor)?;
    let name = text::required_name(name, MAX_TAG_NAME).map_err(CoreError::invalid("name"))?;
    let txn = core.begin().await?;
    let found = load_tag(&txn, actor, id, "id").await?;
    let taken = tag::Entity::find()
        .filter(col("tag", "workspace_id").eq(actor.workspace_id))
        .filter(col("tag", "name").eq(name.clone()))
        .filter(col("tag", "id").ne(found.id))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(CoreError::Taken {
            field: "name".to_owned(),
            message: format!("another tag is named {name:?}: merge the two instead"),
        });
    }
    let records = taggings_of(&txn, actor, &[found.id]).await?;
    let id = found.id;
    let mut change = found.into_active_model();
    change.name = Set(name);
    change.updated_at = Set(now());
    let renamed = update_in_workspace::<tag::Entity>(&txn, actor.workspace_id, id, change).await?;
    let events = record_events(&txn, actor, &records).await?;
    core.commit(txn, Author::of(actor), events).await?;
    Ok(renamed)
}

/// Moves every tagging of the tags `from` onto `into` (a record that ends
/// up with `into` twice keeps one), then deletes the `from` tags; returns
/// `into`.
pub async fn merge(
    core: &Core,
    actor: &Actor,
    into: Uuid,
    from: &[Uuid],
) -> CoreResult<tag::Model> {
    may_change_tags(actor)?;
    if from.is_empty() || from.len() > MAX_MERGED {
        return Err(CoreError::bad_input(
            "from",
            format!("give between 1 and {MAX_MERGED} tags to merge"),
        ));
    }
    let txn = core.begin().await?;
    let into = load_tag(&txn, actor, into, "into").await?;
    let mut from_ids = Vec::with_capacity(from.len());
    for (i, id) in from.iter().enumerate() {
        let field = format!("from[{i}]");
        let tag = load_tag(&txn, actor, *id, &field).await?;
        if tag.id == into.id {
            return Err(CoreError::bad_input(
                field,
                "a tag cannot be merged into itself",
            ));
        }
        if !from_ids.contains(&tag.id) {
            from_ids.push(tag.id);
        }
    }
    let moved = taggings_of(&txn, actor, &from_ids).await?;
    // A record keeps one tagging of `into`: drop the ones that would repeat it.
    let mut carrying: HashSet<Uuid> = taggings_of(&txn, actor, &[into.id])
        .await?
        .into_iter()
        .map(|t| t.record_id)
        .collect();
    let mut dropped = Vec::new();
    for link in &moved {
        if !carrying.insert(link.record_id) {
            dropped.push(link.id);
        }
    }
    for chunk in dropped.chunks(500) {
        let delete = Query::delete()
            .from_table("tagging")
            .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
            .and_where(Expr::col("id").is_in(chunk.iter().copied()))
            .to_owned();
        txn.execute(&delete).await?;
    }
    let update = Query::update()
        .table("tagging")
        .value("tag_id", into.id)
        .value("updated_at", now())
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("tag_id").is_in(from_ids.iter().copied()))
        .to_owned();
    txn.execute(&update).await?;
    let delete_tags = Query::delete()
        .from_table("tag")
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("id").is_in(from_ids.iter().copied()))
        .to_owned();
    txn.execute(&delete_tags).await?;
    let events = record_events(&txn, actor, &moved).await?;
    core.commit(txn, Author::of(actor), events).await?;
    Ok(into)
}

/// `FORBIDDEN` unless the actor is an ADMIN or a MANAGER: a door checks
/// it before it even parses the ids.
pub fn may_change_tags(actor: &Actor) -> CoreResult<()> {
    if matches!(actor.role, Role::Admin | Role::Manager) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "the {:?} role may not rename or merge tags",
            actor.role
        )))
    }
}

/// Tag `id` of the actor's workspace; a missing one is a bad `field`.
async fn load_tag(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    field: &str,
) -> CoreResult<tag::Model> {
    let no_tag = || CoreError::bad_input(field, "no such tag");
    tag::Entity::find()
        .filter(col("tag", "workspace_id").eq(actor.workspace_id))
        .filter(col("tag", "id").eq(id))
        .one(txn)
        .await?
        .ok_or_else(no_tag)
}

/// Every tagging of `tags`, refused when more than [`MAX_RECORDS`].
async fn taggings_of(
    txn: &DatabaseTransaction,
    actor: &Actor,
    tags: &[Uuid],
) -> CoreResult<Vec<tagging::Model>> {
    let rows = tagging::Entity::find()
        .filter(col("tagging", "workspace_id").eq(actor.workspace_id))
        .filter(col("tagging", "tag_id").is_in(tags.iter().copied()))
        .all(txn)
        .await?;
    if rows.len() > MAX_RECORDS {
        return Err(CoreError::bad_input(
            "id",
            format!(
                "the tag is on {} records; one call changes at most {MAX_RECORDS}",
                rows.len()
            ),
        ));
    }
    Ok(rows)
}

/// A `<record>.tagged` event for each live record of `links`, loading the
/// records of each type with one statement.
async fn record_events(
    txn: &DatabaseTransaction,
    actor: &Actor,
    links: &[tagging::Model],
) -> CoreResult<Vec<NewEvent>> {
    let mut by_type: HashMap<TaggableType, Vec<Uuid>> = HashMap::new();
    for link in links {
        let ids = by_type.entry(link.record_type).or_default();
        if !ids.contains(&link.record_id) {
            ids.push(link.record_id);
        }
    }
    let mut events = Vec::new();
    for (record_type, ids) in by_type {
        match record_type {
            TaggableType::Company => {
                events_of::<company::Entity>(txn, actor, ids, &mut events).await?
            }
            TaggableType::Contact => {
                events_of::<contact::Entity>(txn, actor, ids, &mut events).await?
            }
            TaggableType::Deal => events_of::<deal::Entity>(txn, actor, ids, &mut events).await?,
            TaggableType::Ticket => {
                events_of::<ticket::Entity>(txn, actor, ids, &mut events).await?
            }
        }
    }
    Ok(events)
}

async fn events_of<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    ids: Vec<Uuid>,
    events: &mut Vec<NewEvent>,
) -> CoreResult<()> {
    for chunk in ids.chunks(500) {
        let rows = T::find()
            .filter(scope::<T>(actor.workspace_id))
            .filter(col(T::TABLE, "id").is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        for row in &rows {
            events.push(event_for::<T>(row, "tagged")?);
        }
    }
    Ok(())
}
