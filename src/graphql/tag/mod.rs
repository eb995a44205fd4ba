//! Tags: labels on companies, contacts, deals and tickets, created on first use.

mod filter;
mod mutation;

use std::collections::HashMap;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::TaggableType;
use entity::tag;
use rapport_core::ops::tag_upkeep;
use rapport_macros::connections;
use sea_orm::FromQueryResult;
use sea_orm::sea_query::{Condition, ExprTrait, Query};
use uuid::Uuid;

use super::context::{actor, db};
use super::error::ApiResult;
use super::filter::col;
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{ListArgs, Record, in_ids, top_level};
use super::page::PageArgs;

pub use filter::{TagListFilter, TagOrderField};
pub use mutation::TagMutation;

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
#[connections]
#[Object]
impl Tag {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Tag, self.0.model().id)
    }
    /// The label.
    field!(name: &str);
    /// A display colour, e.g. `#ff8800`.
    field!(color: Option<&str>);
    /// When it was first used.
    field!(created_at: DateTime<Utc>);
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

/// Tag queries.
#[derive(Default)]
pub struct TagQuery;

#[connections]
#[Object]
impl TagQuery {
    /// Tags of the workspace.
    listing!(tags: Tag, TagListFilter, TagOrderField);

    /// Tags on no live record (deleted records do not count), by name: candidates to delete or merge.
    #[graphql(complexity = "crate::graphql::page::cost(first, None, child_complexity)")]
    async fn unused_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many tags after `after`; 0 to 100, 20 when not given.")]
        first: Option<i32>,
        #[graphql(
            desc = "The tags after this cursor (an edge's `cursor` or `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> ApiResult<Conn<Tag>> {
        let workspace_id = actor(ctx)?.workspace_id;
        let args = ListArgs::<TagListFilter> {
            page: PageArgs {
                first,
                after,
                last: None,
                before: None,
            },
            filter: None,
            keys: TagOrderField::keys(None)?,
            extra: Condition::all()
                .add(col("tag", "id").not_in_subquery(tag_upkeep::used_tag_ids(workspace_id))),
        };
        top_level(ctx, args).await
    }
}
