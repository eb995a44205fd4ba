//! Import jobs: an import started through the API and run in the
//! background by whichever instance claims it.
//!
//! The file is stored in the database in chunks with the job row (one
//! transaction: a job exists with its whole file or not at all), so any
//! instance can run it and a restart loses nothing. Each committed batch
//! saves, in its own transaction, how many rows of the file it consumed and
//! the rows it refused: a resumed run skips exactly the rows already
//! written, so every row is written once. A lease (`claimed_by`,
//! `lease_until`, see [`lease`]) keeps two instances from running one job.

mod file;
pub mod lease;
mod read;
mod run;
mod store;

use chrono::{DateTime, Utc};
use entity::import_job;

pub use run::{Runner, run_claimed};
pub use store::{ErrorPage, JobPage, create, errors, get, list, require_admin};

use super::{Format, ImportType, OnConflict};

/// Bytes of the file per stored chunk.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Stored, waiting for an instance to claim it.
    Queued,
    /// Claimed (or waiting for its lease to expire after its runner stopped).
    Running,
    Succeeded,
    /// The file as a whole was refused (its header, unknown columns).
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "QUEUED",
            JobStatus::Running => "RUNNING",
            JobStatus::Succeeded => "SUCCEEDED",
            JobStatus::Failed => "FAILED",
        }
    }

    pub fn of(job: &import_job::Model) -> Self {
        match job.status.as_str() {
            "QUEUED" => JobStatus::Queued,
            "SUCCEEDED" => JobStatus::Succeeded,
            "FAILED" => JobStatus::Failed,
            _ => JobStatus::Running,
        }
    }

    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }
}

/// What a new job imports and how.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub ty: ImportType,
    pub format: Format,
    pub on_conflict: OnConflict,
    pub source: String,
    pub dry_run: bool,
    pub file_name: String,
}

/// A job's counts, as its progress reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub status: JobStatus,
    pub processed: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Progress {
    pub fn of(job: &import_job::Model) -> Self {
        Self {
            status: JobStatus::of(job),
            processed: job.accepted + job.rejected,
            accepted: job.accepted,
            rejected: job.rejected,
            finished_at: job.finished_at,
        }
    }
}

/// The topic of a job's progress events.
pub fn topic(job_id: uuid::Uuid) -> String {
    format!("import:{job_id}")
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::JsonLines => "jsonl",
    }
}

fn format_of(name: &str) -> Format {
    match name {
        "jsonl" => Format::JsonLines,
        _ => Format::Csv,
    }
}

fn conflict_name(on_conflict: OnConflict) -> &'static str {
    match on_conflict {
        OnConflict::Skip => "SKIP",
        OnConflict::Update => "UPDATE",
        OnConflict::Error => "ERROR",
    }
}

fn conflict_of(name: &str) -> OnConflict {
    match name {
        "UPDATE" => OnConflict::Update,
        "ERROR" => OnConflict::Error,
        _ => OnConflict::Skip,
    }
}
