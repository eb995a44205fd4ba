//! Subscriptions: live pipeline and ticket events, and the live pipeline
//! dashboard. Every event carries a `cursor`; `after: cursor` replays what
//! the client missed from the outbox, then continues live, with no gap and
//! no duplicate at the seam (see [`crate::events::subscriber`]).

mod dashboard;
mod leaderboard;
mod pipeline_events;
mod recomputed;
mod segment_changes;
mod ticket_events;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use async_graphql::{Context, MergedSubscription, Object};
use entity::event;
use futures_util::{Stream, StreamExt};
use uuid::Uuid;

use super::context::{actor, state};
use super::error::{ApiError, ApiResult};
use crate::events::subscriber::{self, OpenError};

pub use dashboard::{DashboardQuery, PipelineDashboard, StageFigures};

/// Every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    pipeline_events::PipelineSubscription,
    ticket_events::TicketSubscription,
    dashboard::DashboardSubscription,
    leaderboard::LeaderboardSubscription,
    segment_changes::SegmentSubscription,
    crate::graphql::triggers::TriggerSubscription,
    crate::graphql::import::ImportProgressSubscription,
);

/// Where the workspace's event log stands, for clients that load data and
/// then subscribe.
#[derive(Default)]
pub struct EventCursorQuery;

#[Object]
impl EventCursorQuery {
    /// The cursor of the workspace's latest event. Read it before loading
    /// data, then subscribe with `after: eventCursor`: nothing that changes
    /// in between is missed.
    async fn event_cursor(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let actor = actor(ctx)?;
        let bounds = crate::events::outbox::bounds(&state(ctx)?.db, actor.workspace_id).await?;
        Ok(encode_cursor(bounds.last))
    }
}

/// The opaque cursor of the event numbered `seq` in its workspace.
pub fn encode_cursor(seq: i64) -> String {
    rapport_core::events::cursor::event_cursor(seq)
}

/// The event number in a cursor; `BAD_USER_INPUT` on `after` otherwise.
pub fn decode_cursor(cursor: &str) -> ApiResult<i64> {
    rapport_core::events::cursor::parse_cursor(cursor)
        .ok_or_else(|| ApiError::bad_input("after", "not an event cursor"))
}

/// Request data of a shared subscription's task (`crate::ws::shared`): where
/// its event stream stands, so that each result can carry its event number.
#[derive(Clone, Default)]
pub struct Progress(pub Arc<Position>);

/// Event numbers; -1 until the stream opens.
pub struct Position {
    /// Where the stream started.
    pub opened: AtomicI64,
    /// The last event the stream yielded (or `opened`).
    pub current: AtomicI64,
}

impl Default for Position {
    fn default() -> Self {
        Position {
            opened: AtomicI64::new(-1),
            current: AtomicI64::new(-1),
        }
    }
}

/// Request data standing for `after`: a shared subscriber that fell behind
/// continues alone after the last event it was sent.
#[derive(Clone, Copy, Debug)]
pub struct ResumeAfter(pub i64);

/// The workspace's events after the `after` cursor (or from now on), ended
/// on the first database error.
pub(crate) async fn events(
    ctx: &async_graphql::Context<'_>,
    workspace_id: Uuid,
    after: Option<String>,
) -> ApiResult<impl Stream<Item = Arc<event::Model>> + Send + use<>> {
    let after = match ctx.data_opt::<ResumeAfter>() {
        Some(resume) => Some(resume.0),
        None => after.as_deref().map(decode_cursor).transpose()?,
    };
    let progress = ctx.data_opt::<Progress>().map(|p| p.0.clone());
    let state = state(ctx)?;
    let retention = state.config.event_retention_hours;
    let (start, stream) = subscriber::open(state.event_source(), workspace_id, after)
        .await
        .map_err(|e| match e {
            OpenError::Expired => ApiError::bad_input(
                "after",
                format!(
                    "events after this cursor were pruned (they are kept {retention} hours): \
                     reload, then subscribe without `after`"
                ),
            ),
            OpenError::Unknown => ApiError::bad_input("after", "no such event cursor"),
            OpenError::Database(e) => e.into(),
        })?;
    if let Some(position) = &progress {
        position.opened.store(start, Ordering::Release);
        position.current.store(start, Ordering::Release);
    }
    Ok(stream.scan((), move |(), item| {
        let next = match item {
            Ok(e) => {
                if let Some(position) = &progress {
                    position.current.store(e.seq, Ordering::Release);
                }
                Some(e)
            }
            Err(error) => {
                tracing::warn!(%error, "subscription ended: the outbox is unreadable");
                None
            }
        };
        std::future::ready(next)
    }))
}

/// Whether the activity `id` of `workspace` is one a narrowed reader reads (`read`, its
/// narrowing): one look-up by key, made for narrowed readers only. A failed
/// look-up answers no, rather than show what may be hidden.
pub(crate) async fn reads_activity(
    db: &sea_orm::DatabaseConnection,
    read: sea_orm::Condition,
    workspace: Uuid,
    id: Uuid,
) -> bool {
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};
    let found = entity::activity::Entity::find()
        .filter(rapport_core::store::col("activity", "workspace_id").eq(workspace))
        .filter(rapport_core::store::col("activity", "id").eq(id))
        .filter(read)
        .count(db)
        .await;
    match found {
        Ok(count) => count > 0,
        Err(error) => {
            tracing::warn!(%error, %id, "could not read an activity of an event");
            false
        }
    }
}

/// The record in an event's payload: `payload[key]` when the event wraps it
/// (`{ "deal": {...}, "fromStageId": ... }`), else the payload itself.
pub(crate) fn payload_record<M: serde::de::DeserializeOwned>(
    e: &event::Model,
    key: &str,
) -> Option<M> {
    let value = e.payload.get(key).unwrap_or(&e.payload);
    // Read from the shared payload without copying it: every subscriber of
    // the event decodes it.
    match M::deserialize(value) {
        Ok(model) => Some(model),
        Err(error) => {
            tracing::error!(%error, seq = e.seq, kind = %e.kind, "undecodable event payload");
            None
        }
    }
}

/// The member who made the change an event records.
async fn event_actor(
    ctx: &Context<'_>,
    e: &event::Model,
) -> ApiResult<Option<super::member::Member>> {
    match e.actor_id {
        Some(id) => super::list::find::<super::member::Member>(ctx, id).await,
        None => Ok(None),
    }
}

/// A uuid field of an event's payload.
fn payload_uuid(e: &event::Model, key: &str) -> Option<Uuid> {
    e.payload.get(key)?.as_str()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(decode_cursor(&encode_cursor(42)).ok(), Some(42));
        assert!(decode_cursor("42").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("Deal:42")).is_err());
    }
}
