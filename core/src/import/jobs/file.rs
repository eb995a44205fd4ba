//! A job's file, read back from its chunks one at a time (constant memory
//! whatever its size). Reading is synchronous, as the CSV reader is: it runs
//! on a blocking thread and waits on the database through the runtime.
//!
//! A database failure must not pass for the end or a bad byte of the file
//! (the CSV reader would refuse a row, or stop as if the file had ended, and
//! the job would succeed without its last rows): it is kept in a
//! [`Failure`] slot the reader looks at before handing rows over.

use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

use entity::import_job_chunk;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::runtime::Handle;
use uuid::Uuid;

/// Where a [`ChunkReader`] leaves the database error that stopped it.
#[derive(Clone, Default)]
pub struct Failure(Arc<Mutex<Option<String>>>);

impl Failure {
    /// The error, if reading failed.
    pub fn get(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, error: String) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
    }
}

pub struct ChunkReader {
    db: DatabaseConnection,
    failure: Failure,
    runtime: Handle,
    workspace_id: Uuid,
    job_id: Uuid,
    next_seq: i32,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl ChunkReader {
    /// Must be read on a blocking thread (`spawn_blocking`), never in a task.
    /// `job` is `(workspace, job id)`.
    pub fn new(
        db: DatabaseConnection,
        runtime: Handle,
        job: (Uuid, Uuid),
        failure: Failure,
    ) -> Self {
        Self {
            db,
            failure,
            runtime,
            workspace_id: job.0,
            job_id: job.1,
            next_seq: 0,
            chunk: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            let key = (self.job_id, self.next_seq);
            let found = self
                .runtime
                .block_on(
                    import_job_chunk::Entity::find_by_id(key)
                        .filter(import_job_chunk::Column::WorkspaceId.eq(self.workspace_id))
                        .one(&self.db),
                )
                .map_err(|error| {
                    self.failure
                        .set(format!("reading the file's chunk {}: {error}", key.1));
                    std::io::Error::other(error)
                })?;
            match found {
                Some(chunk) => {
                    self.chunk = chunk.data;
                    self.at = 0;
                    self.next_seq += 1;
                }
                None => self.done = true,
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
