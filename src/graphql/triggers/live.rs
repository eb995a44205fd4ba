//! `triggerFirings`: a live feed of triggers firing, with their tasks.

use std::sync::Arc;

use async_graphql::{Context, Object, Subscription};
use chrono::{DateTime, Utc};
use entity::{activity, event, trigger_firing, trigger_rule};
use futures_util::{Stream, StreamExt};
use rapport_core::store::owned_by;

use super::rule::TriggerRule;
use crate::graphql::activity::Activity;
use crate::graphql::company::Company;
use crate::graphql::contact::Contact;
use crate::graphql::context::{actor, db};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::level::Level;
use crate::graphql::list;
use crate::graphql::live::{encode_cursor, events, payload_record, reads_activity};

/// One firing.
pub struct TriggerFiring {
    event: Arc<event::Model>,
    rule: trigger_rule::Model,
    firing: trigger_firing::Model,
    task: activity::Model,
}

/// A trigger that fired, with the task it created.
#[Object]
impl TriggerFiring {
    /// Pass as `after` to resume right after this event.
    async fn cursor(&self) -> String {
        encode_cursor(self.event.seq)
    }
    /// The trigger as it was when it fired.
    async fn trigger(&self) -> TriggerRule {
        TriggerRule(Level::single(self.rule.clone()))
    }
    /// The task created for the owner.
    async fn task(&self) -> Activity {
        Activity(Level::single(self.task.clone()))
    }
    /// The contact it fired for (CSAT_BELOW, TICKET_BURST).
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<Contact>> {
        match self.task.contact_id {
            Some(id) => list::find_any::<Contact>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The company it fired for (CONTRACT_ENDING), or the contact's company.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        match self.task.company_id {
            Some(id) => list::find_any::<Company>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// When it fired.
    async fn fired_at(&self) -> DateTime<Utc> {
        self.firing.fired_at
    }
}

fn decode(e: Arc<event::Model>) -> Option<TriggerFiring> {
    Some(TriggerFiring {
        rule: payload_record(&e, "trigger")?,
        firing: payload_record(&e, "triggerfiring")?,
        task: payload_record(&e, "task")?,
        event: e,
    })
}

#[derive(Default)]
pub struct TriggerSubscription;

#[Subscription]
impl TriggerSubscription {
    /// Triggers firing, in commit order, each with the task it created.
    /// With `after`, first replays every event after that cursor. A role
    /// narrowed to its team's or its own records hears of the firings whose
    /// task it reads (a task is read with the contact or company it is for).
    async fn trigger_firings(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "An event cursor (`eventCursor`, or an event's `cursor`): replays the events after it from the log, then continues live, with no gap. Without it, only events from now on."
        )]
        after: Option<String>,
    ) -> Result<impl Stream<Item = TriggerFiring> + use<>, ApiError> {
        let actor = actor(ctx)?;
        let narrowed = owned_by::<activity::Entity>(actor, "activity");
        let db = db(ctx)?.clone();
        let workspace = actor.workspace_id;
        let stream = events(ctx, workspace, after).await?;
        Ok(stream
            .filter(|e| std::future::ready(e.topic == "trigger"))
            .filter_map(|e| std::future::ready(decode(e)))
            .filter_map(move |firing| {
                let (db, narrowed) = (db.clone(), narrowed.clone());
                async move {
                    match narrowed {
                        None => Some(firing),
                        Some(read) => reads_activity(&db, read, workspace, firing.task.id)
                            .await
                            .then_some(firing),
                    }
                }
            }))
    }
}
