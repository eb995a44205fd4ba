//! The delivery worker of one instance. It wakes when events arrive (and
//! every poll interval, for retries and other instances' events), claims
//! endpoints that have work and no live lease, and delivers to each in its
//! own task, at most `concurrency` at once: a slow endpoint holds only its
//! own task. Each task sends the endpoint's events in cursor order and moves
//! the cursor after each 2xx, so a crash repeats at most the event in flight.

use rapport_core::store::across::across_workspaces;
use std::sync::Arc;
use std::time::Duration;

use entity::webhook_endpoint;
use rapport_core::Core;
use rapport_core::error::CoreResult;
use rapport_core::events::outbox;
use rapport_core::metrics::Metrics;
use rapport_core::webhooks::{RetryPolicy, filter, lease, message, outcome};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::Semaphore;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::Sender;
use crate::state::AppState;

/// Events read from the outbox per statement.
const BATCH: u64 = 100;

struct Worker {
    core: Core,
    sender: Sender,
    policy: RetryPolicy,
}

/// Connections of the worker's own pool: tasks hold one only per statement.
const POOL_SIZE: u32 = 4;

/// Starts this instance's delivery until the server shuts down. The worker
/// has its own small pool, so deliveries never wait behind requests for a
/// connection (nor requests behind deliveries), and its statements are not
/// counted with the requests' in `rapport_db_statements_total`.
pub async fn start(state: &AppState) -> anyhow::Result<()> {
    let mut config = (*state.config).clone();
    config.db_pool_size = POOL_SIZE;
    let db = crate::db::connect(&config, Arc::new(Metrics::default())).await?;
    let settings = &state.config.webhooks;
    let worker = Arc::new(Worker {
        core: Core {
            db,
            ..state.core.clone()
        },
        sender: Sender::new(settings)?,
        policy: settings.policy(),
    });
    let shutdown = state.shutdown.clone();
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let poll = Duration::from_millis(settings.poll_ms.max(10));
    let mut events = state.feed.subscribe();
    tokio::spawn(async move {
        tracing::info!("webhook delivery started");
        loop {
            tokio::select! {
                received = events.recv() => {
                    if matches!(received, Err(RecvError::Closed)) {
                        return;
                    }
                    // One look serves every event that arrived meanwhile.
                    while events.try_recv().is_ok() {}
                }
                () = tokio::time::sleep(poll) => {}
                () = shutdown.cancelled() => return,
            }
            if let Err(error) = claim_and_deliver(&worker, &slots).await {
                tracing::warn!(?error, "cannot look for webhook work; will retry");
            }
        }
    });
    Ok(())
}

/// Claims as many due endpoints as there are free slots and starts a task
/// for each one won.
async fn claim_and_deliver(worker: &Arc<Worker>, slots: &Arc<Semaphore>) -> CoreResult<()> {
    let free = slots.available_permits();
    if free == 0 {
        return Ok(());
    }
    let now = rapport_core::store::now();
    let until = now + chrono::Duration::from_std(worker.policy.lease).unwrap_or_default();
    let due = across_workspaces(&worker.core.db, async |txn| {
        lease::due(txn, now, free as u64).await
    })
    .await?;
    for endpoint in due {
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            break;
        };
        // A fresh holder per claim, not one per instance: a task that ends
        // late (its failure already let the endpoint go) must not release
        // the claim a newer task of this instance won meanwhile, or a third
        // would deliver beside it, out of order.
        let holder = Uuid::now_v7();
        if !lease::claim(
            &worker.core.db,
            endpoint.workspace_id,
            endpoint.id,
            holder,
            now,
            until,
        )
        .await?
        {
            continue;
        }
        let worker = worker.clone();
        tokio::spawn(async move {
            let _permit = permit;
            if let Err(error) = deliver(&worker, endpoint.workspace_id, endpoint.id, holder).await {
                tracing::warn!(?error, endpoint = %endpoint.id, "webhook delivery interrupted");
            }
            if let Err(error) =
                lease::release(&worker.core.db, endpoint.workspace_id, endpoint.id, holder).await
            {
                tracing::warn!(%error, endpoint = %endpoint.id, "cannot release a webhook lease");
            }
        });
    }
    Ok(())
}

