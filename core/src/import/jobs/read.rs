//! Reading a job's file on a blocking thread and handing its rows over in
//! batches, after the rows earlier runs committed.

use std::io::BufReader;

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::file::ChunkReader;
use crate::import::{Format, ReadRow, Rows, Unreadable, sort_rows};

/// What the reader hands over, in order: the header, then batches.
pub enum Read {
    /// The CSV header's columns (empty for JSON Lines).
    Header(Vec<String>),
    Batch(Vec<ReadRow>),
    /// The file cannot be read at all (its header).
    Refused(Unreadable),
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
pub fn spawn(db: DatabaseConnection, job_id: Uuid, plan: Plan) -> mpsc::Receiver<Read> {
    let (sender, receiver) = mpsc::channel(2);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let input = BufReader::with_capacity(1 << 16, ChunkReader::new(db, runtime, job_id));
        let mut rows = match Rows::open(Box::new(input), plan.format) {
            Ok(rows) => rows,
            Err(unreadable) => {
                let _ = sender.blocking_send(Read::Refused(unreadable));
                return;
            }
        };
        if sender
            .blocking_send(Read::Header(rows.header().to_vec()))
            .is_err()
        {
            return;
        }
        let skip = usize::try_from(plan.skip).unwrap_or(usize::MAX);
        let mut rows: Box<dyn Iterator<Item = ReadRow>> = match plan.ordered_by {
            // Numbers follow time: every row is read and sorted first (the
            // sort is stable, so a resumed run sees the same order).
            Some(column) => {
                let mut all: Vec<ReadRow> = rows.by_ref().collect();
                sort_rows(&mut all, column);
                Box::new(all.into_iter().skip(skip))
            }
            None => Box::new(rows.skip(skip)),
        };
        loop {
            let batch: Vec<ReadRow> = rows.by_ref().take(plan.batch_rows).collect();
            // A closed receiver means the run stopped: stop reading.
            if batch.is_empty() || sender.blocking_send(Read::Batch(batch)).is_err() {
                return;
            }
        }
    });
    receiver
}
