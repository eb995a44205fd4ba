//! Triggers: rules that create a task for the owner, and publish a
//! `trigger.fired` event, when a customer needs attention. See [`fire`]
//! for when each kind fires; time comes from the server's clock, so tests
//! move it instead of waiting.

pub mod fire;
mod live;
mod rule;

use std::time::Duration;

use async_graphql::{Context, Object, SimpleObject};
use tokio_util::sync::CancellationToken;

pub use live::TriggerSubscription;
pub use rule::{TriggerRule, TriggerRuleMutation, TriggerRuleOrderField, TriggerRuleQuery};

use crate::app::AppState;
use crate::auth::Area;
use crate::graphql::context::writer;
use crate::graphql::error::ApiResult;
use crate::graphql::write::{Author, begin, begin_on, commit, commit_as, now};

/// What a sweep did.
#[derive(SimpleObject)]
pub struct TriggerSweepPayload {
    /// How many triggers fired (each created a task).
    pub fired: i32,
}

#[derive(Default)]
pub struct TriggerSweepMutation;

#[Object]
impl TriggerSweepMutation {
    /// Checks the time-driven triggers (CONTRACT_ENDING) of the workspace now,
    /// as the server does every `RAPPORT_TRIGGER_SWEEP_SECONDS`; returns how
    /// many fired. Firing is idempotent: a second run fires nothing new.
    async fn run_trigger_sweep(&self, ctx: &Context<'_>) -> ApiResult<TriggerSweepPayload> {
        let actor = writer(ctx, Area::Settings)?;
        let txn = begin(ctx).await?;
        let events = fire::sweep(&txn, actor.workspace_id, now()).await?;
        let fired = events.iter().filter(|e| e.kind == "trigger.fired").count();
        commit(ctx, txn, actor, events).await?;
        Ok(TriggerSweepPayload {
            fired: i32::try_from(fired).unwrap_or(i32::MAX),
        })
    }
}

/// Sweeps every workspace with a time-driven trigger, one transaction each.
pub async fn sweep_all(state: &AppState) -> ApiResult<usize> {
    let at = state.config.clock.now();
    let mut fired = 0;
    for workspace_id in fire::workspaces_to_sweep(&state.db).await? {
        let txn = begin_on(&state.db).await?;
        let events = fire::sweep(&txn, workspace_id, at).await?;
        fired += events.iter().filter(|e| e.kind == "trigger.fired").count();
        let author = Author {
            workspace_id,
            member_id: None,
            api_key_id: None,
        };
        commit_as(state, txn, author, events).await?;
    }
    Ok(fired)
}

/// Sweeps every `every` until the server stops.
pub async fn sweep_periodically(state: AppState, every: Duration, shutdown: CancellationToken) {
    // The first sweep waits one interval: a starting server has nothing new to fire.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match sweep_all(&state).await {
            Ok(0) => {}
            Ok(fired) => tracing::info!(fired, "time-driven triggers fired"),
            Err(error) => tracing::warn!(?error, "trigger sweep failed"),
        }
    }
}
