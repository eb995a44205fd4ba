//! Arrival-order admission to a workspace's counter row.
//!
//! Every write that numbers something in a workspace (a ticket, an event)
//! locks that workspace's row until it commits, so those writes run one at a
//! time however many connections the pool has. Left to PostgreSQL, all the
//! waiters sit on the row lock: each commit wakes them, one wins, the rest
//! queue again behind it, which costs lock-manager time and serves them in no
//! particular order. Writes that can wait before they hold any lock queue here
//! instead, in arrival order, with at most [`AT_THE_ROW`] of them at the
//! database, so that the next one is already waiting on the row when the
//! holder commits.
//!
//! This is per process only: several instances still meet at the row lock,
//! which is what keeps the numbers dense and right.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

/// Writes of one workspace let through to the database at once: the one
/// holding the row and the one next in line.
const AT_THE_ROW: usize = 2;
/// Past this many workspaces, lanes nobody holds are dropped on the next admission.
const LANES_KEPT: usize = 1024;

/// The per-workspace queues of one process.
#[derive(Default)]
pub struct CounterQueue {
    lanes: Mutex<HashMap<Uuid, Arc<Semaphore>>>,
}

/// A place at the database for one write; the next in line goes when it drops.
pub struct Admission {
    _permit: Option<OwnedSemaphorePermit>,
}

impl CounterQueue {
    /// Waits, in arrival order, until a write to `workspace`'s counters may go
    /// to the database. Call it before the write holds any lock: a write that
    /// already holds rows could wait here on one that waits on it.
    pub async fn admit(&self, workspace: Uuid) -> Admission {
        let lane = {
            let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
            if lanes.len() >= LANES_KEPT {
                lanes.retain(|_, lane| Arc::strong_count(lane) > 1);
            }
            lanes
                .entry(workspace)
                .or_insert_with(|| Arc::new(Semaphore::new(AT_THE_ROW)))
                .clone()
        };
        // The semaphore is never closed; if it were, the write would simply
        // go without waiting.
        Admission {
            _permit: lane.acquire_owned().await.ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Whether `admission` is still waiting after the runtime had a chance to run it.
    async fn waits<F: std::future::Future>(admission: F) -> bool {
        tokio::time::timeout(Duration::from_millis(50), admission)
            .await
            .is_err()
    }

    #[tokio::test]
    async fn lets_two_writes_of_a_workspace_through_and_holds_the_third() {
        let queue = CounterQueue::default();
        let workspace = Uuid::now_v7();
        let first = queue.admit(workspace).await;
        let _second = queue.admit(workspace).await;
        assert!(waits(queue.admit(workspace)).await);
        // Another workspace has its own lane.
        let _elsewhere = queue.admit(Uuid::now_v7()).await;
        drop(first);
        assert!(!waits(queue.admit(workspace)).await);
    }

    #[tokio::test]
    async fn admits_waiting_writes_in_arrival_order() {
        let queue = Arc::new(CounterQueue::default());
        let workspace = Uuid::now_v7();
        let held = [queue.admit(workspace).await, queue.admit(workspace).await];
        let (sent, mut admitted) = tokio::sync::mpsc::unbounded_channel();
        let mut waiting = Vec::new();
        for arrival in 0..8 {
            let (queue, sent) = (queue.clone(), sent.clone());
            waiting.push(tokio::spawn(async move {
                let admission = queue.admit(workspace).await;
                sent.send(arrival).expect("the test is listening");
                // Held a moment, so the next one in line is let in by this drop.
                tokio::task::yield_now().await;
                drop(admission);
            }));
            // Each has queued before the next arrives.
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(held);
        for task in waiting {
            task.await.expect("the waiter ran");
        }
        drop(sent);
        let mut order = Vec::new();
        while let Some(arrival) = admitted.recv().await {
            order.push(arrival);
        }
        assert_eq!(order, (0..8).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn forgets_lanes_nobody_holds_once_there_are_many() {
        let queue = CounterQueue::default();
        for _ in 0..LANES_KEPT {
            drop(queue.admit(Uuid::now_v7()).await);
        }
        let _held = queue.admit(Uuid::now_v7()).await;
        let lanes = queue.lanes.lock().expect("not poisoned").len();
        assert!(lanes <= 2, "{lanes} lanes kept");
    }
}
