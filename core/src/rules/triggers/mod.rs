//! Triggers: rules that create a task for the owner, and publish a
//! `trigger.fired` event, when a customer needs attention. See [`fire`]
//! for when each kind fires; time comes from the server's clock, so tests
//! move it instead of waiting.

pub mod fire;

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::error::CoreResult;
use crate::store::across::across_workspaces;
use crate::store::{Author, Core};

/// Sweeps every workspace with a time-driven trigger at `clock`'s time, one
/// transaction each, as the server itself; returns how many fired.
pub async fn sweep_all(core: &Core, clock: &Clock) -> CoreResult<usize> {
    let at = clock.now();
    let mut fired = 0;
    // Which workspaces have a rule to sweep asks every one (on Citus, every
    // node); each sweep then runs in its own workspace.
    let workspaces = across_workspaces(&core.db, fire::workspaces_to_sweep).await?;
    for workspace_id in workspaces {
        let txn = core.begin().await?;
        let events = fire::sweep(&txn, workspace_id, at).await?;
        fired += events.iter().filter(|e| e.kind == "trigger.fired").count();
        core.commit(txn, Author::server(workspace_id), events)
            .await?;
    }
    Ok(fired)
}

/// Sweeps every `every` until `shutdown`.
pub async fn sweep_periodically(
    core: Core,
    clock: Clock,
    every: Duration,
    shutdown: CancellationToken,
) {
    // The first sweep waits one interval: a starting server has nothing new to fire.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match sweep_all(&core, &clock).await {
            Ok(0) => {}
            Ok(fired) => tracing::info!(fired, "time-driven triggers fired"),
            Err(error) => tracing::warn!(?error, "trigger sweep failed"),
        }
    }
}
