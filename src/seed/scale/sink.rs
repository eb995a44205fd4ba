//! Where the rows go: one transaction for the whole seed (all or nothing),
//! filled by the generator in batches (COPY text for PostgreSQL, bound
//! values for SQLite, which takes at most 32,766 per statement), and the
//! rows per second each table went in at.

use std::time::{Duration, Instant};

use sea_orm::sqlx;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait, Value};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::references;
use super::row::{Cell, Table};
use super::store::{Batch, copy_all, encode, insert_all, value};

/// Bytes buffered before they are sent to PostgreSQL.
const COPY_CHUNK: usize = 1 << 20;
/// Values bound per SQLite statement (its limit is 32,766).
const SQLITE_VALUES: usize = 30_000;
/// The page cache of the seed's SQLite connection, in KiB.
const SQLITE_CACHE_KIB: u32 = 512 * 1024;
/// How often a long table reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// The seed's transaction, fed by the generator through a bounded channel:
/// the next batch is generated while the database takes the last one.
pub struct Sink {
    batches: mpsc::Sender<Batch>,
    writer: tokio::task::JoinHandle<anyhow::Result<()>>,
    postgres: bool,
    pub rows: u64,
    started: Instant,
}

impl Sink {
    /// Begins the seed's transaction. `in_a_set`: one of many workspaces,
    /// whose foreign keys are checked row by row: checking once before the
    /// commit reads every workspace's rows (1.6 s each beside a workspace of
    /// 100,000 contacts, against a few milliseconds row by row).
    pub async fn begin(db: &DatabaseConnection, in_a_set: bool) -> anyhow::Result<Self> {
        let (batches, received) = mpsc::channel(4);
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let writer = if postgres {
            let deferred = !in_a_set && references::may_defer(db).await;
            let mut txn = db.get_postgres_connection_pool().begin().await?;
            // The server's pool bounds statements by the request time
            // limit; a COPY of a million rows takes longer.
            sqlx::query("SET LOCAL statement_timeout = 0")
                .execute(&mut *txn)
                .await?;
            if deferred {
                references::defer(&mut txn).await?;
                tracing::info!("foreign keys are checked once, before the commit");
            } else if !in_a_set {
                tracing::info!(
                    "foreign keys are checked row by row (slower): the role may not set session_replication_role"
                );
            }
            tokio::spawn(copy_all(txn, received, deferred))
        } else {
            let txn = db.begin().await?;
            // SQLite keeps a transaction's changed pages in its page cache
            // (2 MB by default) and spills them to disk mid-transaction
            // when it is full: indexes of a million rows change far more.
            txn.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"))
                .await?;
            tokio::spawn(insert_all(txn, received))
        };
        Ok(Self {
            batches,
            writer,
            postgres,
            rows: 0,
            started: Instant::now(),
        })
    }

    /// Starts writing `table`.
    pub fn table(&mut self, table: &'static Table) -> Writer<'_> {
        Writer {
            sink: self,
            table,
            text: Vec::with_capacity(COPY_CHUNK + 4096),
            values: Vec::new(),
            pending: 0,
            rows: 0,
            started: Instant::now(),
            reported: Instant::now(),
        }
    }

    async fn send(&mut self, batch: Batch) -> anyhow::Result<()> {
        if self.batches.send(batch).await.is_err() {
            // The writer stopped: its error says why.
            return Err(self.stopped().await);
        }
        Ok(())
    }

    async fn stopped(&mut self) -> anyhow::Error {
        match (&mut self.writer).await {
            Ok(Err(error)) => error,
            Ok(Ok(())) => anyhow::anyhow!("the seed's writer stopped early"),
            Err(panic) => anyhow::anyhow!("the seed's writer failed: {panic}"),
        }
    }

    /// Computes `workspace`'s stored figures and commits everything;
    /// returns how long the seed took. With `analyze` the planner's
    /// statistics are gathered first (the refresh's plans need them); a
    /// workspace written beside others of its kind, whose statistics the
    /// tables hold already, skips it (ANALYZE reads every table, a second
    /// or more each time beside a large workspace).
    pub async fn commit(mut self, workspace: Uuid, analyze: bool) -> anyhow::Result<Duration> {
        self.send(Batch::Commit { workspace, analyze }).await?;
        drop(self.batches);
        self.writer.await??;
        Ok(self.started.elapsed())
    }
}

/// Rows of one table on their way in.
pub struct Writer<'s> {
    sink: &'s mut Sink,
    table: &'static Table,
    /// COPY text not sent yet (PostgreSQL).
    text: Vec<u8>,
    /// Values not sent yet (SQLite).
    values: Vec<Value>,
    /// Rows in `text` or `values`.
    pending: usize,
    rows: u64,
    started: Instant,
    reported: Instant,
}

impl Writer<'_> {
    pub async fn row(&mut self, cells: &[Cell<'_>]) -> anyhow::Result<()> {
        debug_assert_eq!(cells.len(), self.table.columns.len(), "{}", self.table.name);
        let full = if self.sink.postgres {
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    self.text.push(b'\t');
                }
                encode(&mut self.text, cell);
            }
            self.text.push(b'\n');
            self.text.len() >= COPY_CHUNK
        } else {
            self.values.extend(cells.iter().map(value));
            self.values.len() + cells.len() > SQLITE_VALUES
        };
        self.pending += 1;
        self.rows += 1;
        if full {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.pending == 0 {
            return Ok(());
        }
        let (table, rows) = (self.table, self.pending);
        let batch = if self.sink.postgres {
            let text = std::mem::replace(&mut self.text, Vec::with_capacity(COPY_CHUNK + 4096));
            Batch::Copy { table, text, rows }
        } else {
            let values = std::mem::take(&mut self.values);
            Batch::Insert {
                table,
                values,
                rows,
            }
        };
        self.sink.send(batch).await?;
        self.pending = 0;
        if self.reported.elapsed() >= PROGRESS_EVERY {
            self.reported = Instant::now();
            tracing::info!(
                table = self.table.name,
                rows = self.rows,
                rows_per_second = per_second(self.rows, self.started.elapsed()),
                "seeding"
            );
        }
        Ok(())
    }

    /// Sends what is left and reports the table.
    pub async fn finish(mut self) -> anyhow::Result<u64> {
        self.flush().await?;
        let took = self.started.elapsed();
        tracing::info!(
            table = self.table.name,
            rows = self.rows,
            seconds = took.as_secs_f64(),
            rows_per_second = per_second(self.rows, took),
            "table seeded"
        );
        self.sink.rows += self.rows;
        Ok(self.rows)
    }
}

pub fn per_second(rows: u64, took: Duration) -> u64 {
    (rows as f64 / took.as_secs_f64().max(1e-6)) as u64
}
