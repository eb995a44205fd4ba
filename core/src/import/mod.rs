//! Imports: a customer base brought in from CSV or JSON Lines files with its
//! history. The engine takes rows and gives back one outcome per row, batch
//! by batch, so any door can drive it (the `rapport import` command now, a
//! background job later) and show progress between batches.
//!
//! # How a row is written
//!
//! Through the same operations the API calls (`create_in`, `move_in`,
//! `close_in`, `set_status_in`), each run at the row's own historic time on
//! a manual [`clock`](crate::clock): a deal created in March and won in June
//! gets its stage history, stay times and stored figures exactly as if it
//! had been written through the API in March and June. Each row runs in a
//! savepoint inside its batch's transaction: it is written whole or not at
//! all, and a refused row costs no other row anything. Company and contact
//! rows that simply create a record take a quicker way to the same result
//! ([`bulk`]): checked in memory, written with multi-row statements.
//!
//! # What live consumers see
//!
//! An import records a history entry for every change (at its historic
//! time), but it does not put one outbox event per record on the feed: a
//! 100,000-row import would send 100,000 messages to every pipeline board.
//! Instead each committed batch records one `import.committed` event per
//! topic it touched (`pipeline:<id>`, `ticket`, `contact`, …) with the
//! batch's counts; dashboards recompute on it, lists refetch. Triggers fire
//! as they would have (their firings are written) but send no events.

mod activities;
mod bulk;
mod catalogue;
mod cells;
mod context;
mod deals;
mod engagements;
mod exported;
pub mod jobs;
mod links;
mod people;
mod purchases;
mod quotes;
pub mod read;
mod refusal;
mod statistics;
mod tickets;
mod touches;
mod types;
mod written;

use std::collections::BTreeSet;
use std::sync::Mutex;

use chrono::Utc;
use entity::enums::Role;
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use crate::access::Actor;
use crate::clock::{self, Clock};
use crate::error::{CoreError, CoreResult};
use crate::events::{self, NewEvent};
use crate::store::{Author, Core, derived, new_id};
use written::Written;

pub use cells::{Cells, parse_time};
use context::RowContext;
pub use read::{Format, ReadRow, Rows, SourceRow, Unreadable};
pub use refusal::Refusal;
pub use types::ImportType;

/// What to do with a row whose record exists (matched by external id, then
/// by email for contacts and domain for companies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Leave the record as it is.
    Skip,
    /// Write the row over it (companies and contacts; other records keep
    /// their history and are left as they are).
    Update,
    /// Refuse the row (`CONFLICT`).
    Error,
}

/// How an import runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub ty: ImportType,
    pub on_conflict: OnConflict,
    /// Whose ids `externalId` and `…ExternalId` columns are.
    pub source: String,
    /// Check every row, write nothing.
    pub dry_run: bool,
    /// Columns to leave unread (reported, not guessed, otherwise).
    pub ignored_columns: Vec<String>,
}

/// What became of one row.
#[derive(Debug, Clone)]
pub enum Outcome {
    Created,
    Updated,
    /// It matched a record that already says the same.
    Unchanged,
    /// It matched a record and was left alone.
    Skipped,
    Refused(Refusal),
}

/// One row's outcome, by its line in the file.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub line: u64,
    pub outcome: Outcome,
}

/// Rows so far, by outcome.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub refused: u64,
}

impl Tally {
    pub fn rows(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.skipped + self.refused
    }

    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Created => self.created += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Refused(_) => self.refused += 1,
        }
    }
}

/// Drives one import: rows in, batch by batch; outcomes out.
pub struct Importer {
    core: Core,
    actor: Actor,
    options: Options,
    /// Names the import in its events.
    pub id: Uuid,
    tally: Tally,
    statistics: statistics::Statistics,
}

impl Importer {
    /// An import into `actor`'s workspace; only an ADMIN imports.
    pub fn new(core: Core, actor: Actor, options: Options) -> CoreResult<Self> {
        if actor.role != Role::Admin {
            return Err(CoreError::Forbidden("only an ADMIN imports".into()));
        }
        let source = options.source.trim();
        if source.is_empty() || source.chars().count() > crate::ops::external_id::SOURCE_MAX {
            return Err(CoreError::bad_input(
                "source",
                "must be 1 to 100 characters",
            ));
        }
        Ok(Self {
            core,
            actor,
            options,
            id: new_id(),
            tally: Tally::default(),
            statistics: statistics::Statistics::default(),
        })
    }

    /// The header's columns this type does not know and the options do not
    /// ignore: reported, never guessed at.
    pub fn unknown_columns(&self, header: &[String]) -> Vec<String> {
        exported::header(self.options.ty, header)
            .iter()
            .filter(|c| !self.is_known(c))
            .cloned()
            .collect()
    }

    fn is_known(&self, column: &str) -> bool {
        self.options.ty.columns().contains(&column)
            || self.options.ignored_columns.iter().any(|c| c == column)
            || (self.options.ty.has_custom_fields()
                && column.len() > cells::CUSTOM_FIELD_PREFIX.len()
                && column.starts_with(cells::CUSTOM_FIELD_PREFIX))
    }

    /// The rows so far, by outcome.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// Writes `rows` in one transaction, each in its own savepoint, and
    /// commits them (a dry run rolls back). An error here (the database
    /// went away) undoes the whole batch; refusals are per row.
    pub async fn write_batch(&mut self, rows: Vec<ReadRow>) -> CoreResult<Vec<RowResult>> {
        self.write_batch_then(rows, async |_, _| Ok(())).await
    }

