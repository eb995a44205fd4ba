//! Tags: labels on companies, contacts, deals and tickets, created on first use.

use rapport_core::error::CoreError;
use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::enums::TaggableType;
use entity::{tag, tagging};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult,
    QueryFilter, Set,
};
use uuid::Uuid;

use super::company::Company;
use super::contact::Contact;
use super::context::{actor, db, require};
use super::deal::Deal;
use super::error::{ApiError, ApiResult};
use super::filter::{RecordFilter, StringFilter, col, record_filter_composition};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, ListArgs, Record, in_ids};
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, PageArgs, SortKey};
use super::ticket::Ticket;
use super::write::{begin, commit, event_for, load_live, now};
use crate::auth::{Actor, Area};
use crate::events::NewEvent;

/// Longest tag name.
const MAX_TAG_NAME: usize = 100;
/// Most tags added or removed in one call.
const MAX_TAGS_PER_CALL: usize = 50;

/// A label.
pub struct Tag(pub Row<tag::Model>);

impl Record for Tag {
    type Entity = tag::Entity;
    type Model = tag::Model;
    fn wrap(row: Row<tag::Model>) -> Self {
        Self(row)
    }
}

/// A label, unique by name in the workspace.
#[Object]
impl Tag {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Tag, self.0.model().id)
    }
    /// The label.
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// A display colour, e.g. `#ff8800`.
    async fn color(&self) -> Option<&str> {
        self.0.model().color.as_deref()
    }
    /// When it was first used.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
}

/// Fields tags can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagOrderField {
    Name,
    CreatedAt,
}

impl TagOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "tag",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }
}

/// Which tags to list.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TagListFilter {
    pub and: Option<Vec<TagListFilter>>,
    pub or: Option<Vec<TagListFilter>>,
    pub not: Option<Box<TagListFilter>>,
    pub name: Option<StringFilter>,
}

impl RecordFilter for TagListFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Ok(self
            .name
            .as_ref()
            .map(|f| f.condition(col("tag", "name"), backend))
            .unwrap_or_else(Condition::all))
    }
    record_filter_composition!();
}

/// A tag row with the record it is on, from the join.
#[derive(FromQueryResult)]
struct TagOnRecord {
    id: Uuid,
    workspace_id: Uuid,
    name: String,
    color: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    record_id: Uuid,
}

/// The tags of every row of `row`'s level, loaded with one statement.
pub async fn tags_of<M: Send + Sync + 'static>(
    ctx: &Context<'_>,
    row: &Row<M>,
    record_type: TaggableType,
    id: fn(&M) -> Uuid,
) -> ApiResult<Vec<Tag>> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let loaded = row
        .level
        .load("tags".to_owned(), |rows| async {
            let ids: Vec<Uuid> = rows.iter().map(id).collect();
            let query = Query::select()
                .columns([
                    ("tag", "id"),
                    ("tag", "workspace_id"),
                    ("tag", "name"),
                    ("tag", "color"),
                    ("tag", "created_at"),
                    ("tag", "updated_at"),
                ])
                .column(("tagging", "record_id"))
                .from("tag")
                .inner_join("tagging", col("tagging", "tag_id").eq(col("tag", "id")))
                .and_where(col("tagging", "workspace_id").eq(actor.workspace_id))
                .and_where(col("tag", "workspace_id").eq(actor.workspace_id))
                .and_where(col("tagging", "record_type").eq(record_type))
                .and_where(in_ids(
                    db.get_database_backend(),
                    col("tagging", "record_id"),
                    ids,
                ))
                .order_by(("tag", "name"), sea_orm::sea_query::Order::Asc)
                .to_owned();
            let found = TagOnRecord::find_by_statement(db.get_database_backend().build(&query))
                .all(db)
                .await?;
            let mut by_record: HashMap<Uuid, Vec<usize>> = HashMap::new();
            let mut models = Vec::with_capacity(found.len());
            for (i, t) in found.into_iter().enumerate() {
                by_record.entry(t.record_id).or_default().push(i);
                models.push(tag::Model {
                    id: t.id,
                    workspace_id: t.workspace_id,
                    name: t.name,
                    color: t.color,
                    created_at: t.created_at,
                    updated_at: t.updated_at,
                });
            }
            Ok((Level::new(models), by_record))
        })
        .await?;
    let (level, by_record) = &*loaded;
    let indexes = by_record.get(&id(row.model())).cloned().unwrap_or_default();
    Ok(indexes
        .into_iter()
        .map(|index| {
            Tag(Row {
                level: level.clone(),
                index,
            })
        })
        .collect())
}

