//! What a row's writer works with: its savepoint, the actor, the import's
//! source and conflict rule, and the clock it moves to each historic time.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::OnConflict;
use super::links::Links;
use super::written::Written;
use crate::access::Actor;
use crate::clock::Clock;
use crate::error::CoreResult;
use crate::events::{NewEvent, history};
use crate::store::Author;

/// What a row's writer works with: its savepoint, the actor, and the clock
/// it moves to each historic time.
pub struct RowContext<'a> {
    pub txn: &'a DatabaseTransaction,
    pub actor: &'a Actor,
    pub source: &'a str,
    pub on_conflict: OnConflict,
    pub(super) clock: Clock,
    pub(super) written: &'a Mutex<Written>,
}

impl RowContext<'_> {
    /// Moves the row's clock to `at` (the operations then act at that time).
    pub fn at(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    /// Records history for `events` at the clock's time, as the commit
    /// would have; their topics get the batch's summary event.
    pub async fn record(&self, events: Vec<NewEvent>) -> CoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let made = Author::of(self.actor).made(crate::store::now());
        history::record(self.txn, made, &events).await?;
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        written.add(events);
        Ok(())
    }

    pub fn links(&self) -> Links<'_> {
        Links {
            txn: self.txn,
            actor: self.actor,
            source: self.source,
        }
    }
}