/// Delivers the events after the endpoint's cursor while `holder` (this
/// claim) holds it; returns when it is caught up, failing, or no longer ours.
async fn deliver(worker: &Worker, workspace_id: Uuid, id: Uuid, holder: Uuid) -> CoreResult<()> {
    let db = &worker.core.db;
    loop {
        let found = webhook_endpoint::Entity::find_by_id(id)
            .filter(webhook_endpoint::Column::WorkspaceId.eq(workspace_id))
            .one(db)
            .await?;
        let Some(mut endpoint) = found else {
            return Ok(());
        };
        if !endpoint.enabled || endpoint.lease_owner != Some(holder) {
            return Ok(());
        }
        let events = outbox::after(db, endpoint.workspace_id, endpoint.cursor, None, BATCH).await?;
        if events.is_empty() {
            return skip_pruned(worker, &endpoint, holder).await;
        }
        for e in events {
            if filter::wants(&endpoint, &e) {
                let message = message::for_event(&e);
                let attempt = worker.sender.send(&endpoint, &message).await;
                worker
                    .core
                    .metrics
                    .labelled
                    .webhook_attempt(attempt.succeeded(), attempt.latency);
                let number = endpoint.failed_attempts + 1;
                outcome::log(db, &endpoint, &message, number, &attempt).await?;
                if !attempt.succeeded() {
                    let reason = attempt.failure();
                    tracing::info!(endpoint = %id, seq = e.seq, %reason, "webhook attempt failed");
                    outcome::failed(&worker.core, &endpoint, holder, &worker.policy, &reason)
                        .await?;
                    return Ok(());
                }
            }
            let until = rapport_core::store::now()
                + chrono::Duration::from_std(worker.policy.lease).unwrap_or_default();
            let from = lease::Position::of(&endpoint);
            if !lease::advance(db, workspace_id, id, holder, from, e.seq, until).await? {
                // Replayed, or the lease ran out and another instance took over.
                return Ok(());
            }
            endpoint.cursor = e.seq;
            endpoint.failed_attempts = 0;
            endpoint.failing_since = None;
        }
    }
}

/// No event after the cursor could be read. Either the next ones were
/// pruned before delivery (skip to the oldest kept, loudly), or they were
/// committed after the read (the next look delivers them): the log bounds,
/// read after the events, tell which. Taking a counter ahead of the cursor
/// as pruning skipped an event committed between the two reads.
async fn skip_pruned(
    worker: &Worker,
    endpoint: &webhook_endpoint::Model,
    holder: Uuid,
) -> CoreResult<()> {
    let bounds = outbox::bounds(&worker.core.db, endpoint.workspace_id).await?;
    if let Some(to) = skip_to(&bounds, endpoint.cursor) {
        tracing::warn!(endpoint = %endpoint.id, from = endpoint.cursor, to,
            "webhook events were pruned before delivery; skipping them");
        let until = rapport_core::store::now()
            + chrono::Duration::from_std(worker.policy.lease).unwrap_or_default();
        lease::advance(
            &worker.core.db,
            endpoint.workspace_id,
            endpoint.id,
            holder,
            lease::Position::of(endpoint),
            to,
            until,
        )
        .await?;
    }
    Ok(())
}

/// Where a cursor must jump when the events after it were pruned: to just
/// before the oldest event kept (or to the last one when none is kept);
/// `None` while every event after it can still be read.
fn skip_to(bounds: &outbox::LogBounds, cursor: i64) -> Option<i64> {
    if bounds.can_replay_after(cursor) {
        return None;
    }
    Some(bounds.oldest_kept.map_or(bounds.last, |oldest| oldest - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(last: i64, oldest_kept: Option<i64>) -> outbox::LogBounds {
        outbox::LogBounds { last, oldest_kept }
    }

    #[test]
    fn only_a_real_gap_in_the_log_is_skipped() {
        // Event 2 committed after the events were read: nothing is skipped.
        assert_eq!(skip_to(&bounds(2, Some(1)), 1), None);
        assert_eq!(skip_to(&bounds(2, Some(2)), 1), None);
        // Events 2 to 4 pruned: deliver from 5.
        assert_eq!(skip_to(&bounds(9, Some(5)), 1), Some(4));
        // Everything pruned.
        assert_eq!(skip_to(&bounds(9, None), 1), Some(9));
        assert_eq!(skip_to(&bounds(1, None), 1), None);
    }
}
