//! Reading a job's file on a blocking thread and handing its rows over in
//! batches, after the rows earlier runs committed.

use std::io::BufReader;

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::file::{ChunkReader, Failure};
use crate::import::{Format, ReadRow, Rows, Unreadable, sort_rows};

/// What the reader hands over, in order: the header, then batches.
pub enum Read {
    /// The CSV header's columns (empty for JSON Lines).
    Header(Vec<String>),
    Batch(Vec<ReadRow>),
    /// The file cannot be read at all (its header).
    Refused(Unreadable),
    /// The database failed while the file was read back: what was read
    /// after it cannot be trusted, so the run stops (the job is retried).
    Failed(String),
}

/// Where to start and how to cut.
pub struct Plan {
    pub format: Format,
    /// The column whose time orders the rows (tickets), if any.
    pub ordered_by: Option<&'static str>,
    /// Rows committed by earlier runs.
    pub skip: u64,
    pub batch_rows: usize,
}

/// Starts reading; two batches are read ahead at most.
pub fn spawn(
    db: DatabaseConnection,
    workspace_id: Uuid,
    job_id: Uuid,
    plan: Plan,
) -> mpsc::Receiver<Read> {
    let (sender, receiver) = mpsc::channel(2);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let failure = Failure::default();
        let chunks = ChunkReader::new(db, runtime, (workspace_id, job_id), failure.clone());
        let input = BufReader::with_capacity(1 << 16, chunks);
        // Checked before anything read is handed over.
        let failed = || failure.get().map(Read::Failed);
        let mut rows = match Rows::open(Box::new(input), plan.format) {
            Ok(rows) => rows,
            Err(unreadable) => {
                let _ = sender.blocking_send(failed().unwrap_or(Read::Refused(unreadable)));
                return;
            }
        };
        let header = failed().unwrap_or_else(|| Read::Header(rows.header().to_vec()));
        let stop = matches!(header, Read::Failed(_));
        if sender.blocking_send(header).is_err() || stop {
            return;
        }
        let skip = usize::try_from(plan.skip).unwrap_or(usize::MAX);
        let mut rows: Box<dyn Iterator<Item = ReadRow>> = match plan.ordered_by {
            // Numbers follow time: every row is read and sorted first (the
            // sort is stable, so a resumed run sees the same order).
            Some(column) => {
                let mut all: Vec<ReadRow> = rows.by_ref().collect();
                if let Some(failed) = failed() {
                    let _ = sender.blocking_send(failed);
                    return;
                }
                sort_rows(&mut all, column);
                Box::new(all.into_iter().skip(skip))
            }
            None => Box::new(rows.skip(skip)),
        };
        loop {
            let batch: Vec<ReadRow> = rows.by_ref().take(plan.batch_rows).collect();
            if let Some(failed) = failed() {
                let _ = sender.blocking_send(failed);
                return;
            }
            // A closed receiver means the run stopped: stop reading.
            if batch.is_empty() || sender.blocking_send(Read::Batch(batch)).is_err() {
                return;
            }
        }
    });
    receiver
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Database};

    /// The first message past an empty header; `None` when reading ended.
    async fn first_read(db: DatabaseConnection, format: Format) -> Option<Read> {
        let plan = Plan {
            format,
            ordered_by: None,
            skip: 0,
            batch_rows: 10,
        };
        let mut reading = spawn(db, Uuid::now_v7(), Uuid::now_v7(), plan);
        // A JSON Lines file has no header to read: its (empty) header comes first.
        loop {
            match reading.recv().await {
                Some(Read::Header(columns)) if columns.is_empty() => continue,
                read => return read,
            }
        }
    }

    /// A database that cannot give the file back (here: it has no chunk
    /// table) stops the run; it is never taken for a file that ends or a
    /// row that cannot be read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_database_failure_is_not_the_files_fault() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        for format in [Format::Csv, Format::JsonLines] {
            match first_read(db.clone(), format).await.expect("a message") {
                Read::Failed(error) => assert!(error.contains("chunk 0"), "{error}"),
                Read::Header(columns) => {
                    panic!("read a header from a failed database: {columns:?}")
                }
                Read::Batch(_) => panic!("read rows from a failed database"),
                Read::Refused(unreadable) => panic!("blamed the file: {}", unreadable.message),
            }
        }
        // With the table there, an empty file is a file (no failure).
        db.execute_unprepared(
            "CREATE TABLE import_job_chunk (job_id uuid, seq integer, workspace_id uuid, data blob, PRIMARY KEY (job_id, seq))",
        )
        .await
        .expect("table");
        for format in [Format::Csv, Format::JsonLines] {
            let read = first_read(db.clone(), format).await;
            assert!(!matches!(read, Some(Read::Failed(_))));
        }
    }
}
