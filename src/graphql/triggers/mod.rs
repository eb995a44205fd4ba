//! Triggers through GraphQL: their rules, the sweep on demand, and the
//! `triggerFired` subscription. When each kind fires is the core's
//! `rules::triggers`.

mod live;
mod rule;

use async_graphql::{Context, Object, SimpleObject};

pub use live::TriggerSubscription;
pub use rule::{TriggerRule, TriggerRuleMutation, TriggerRuleOrderField, TriggerRuleQuery};

use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use rapport_core::ops::trigger;
pub use rapport_core::rules::triggers::fire;

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
        let (core, actor) = acting(ctx, Area::Settings)?;
        let fired = trigger::sweep(core, actor).await?;
        Ok(TriggerSweepPayload {
            fired: i32::try_from(fired).unwrap_or(i32::MAX),
        })
    }
}
