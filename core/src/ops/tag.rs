//! Tags: labels on companies, contacts, deals and tickets, created on first
//! use. Tagging a record is a change of the record: it needs the role that
//! may change it, and publishes a `<record>.tagged` (or `.untagged`) event.

use entity::enums::TaggableType;
use entity::{company, contact, deal, tag, tagging, ticket};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::kind::Kind;
use crate::store::{Author, Core, Table, col, event_for, load_live, now};

/// Longest tag name.
const MAX_TAG_NAME: usize = 100;
/// Most tags added or removed in one call.
const MAX_TAGS_PER_CALL: usize = 50;

/// Puts the tags `names` (created when new) on `record`, a company, contact,
/// deal or ticket (`None`: the id named no record); returns the record's
/// tags by name.
pub async fn add(
    core: &Core,
    actor: &Actor,
    record: Option<(Kind, Uuid)>,
    names: &[String],
) -> CoreResult<Vec<tag::Model>> {
    let names = tag_names(names)?;
    let txn = core.begin().await?;
    let (record_type, record, event) = tagged_record(&txn, actor, record).await?;
    let existing = tags_named(&txn, actor, &names).await?;
    let at = now();
    let mut tags = existing.clone();
    for name in names
        .iter()
        .filter(|n| !existing.iter().any(|t| &t.name == *n))
    {
        let model = tag::ActiveModel {
            id: Set(crate::store::new_id()),
            workspace_id: Set(actor.workspace_id),
            name: Set(name.clone()),
            color: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        };
        tags.push(model.insert(&txn).await?);
    }
    let already: Vec<Uuid> = tagging::Entity::find()
        .filter(col("tagging", "workspace_id").eq(actor.workspace_id))
        .filter(col("tagging", "record_id").eq(record))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| t.tag_id)
        .collect();
    for tag in tags.iter().filter(|t| !already.contains(&t.id)) {
        let link = tagging::ActiveModel {
            id: Set(crate::store::new_id()),
            workspace_id: Set(actor.workspace_id),
            tag_id: Set(tag.id),
            record_type: Set(record_type),
            record_id: Set(record),
            created_at: Set(at),
            updated_at: Set(at),
        };
        link.insert(&txn).await?;
    }
    let result = tags_on(&txn, actor, record).await?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(result)
}

/// Takes the tags `names` off `record`; returns its remaining tags by name.
pub async fn remove(
    core: &Core,
    actor: &Actor,
    record: Option<(Kind, Uuid)>,
    names: &[String],
) -> CoreResult<Vec<tag::Model>> {
    let names = tag_names(names)?;
    let txn = core.begin().await?;
    let (_, record, mut event) = tagged_record(&txn, actor, record).await?;
    let ids: Vec<Uuid> = tags_named(&txn, actor, &names)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let delete = Query::delete()
        .from_table("tagging")
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("record_id").eq(record))
        .and_where(Expr::col("tag_id").is_in(ids))
        .to_owned();
    txn.execute(&delete).await?;
    event.kind = event.kind.replace(".tagged", ".untagged");
    let result = tags_on(&txn, actor, record).await?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(result)
}

/// The record a tag goes on, checked to be live in the actor's workspace and
/// changeable by its role, with the record's `tagged` event.
async fn tagged_record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    record: Option<(Kind, Uuid)>,
) -> CoreResult<(TaggableType, Uuid, NewEvent)> {
    let not_taggable = || {
        CoreError::bad_input(
            "recordId",
            "not the id of a company, contact, deal or ticket",
        )
    };
    let (kind, id) = record.ok_or_else(not_taggable)?;
    Ok(match kind {
        Kind::Company => {
            let event = tagged::<company::Entity>(txn, actor, Area::Companies, id).await?;
            (TaggableType::Company, id, event)
        }
        Kind::Contact => {
            let event = tagged::<contact::Entity>(txn, actor, Area::Contacts, id).await?;
            (TaggableType::Contact, id, event)
        }
        Kind::Deal => {
            let event = tagged::<deal::Entity>(txn, actor, Area::Deals, id).await?;
            (TaggableType::Deal, id, event)
        }
        Kind::Ticket => {
            let event = tagged::<ticket::Entity>(txn, actor, Area::Tickets, id).await?;
            (TaggableType::Ticket, id, event)
        }
        _ => return Err(not_taggable()),
    })
}

/// The `tagged` event of record `id` of `T`, which the actor's role must be
/// able to change (`area`, then the table's own rule); a record that is not
/// there is a bad `recordId`.
async fn tagged<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    area: Area,
    id: Uuid,
) -> CoreResult<NewEvent> {
    actor.require(area)?;
    let row = load_live::<T>(txn, actor, id).await.map_err(|e| match e {
        CoreError::NotFound(what) => CoreError::bad_input("recordId", format!("no such {what}")),
        other => other,
    })?;
    T::check_write(actor, &row)?;
    event_for::<T>(&row, "tagged")
}

/// The names as sent, checked, without repeats.
fn tag_names(names: &[String]) -> CoreResult<Vec<String>> {
    if names.is_empty() || names.len() > MAX_TAGS_PER_CALL {
        return Err(CoreError::bad_input(
            "names",
            format!("give between 1 and {MAX_TAGS_PER_CALL} tag names"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let name = text::required_name(name, MAX_TAG_NAME)
            .map_err(CoreError::invalid(format!("names[{i}]")))?;
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

async fn tags_named(
    txn: &DatabaseTransaction,
    actor: &Actor,
    names: &[String],
) -> CoreResult<Vec<tag::Model>> {
    Ok(tag::Entity::find()
        .filter(col("tag", "workspace_id").eq(actor.workspace_id))
        .filter(col("tag", "name").is_in(names.iter().cloned()))
        .all(txn)
        .await?)
}

/// The tags now on a record, by name, read in `txn` after a change.
async fn tags_on(
    txn: &DatabaseTransaction,
    actor: &Actor,
    record_id: Uuid,
) -> CoreResult<Vec<tag::Model>> {
    let mut rows = tag::Entity::find()
        .filter(col("tag", "workspace_id").eq(actor.workspace_id))
        .filter(
            col("tag", "id").in_subquery(
                Query::select()
                    .column(("tagging", "tag_id"))
                    .from("tagging")
                    .and_where(col("tagging", "workspace_id").eq(actor.workspace_id))
                    .and_where(col("tagging", "record_id").eq(record_id))
                    .to_owned(),
            ),
        )
        .all(txn)
        .await?;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rows)
}
