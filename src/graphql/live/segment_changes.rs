//! `segmentChanges(segmentId)`: records entering and leaving a segment (or
//! a list) as they change. The subscription takes the segment's members
//! once, then re-evaluates each changed record of its type against the
//! segment's condition (as the subscriber's role sees it: one indexed
//! lookup by id) and pushes the difference. The event stream opens before
//! the snapshot is taken, so a change racing the subscription is compared
//! with the snapshot and never pushed twice.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::enums::SegmentType;
use futures_util::{Stream, StreamExt};
use rapport_core::error::CoreError;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use super::{encode_cursor, events};
use crate::graphql::company::{Company, CompanyFilter};
use crate::graphql::contact::{Contact, ContactFilter};
use crate::graphql::context::{actor, db, state};
use crate::graphql::deal::{Deal, DealFilter};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::list;
use crate::graphql::segment::{Segment, members};

/// Most records a followed segment may hold (the subscription keeps their ids).
pub const MAX_FOLLOWED: u64 = 100_000;

/// A record that entered or left a segment.
#[derive(SimpleObject, Clone)]
pub struct SegmentChange {
    /// The cursor of the change that moved it.
    pub cursor: String,
    /// When that change was made.
    pub at: DateTime<Utc>,
    /// The record's global id (a contact, company or deal, as the segment's type).
    pub record_id: ID,
    /// True when it entered the segment, false when it left (changed, deleted, merged).
    pub entered: bool,
}

/// What a subscription follows: the segment's table and condition.
#[derive(Clone)]
struct Followed {
    /// The segment (or list) itself, whose member events name records too.
    segment: Uuid,
    table: &'static str,
    kind: Kind,
    condition: Condition,
}

impl Followed {
    fn select(&self) -> SelectStatement {
        Query::select()
            .expr_as(Expr::col((self.table, "id")), "id")
            .from(self.table)
            .cond_where(self.condition.clone())
            .to_owned()
    }

    /// The members now, refused past [`MAX_FOLLOWED`].
    async fn members(&self, db: &DatabaseConnection) -> ApiResult<HashSet<Uuid>> {
        let select = self.select().limit(MAX_FOLLOWED + 1).to_owned();
        let rows = db.query_all(&select).await?;
        if rows.len() as u64 > MAX_FOLLOWED {
            return Err(ApiError::bad_input(
                "segmentId",
                format!("holds more than {MAX_FOLLOWED} records, too many to follow live"),
            ));
        }
        rows.iter()
            .map(|row| row.try_get::<Uuid>("", "id").map_err(Into::into))
            .collect()
    }

    /// The records of the followed type whose membership `event` may have
    /// changed: the record it is about, or the records put on or taken off
    /// the followed list.
    fn touched(&self, event: &entity::event::Model) -> Vec<Uuid> {
        if event.record_type == self.kind.name() {
            return vec![event.record_id];
        }
        if event.record_type != Kind::Segment.name() || event.record_id != self.segment {
            return Vec::new();
        }
        let members = event.payload.get("members").and_then(|m| m.as_object());
        members
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(|ids| ids.as_array())
            .flatten()
            .filter_map(|id| id.as_str()?.parse().ok())
            .collect()
    }

    /// Whether record `id` is a member now.
    async fn holds(&self, db: &DatabaseConnection, id: Uuid) -> ApiResult<bool> {
        let select = self
            .select()
            .and_where(Expr::col((self.table, "id")).eq(id))
            .to_owned();
        Ok(db.query_one(&select).await?.is_some())
    }
}

#[derive(Default)]
pub struct SegmentSubscription;

#[Subscription]
impl SegmentSubscription {
    /// Records entering and leaving a segment or list you see, from now on:
    /// read `segment { contacts … }` first, then follow it. A record is
    /// re-evaluated when it changes itself (a change of a related record,
    /// e.g. a new ticket moving a contact's ticket count, is not followed).
    async fn segment_changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The segment's (or list's) global id.")] segment_id: ID,
    ) -> Result<impl Stream<Item = SegmentChange> + use<>, ApiError> {
        let actor = actor(ctx)?;
        let id = ids::decode(&segment_id, Kind::Segment, "segmentId")?;
        let segment = list::find::<Segment>(ctx, id)
            .await?
            .filter(|s| rapport_core::ops::segment::visible(actor, s.0.model()))
            .ok_or(ApiError(CoreError::NotFound("Segment")))?;
        let model = segment.0.model();
        let backend = db(ctx)?.get_database_backend();
        let followed = match model.record_type {
            SegmentType::Contact => Followed {
                segment: id,
                table: "contact",
                kind: Kind::Contact,
                condition: members::condition::<Contact, ContactFilter>(
                    model,
                    actor,
                    backend,
                    members::contact_keys,
                )?,
            },
            SegmentType::Company => Followed {
                segment: id,
                table: "company",
                kind: Kind::Company,
                condition: members::condition::<Company, CompanyFilter>(
                    model,
                    actor,
                    backend,
                    members::company_keys,
                )?,
            },
            SegmentType::Deal => Followed {
                segment: id,
                table: "deal",
                kind: Kind::Deal,
                condition: members::condition::<Deal, DealFilter>(
                    model,
                    actor,
                    backend,
                    members::deal_keys,
                )?,
            },
        };
        let db = state(ctx)?.db.clone();
        let changes = events(ctx, actor.workspace_id, None).await?;
        let members = followed.members(&db).await?;
        Ok(follow(db, followed, members, changes))
    }
}

/// The changes of `followed`'s membership in `changes`, starting from `members`.
fn follow(
    db: DatabaseConnection,
    followed: Followed,
    mut members: HashSet<Uuid>,
    changes: impl Stream<Item = Arc<entity::event::Model>> + Send + 'static,
) -> impl Stream<Item = SegmentChange> + Send + 'static {
    async_stream::stream! {
        let mut changes = Box::pin(changes);
        while let Some(event) = changes.next().await {
            for record in followed.touched(&event) {
                let now = match followed.holds(&db, record).await {
                    Ok(now) => now,
                    Err(error) => {
                        tracing::warn!(?error, "segment subscription ended: a lookup failed");
                        return;
                    }
                };
                if now == members.contains(&record) {
                    continue;
                }
                if now {
                    members.insert(record);
                } else {
                    members.remove(&record);
                }
                yield SegmentChange {
                    cursor: encode_cursor(event.seq),
                    at: event.created_at,
                    record_id: ids::encode(followed.kind, record),
                    entered: now,
                };
            }
        }
    }
}
