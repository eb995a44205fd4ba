//! `pipelineEvents`: what happens to the deals of one pipeline.

use rapport_core::error::CoreError;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Subscription};
use chrono::{DateTime, Utc};
use entity::{deal, event};
use futures_util::{Stream, StreamExt};

use rapport_core::access::{Owned, Sight};

use super::{encode_cursor, events, payload_record, payload_uuid};
use crate::graphql::context::actor;
use crate::graphql::deal::Deal;
use crate::graphql::deal::mutation::DealOutcome;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::list;
use crate::graphql::member::Member;
use crate::graphql::pipeline::{Pipeline, Stage};

/// What happened to a deal.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineEventKind {
    /// It was created.
    Created,
    /// Any field changed, contacts added or removed included.
    Updated,
    /// It entered another stage (`fromStage` → `toStage`).
    Moved,
    /// It was won or lost (`outcome`, `reason`).
    Closed,
    /// It was deleted (it can be restored).
    Deleted,
    /// It was restored after a delete.
    Restored,
    /// It was given to an owner whose deals the reader's role does not read
    /// (sent only to roles narrowed to their team's or their own deals):
    /// the last event of it the reader gets until it is given back.
    Hidden,
}

impl PipelineEventKind {
    fn of(kind: &str) -> Option<Self> {
        Some(match kind {
            "deal.created" => Self::Created,
            "deal.updated" => Self::Updated,
            "deal.moved" => Self::Moved,
            "deal.closed" => Self::Closed,
            "deal.deleted" => Self::Deleted,
            "deal.restored" => Self::Restored,
            _ => return None,
        })
    }
}

/// One change to a deal of the pipeline.
pub struct PipelineEvent {
    event: Arc<event::Model>,
    kind: PipelineEventKind,
    deal: deal::Model,
}

/// Something that happened to a deal of the pipeline.
#[Object]
impl PipelineEvent {
    /// Pass as `after` to resume right after this event.
    async fn cursor(&self) -> String {
        encode_cursor(self.event.seq)
    }

    /// What happened to the deal.
    async fn kind(&self) -> PipelineEventKind {
        self.kind
    }

    /// The deal as it was right after the change.
    async fn deal(&self) -> Deal {
        Deal(Level::single(self.deal.clone()))
    }

    /// The stage it left (MOVED, and CLOSED when closing moved it).
    async fn from_stage(&self, ctx: &Context<'_>) -> ApiResult<Option<Stage>> {
        stage(ctx, &self.event, "fromStageId").await
    }

    /// The stage it entered (MOVED, CLOSED).
    async fn to_stage(&self, ctx: &Context<'_>) -> ApiResult<Option<Stage>> {
        stage(ctx, &self.event, "toStageId").await
    }

    /// WON or LOST, for CLOSED.
    async fn outcome(&self) -> Option<DealOutcome> {
        match self.event.payload.get("outcome")?.as_str()? {
            "WON" => Some(DealOutcome::Won),
            "LOST" => Some(DealOutcome::Lost),
            _ => None,
        }
    }

    /// Why it was won or lost, for CLOSED.
    async fn reason(&self) -> Option<String> {
        Some(self.event.payload.get("reason")?.as_str()?.to_owned())
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.event.created_at
    }

    /// Who made the change.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        super::event_actor(ctx, &self.event).await
    }
}

async fn stage(ctx: &Context<'_>, e: &event::Model, key: &str) -> ApiResult<Option<Stage>> {
    match payload_uuid(e, key) {
        Some(id) => list::find_any::<Stage>(ctx, id).await,
        None => Ok(None),
    }
}

#[derive(Default)]
pub struct PipelineSubscription;

#[Subscription]
impl PipelineSubscription {
    /// Deals of the pipeline created, updated, moved, closed, deleted or
    /// restored, in commit order. With `after`, first replays every event
    /// after that cursor. Not for SUPPORT, which sees no deals. A role
    /// narrowed to its team's or its own deals hears of the deals it reads
    /// as the change left them, and gets HIDDEN when one of them is given
    /// to an owner it does not read.
    async fn pipeline_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pipeline, by global id.")] pipeline_id: ID,
        #[graphql(
            desc = "An event cursor (`eventCursor`, or an event's `cursor`): replays the events after it from the log, then continues live, with no gap. Without it, only events from now on."
        )]
        after: Option<String>,
    ) -> Result<impl Stream<Item = PipelineEvent> + use<>, ApiError> {
        let actor = actor(ctx)?;
        if !actor.can_read_deals() {
            return Err(ApiError(CoreError::Forbidden(
                "this role sees no deals".into(),
            )));
        }
        let id = ids::decode(&pipeline_id, Kind::Pipeline, "pipelineId")?;
        if list::find::<Pipeline>(ctx, id).await?.is_none() {
            return Err(ApiError(CoreError::NotFound("pipeline")));
        }
        let topic = format!("pipeline:{id}");
        let sight = actor.sight.clone();
        let stream = events(ctx, actor.workspace_id, after).await?;
        Ok(stream.filter_map(move |e| {
            let item = (e.topic == topic)
                .then(|| PipelineEventKind::of(&e.kind))
                .flatten()
                .and_then(|kind| {
                    let deal = payload_record::<deal::Model>(&e, "deal")?;
                    let kind = as_seen(&sight, &e, kind, &deal)?;
                    Some(PipelineEvent {
                        event: e,
                        kind,
                        deal,
                    })
                });
            std::future::ready(item)
        }))
    }
}

/// What a change is to a reader: `kind` when it reads the deal as the
/// change left it; HIDDEN when a new owner took it out of the reader's
/// sight (the event names the owner before, `fromOwnerId`); nothing when it
/// read the deal neither before nor after.
fn as_seen(
    sight: &Sight,
    e: &event::Model,
    kind: PipelineEventKind,
    deal: &deal::Model,
) -> Option<PipelineEventKind> {
    if sight.sees(Owned::Deals, deal.owner_id) {
        return Some(kind);
    }
    let before = e.payload.get("fromOwnerId")?;
    let before = <Option<uuid::Uuid> as serde::Deserialize>::deserialize(before).ok()?;
    sight
        .sees(Owned::Deals, before)
        .then_some(PipelineEventKind::Hidden)
}
