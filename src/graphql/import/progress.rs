//! `importProgress(jobId)`: the job's counts as each batch commits, through
//! the event feed (so a job run by another instance reports here too), and
//! its end.

use async_graphql::{Context, ID, Subscription};
use futures_util::{Stream, StreamExt, stream};
use rapport_core::import::jobs::{self, JobStatus};

use super::{ImportJobStatus, decode_id};
use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiError;
use crate::graphql::live::events;

/// A job's counts at one moment.
#[derive(async_graphql::SimpleObject, Clone, Debug)]
pub struct ImportProgress {
    /// The job's id.
    pub job_id: ID,
    /// Where the job stands.
    pub status: ImportJobStatus,
    /// Rows read so far.
    pub processed: i64,
    /// Rows written, or matched and left as they were.
    pub accepted: i64,
    /// Rows refused (listed in `importJob(id).errors`).
    pub rejected: i64,
}

impl ImportProgress {
    fn of_event(payload: &serde_json::Value, job_id: &ID) -> Option<Self> {
        let count = |key: &str| payload.get(key).and_then(serde_json::Value::as_i64);
        let status = match payload.get("status")?.as_str()? {
            "QUEUED" => ImportJobStatus::Queued,
            "RUNNING" => ImportJobStatus::Running,
            "SUCCEEDED" => ImportJobStatus::Succeeded,
            _ => ImportJobStatus::Failed,
        };
        Some(Self {
            job_id: job_id.clone(),
            status,
            processed: count("processed")?,
            accepted: count("accepted")?,
            rejected: count("rejected")?,
        })
    }

    fn is_finished(&self) -> bool {
        matches!(
            self.status,
            ImportJobStatus::Succeeded | ImportJobStatus::Failed
        )
    }
}

#[derive(Default)]
pub struct ImportProgressSubscription;

#[Subscription]
impl ImportProgressSubscription {
    /// The job's counts now, then after every batch it commits, ending with
    /// its last counts once it SUCCEEDED or FAILED (ADMIN only).
    async fn import_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job's id, as `startImport` answered it.")] job_id: ID,
    ) -> Result<impl Stream<Item = ImportProgress> + use<>, ApiError> {
        let actor = actor(ctx)?;
        let id = decode_id(&job_id, "jobId")?;
        // Listening starts before the job is read: a batch committed in
        // between is reported (maybe twice, never missed).
        let live = events(ctx, actor.workspace_id, None).await?;
        let job = jobs::get(&state(ctx)?.core, actor, id).await?;
        let now = jobs::Progress::of(&job);
        let first = ImportProgress {
            job_id: job_id.clone(),
            status: now.status.into(),
            processed: now.processed,
            accepted: now.accepted,
            rejected: now.rejected,
        };
        let topic = jobs::topic(id);
        let finished = JobStatus::of(&job).is_finished();
        let updates = live
            .filter(move |e| std::future::ready(e.topic == topic))
            .filter_map(move |e| std::future::ready(ImportProgress::of_event(&e.payload, &job_id)))
            // Counts never go back: a batch already in the first answer is skipped.
            .scan(first.processed, |seen, p| {
                let fresh = p.processed > *seen || p.is_finished();
                *seen = (*seen).max(p.processed);
                std::future::ready(Some(fresh.then_some(p)))
            })
            .filter_map(std::future::ready);
        let updates = if finished {
            stream::empty().boxed()
        } else {
            updates.boxed()
        };
        // Ends right after the update that says the job is over (a marker
        // after it stops the stream without waiting for another event).
        let until_end = stream::once(std::future::ready(first))
            .chain(updates)
            .flat_map(|p| {
                let end = p.is_finished();
                stream::iter(std::iter::once(Some(p)).chain(end.then_some(None)))
            })
            .take_while(|p| std::future::ready(p.is_some()))
            .filter_map(std::future::ready);
        Ok(until_end)
    }
}