/// The record a tag goes on, checked to be live in the actor's workspace.
async fn tagged_record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: &ID,
) -> ApiResult<(TaggableType, Uuid, NewEvent)> {
    let not_taggable = || {
        ApiError::bad_input(
            "recordId",
            "not the id of a company, contact, deal or ticket",
        )
    };
    let (kind, uuid) = ids::decode_any(id).ok_or_else(not_taggable)?;
    let missing = |e: ApiError| match e {
        ApiError(CoreError::NotFound(what)) => {
            ApiError::bad_input("recordId", format!("no such {what}"))
        }
        other => other,
    };
    Ok(match kind {
        Kind::Company => {
            require(actor, Area::Companies)?;
            let row = load_live::<Company>(txn, actor, uuid)
                .await
                .map_err(missing)?;
            (
                TaggableType::Company,
                uuid,
                event_for::<Company>(&row, "tagged")?,
            )
        }
        Kind::Contact => {
            require(actor, Area::Contacts)?;
            let row = load_live::<Contact>(txn, actor, uuid)
                .await
                .map_err(missing)?;
            (
                TaggableType::Contact,
                uuid,
                event_for::<Contact>(&row, "tagged")?,
            )
        }
        Kind::Deal => {
            require(actor, Area::Deals)?;
            let row = load_live::<Deal>(txn, actor, uuid).await.map_err(missing)?;
            <entity::deal::Entity as rapport_core::store::Table>::check_write(actor, &row)?;
            (TaggableType::Deal, uuid, event_for::<Deal>(&row, "tagged")?)
        }
        Kind::Ticket => {
            require(actor, Area::Tickets)?;
            let row = load_live::<Ticket>(txn, actor, uuid)
                .await
                .map_err(missing)?;
            (
                TaggableType::Ticket,
                uuid,
                event_for::<Ticket>(&row, "tagged")?,
            )
        }
        _ => return Err(not_taggable()),
    })
}

fn tag_names(names: &[String]) -> ApiResult<Vec<String>> {
    if names.is_empty() || names.len() > MAX_TAGS_PER_CALL {
        return Err(ApiError::bad_input(
            "names",
            format!("give between 1 and {MAX_TAGS_PER_CALL} tag names"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let name = crate::domain::text::required_name(name, MAX_TAG_NAME)
            .map_err(ApiError::invalid(format!("names[{i}]")))?;
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
) -> ApiResult<Vec<tag::Model>> {
    Ok(tag::Entity::find()
        .filter(col("tag", "workspace_id").eq(actor.workspace_id))
        .filter(col("tag", "name").is_in(names.iter().cloned()))
        .all(txn)
        .await?)
}

/// The tags now on a record, read in `txn` after a change.
async fn tags_on(txn: &DatabaseTransaction, actor: &Actor, record_id: Uuid) -> ApiResult<Vec<Tag>> {
    let rows = tag::Entity::find()
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
    let mut rows = rows;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let level = Level::new(rows);
    Ok(level.all().into_iter().map(Tag).collect())
}

/// Tag mutations.
#[derive(Default)]
pub struct TagMutation;

#[Object]
impl TagMutation {
    /// Puts tags (by name, created when new) on a company, contact, deal or ticket; returns its tags.
    async fn add_tags(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        names: Vec<String>,
    ) -> ApiResult<Vec<Tag>> {
        let actor = actor(ctx)?;
        let names = tag_names(&names)?;
        let txn = begin(ctx).await?;
        let (record_type, record, event) = tagged_record(&txn, actor, &record_id).await?;
        let existing = tags_named(&txn, actor, &names).await?;
        let at = now();
        let mut tags = existing.clone();
        for name in names
            .iter()
            .filter(|n| !existing.iter().any(|t| &t.name == *n))
        {
            let model = tag::ActiveModel {
                id: Set(Uuid::now_v7()),
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
                id: Set(Uuid::now_v7()),
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
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(result)
    }

    /// Takes tags (by name) off a record; returns its remaining tags.
    async fn remove_tags(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        names: Vec<String>,
    ) -> ApiResult<Vec<Tag>> {
        let actor = actor(ctx)?;
        let names = tag_names(&names)?;
        let txn = begin(ctx).await?;
        let (_, record, mut event) = tagged_record(&txn, actor, &record_id).await?;
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
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(result)
    }
}

/// Tag queries.
#[derive(Default)]
pub struct TagQuery;

#[Object]
impl TagQuery {
    /// Tags of the workspace.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn tags(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<TagListFilter>,
        order_by: Option<Vec<Ordering<TagOrderField>>>,
    ) -> ApiResult<Conn<Tag>> {
        actor(ctx)?;
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: sort_keys(
                order_by.as_deref(),
                "tag",
                TagOrderField::key,
                &[SortKey {
                    table: "tag",
                    column: "name",
                    ty: KeyType::Text,
                    nullable: false,
                    desc: false,
                }],
            )?,
            extra: Condition::all(),
        };
        list::top_level(ctx, args).await
    }
}