    /// Like [`Self::write_batch`], and `then` writes in the transaction the
    /// batch commits in (a dry run's own, after the batch rolled back): a
    /// job's progress is saved exactly when its batch is, never one without
    /// the other.
    pub async fn write_batch_then(
        &mut self,
        rows: Vec<ReadRow>,
        then: impl AsyncFnOnce(&DatabaseTransaction, &[RowResult]) -> CoreResult<()>,
    ) -> CoreResult<Vec<RowResult>> {
        let ty = self.options.ty;
        let rows: Vec<ReadRow> = rows
            .into_iter()
            .map(|row| {
                row.map(|row| SourceRow {
                    line: row.line,
                    values: exported::row(ty, row.values),
                })
            })
            .collect();
        let txn = self.core.begin().await?;
        let written = Mutex::new(Written::default());
        let mut results = Vec::with_capacity(rows.len());
        let mut batch = Tally::default();
        let quick = bulk::Batch {
            txn: &txn,
            actor: &self.actor,
            source: self.options.source.trim(),
            ty: self.options.ty,
            rows: rows
                .iter()
                .map(|row| {
                    let row = row.as_ref().ok()?;
                    row.values.keys().all(|c| self.is_known(c)).then_some(row)
                })
                .collect(),
            written: &written,
        }
        .write_quick()
        .await?;
        for (row, quick) in rows.into_iter().zip(quick) {
            let (line, outcome) = match row {
                Err(unreadable) => (
                    unreadable.line,
                    Outcome::Refused(Refusal::unreadable(unreadable.message)),
                ),
                Ok(row) if quick => (row.line, Outcome::Created),
                Ok(row) => (row.line, self.write_row(&txn, &row, &written).await?),
            };
            batch.add(&outcome);
            results.push(RowResult { line, outcome });
        }
        if self.options.dry_run {
            txn.rollback().await?;
            let progress = self.core.begin().await?;
            then(&progress, &results).await?;
            progress.commit().await?;
        } else {
            let written = written.into_inner().unwrap_or_else(|p| p.into_inner());
            derived::refresh(&txn, self.actor.workspace_id, &written.touched).await?;
            let stored = self.summary_events(&txn, written.topics, batch).await?;
            then(&txn, &results).await?;
            txn.commit().await?;
            self.core.publish(&stored);
            let counted = &self.core.metrics.labelled;
            counted.imported("created", batch.created);
            counted.imported("updated", batch.updated);
            counted.imported("unchanged", batch.unchanged);
            counted.imported("skipped", batch.skipped);
            counted.imported("refused", batch.refused);
        }
        for result in &results {
            self.tally.add(&result.outcome);
        }
        if !self.options.dry_run {
            let created = self.tally.created;
            self.statistics
                .keep_up(&self.core, self.options.ty, created)
                .await?;
        }
        Ok(results)
    }

    /// One row in a savepoint of `txn`: kept when written, undone when refused.
    async fn write_row(
        &self,
        txn: &DatabaseTransaction,
        row: &SourceRow,
        written: &Mutex<Written>,
    ) -> CoreResult<Outcome> {
        if let Some(column) = row.values.keys().find(|c| !self.is_known(c)) {
            return Ok(Outcome::Refused(Refusal::bad_input(
                column,
                "is not a column of this import",
            )));
        }
        let savepoint = txn.begin().await?;
        let clock = Clock::manual(Utc::now());
        let context = RowContext {
            txn: &savepoint,
            actor: &self.actor,
            source: self.options.source.trim(),
            on_conflict: self.options.on_conflict,
            clock: clock.clone(),
            written,
        };
        let cells = Cells::new(&row.values);
        let written = clock::scope(clock, async {
            match self.options.ty {
                ImportType::Companies => people::company(&context, &cells).await,
                ImportType::Contacts => people::contact(&context, &cells).await,
                ImportType::Deals => deals::write(&context, &cells).await,
                ImportType::Tickets => tickets::write(&context, &cells).await,
                ImportType::Activities => activities::write(&context, &cells).await,
                ImportType::Orders => purchases::order(&context, &cells).await,
                ImportType::SurveyResponses => purchases::survey_response(&context, &cells).await,
                ImportType::Engagements => engagements::write(&context, &cells).await,
                ImportType::Products => catalogue::write(&context, &cells).await,
            }
        })
        .await;
        match written {
            Ok(Outcome::Unchanged | Outcome::Skipped) | Err(_) => {
                savepoint.rollback().await?;
            }
            Ok(_) => savepoint.commit().await?,
        }
        match written {
            Ok(outcome) => Ok(outcome),
            Err(refusal) => refusal.into_outcome(),
        }
    }

    /// One `import.committed` event per topic the batch touched.
    async fn summary_events(
        &self,
        txn: &DatabaseTransaction,
        topics: BTreeSet<String>,
        batch: Tally,
    ) -> CoreResult<Vec<entity::event::Model>> {
        if batch.created + batch.updated == 0 {
            return Ok(Vec::new());
        }
        let payload = json!({
            "importId": self.id,
            "type": self.options.ty.name(),
            "created": batch.created,
            "updated": batch.updated,
        });
        let summaries = topics
            .into_iter()
            .map(|topic| NewEvent {
                topic,
                kind: "import.committed".into(),
                record_type: "Import",
                record_id: self.id,
                payload: payload.clone(),
                new_record: false,
            })
            .collect();
        let author = Author::of(&self.actor);
        let at = crate::store::now();
        Ok(events::record(txn, author.workspace_id, author.member_id, at, summaries).await?)
    }
}

/// Sorts rows by the time in `column` (rows without a readable one last, in
/// file order), for types whose numbering follows time.
pub fn sort_rows(rows: &mut [ReadRow], column: &str) {
    rows.sort_by_key(|row| {
        let at = row
            .as_ref()
            .ok()
            .and_then(|r| r.values.get(column))
            .and_then(|v| v.as_str())
            .and_then(parse_time);
        (at.is_none(), at)
    });
}
