//! The shape every write shares: one transaction holding the change, its
//! history and its outbox events, then publish after commit.

use chrono::{DateTime, SubsecRound, Utc};
use entity::event;
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use uuid::Uuid;

use super::{Core, Table, claim, derived, event_for};
use crate::access::Actor;
use crate::error::CoreResult;
use crate::events::{self, NewEvent};
use crate::metrics::Metrics;

/// Now, at the microsecond precision both databases keep, so that a value
/// read back equals the value written (cursors compare them).
pub fn now() -> DateTime<Utc> {
    crate::clock::now().trunc_subsecs(6)
}

/// A transaction on `db`. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that reads and then writes fails with
/// SQLITE_BUSY when another writer committed in between, whereas an
/// immediate one waits its turn (the busy timeout).
pub async fn begin(db: &DatabaseConnection) -> CoreResult<DatabaseTransaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    Ok(db.begin_with_options(options).await?)
}

/// Who a committed change is recorded as made by: a member (possibly through
/// an API key), or nobody for the server's own work (trigger sweeps).
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub workspace_id: Uuid,
    pub member_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
}

impl Author {
    /// Of a member's request.
    pub fn of(actor: &Actor) -> Self {
        Author {
            workspace_id: actor.workspace_id,
            member_id: Some(actor.member_id),
            api_key_id: actor.api_key_id,
        }
    }

    /// The server itself, working in `workspace_id`.
    pub fn server(workspace_id: Uuid) -> Self {
        Author {
            workspace_id,
            member_id: None,
            api_key_id: None,
        }
    }

    /// The author of changes made `at`.
    pub fn made(self, at: DateTime<Utc>) -> events::history::Made {
        events::history::Made {
            workspace_id: self.workspace_id,
            member_id: self.member_id,
            api_key_id: self.api_key_id,
            at,
        }
    }
}

impl Core {
    /// A transaction on the core's database (see [`begin`]); the wait for
    /// it (a pooled connection, then BEGIN, on SQLite the write lock) is measured.
    pub async fn begin(&self) -> CoreResult<DatabaseTransaction> {
        let started = std::time::Instant::now();
        let txn = begin(&self.db).await;
        self.metrics
            .labelled
            .transaction_starts
            .observe(started.elapsed().as_secs_f64());
        txn
    }

    /// Writes `events` in `txn`, commits, then publishes them.
    pub async fn commit(
        &self,
        txn: DatabaseTransaction,
        author: Author,
        events: Vec<NewEvent>,
    ) -> CoreResult<()> {
        self.commit_after(txn, author, Vec::new(), events).await
    }

    /// Commits `txn` holding `recorded` (events already written in it, e.g.
    /// by a numbered create) and `events`, then publishes all of them in order.
    ///
    /// History is written before the events take their numbers: those numbers
    /// lock the workspace row until the commit, so the fewer statements run
    /// after them, the shorter concurrent writers of the workspace wait.
    pub async fn commit_after(
        &self,
        txn: DatabaseTransaction,
        author: Author,
        mut recorded: Vec<event::Model>,
        events: Vec<NewEvent>,
    ) -> CoreResult<()> {
        let made = author.made(now());
        // The request's Idempotency-Key commits with its first write, or not at all.
        let staked = claim::stake(&txn).await?;
        // `recorded` comes from a numbered create, whose one statement
        // wrote its record's search document already.
        let mut touched = derived::Touched::default();
        for e in &events {
            touched.event(e.record_type, &e.kind, e.record_id);
        }
        derived::refresh(&txn, made.workspace_id, &touched).await?;
        events::history::record(&txn, made, &events).await?;
        let stored =
            events::record(&txn, made.workspace_id, made.member_id, made.at, events).await?;
        txn.commit().await?;
        claim::committed(staked);
        recorded.extend(stored);
        self.publish(&recorded);
        Ok(())
    }

    /// Commits `txn` holding the change of `row` with its `T.<verb>` event,
    /// and returns the row: how most operations end.
    pub async fn finish<T: Table>(
        &self,
        txn: DatabaseTransaction,
        actor: &Actor,
        row: T::Model,
        verb: &str,
    ) -> CoreResult<T::Model> {
        let event = event_for::<T>(&row, verb)?;
        self.commit(txn, Author::of(actor), vec![event]).await?;
        Ok(row)
    }

    /// Runs `write`, an operation made to share its caller's transaction
    /// (`create_in`, `update_in`, …), in a transaction of its own, then
    /// commits its event as `actor`'s: the one-record form of each.
    pub async fn alone<R>(
        &self,
        actor: &Actor,
        write: impl AsyncFnOnce(&DatabaseTransaction) -> CoreResult<(R, NewEvent)>,
    ) -> CoreResult<R> {
        let txn = self.begin().await?;
        let (row, event) = write(&txn).await?;
        self.commit(txn, Author::of(actor), vec![event]).await?;
        Ok(row)
    }

    /// Publishes committed events on the bus.
    pub fn publish(&self, stored: &[event::Model]) {
        for _ in stored {
            Metrics::inc(&self.metrics.events_published);
        }
        self.bus.publish(stored);
    }
}
