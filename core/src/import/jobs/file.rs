//! A job's file, read back from its chunks one at a time (constant memory
//! whatever its size). Reading is synchronous, as the CSV reader is: it runs
//! on a blocking thread and waits on the database through the runtime.

use std::io::Read;

use entity::import_job_chunk;
use sea_orm::{DatabaseConnection, EntityTrait};
use tokio::runtime::Handle;
use uuid::Uuid;

pub struct ChunkReader {
    db: DatabaseConnection,
    runtime: Handle,
    job_id: Uuid,
    next_seq: i32,
    chunk: Vec<u8>,
    at: usize,
    done: bool,
}

impl ChunkReader {
    /// Must be read on a blocking thread (`spawn_blocking`), never in a task.
    pub fn new(db: DatabaseConnection, runtime: Handle, job_id: Uuid) -> Self {
        Self {
            db,
            runtime,
            job_id,
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
                .block_on(import_job_chunk::Entity::find_by_id(key).one(&self.db))
                .map_err(std::io::Error::other)?;
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
