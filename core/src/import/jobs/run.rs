//! Running jobs: a background task of every server instance claims a job,
//! runs it batch by batch, saving its progress with each batch, and looks
//! for the next.

use std::sync::Mutex;
use std::time::Duration;

use entity::{event, import_job, import_job_error, member};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::read::{self, Plan, Read};
use super::{JobStatus, Progress, conflict_of, format_of, lease, topic};
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::events::{self, NewEvent};
use crate::import::{ImportType, Importer, Options, Outcome, RowResult};
use crate::store::{Core, now};

/// Rows a batch's transaction holds (as the command's).
const BATCH_ROWS: usize = 500;

/// One instance's job runner.
pub struct Runner {
    pub core: Core,
    /// This instance's name on the jobs it claims.
    pub me: String,
    /// How often to look for a job when there was none.
    pub every: Duration,
    /// How long a claim holds without a committed batch renewing it.
    pub lease: Duration,
}

impl Runner {
    /// Claims and runs jobs until `shutdown`; a job cut off by the shutdown
    /// is given back (its uncommitted batch rolls back) for any instance to resume.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let claimed = tokio::select! {
                claimed = lease::claim_next(&self.core, &self.me, self.lease) => claimed,
                () = shutdown.cancelled() => return,
            };
            let job = match claimed {
                Ok(Some(job)) => job,
                Ok(None) => {
                    tokio::select! {
                        () = tokio::time::sleep(self.every) => continue,
                        () = shutdown.cancelled() => return,
                    }
                }
                Err(error) => {
                    tracing::warn!(?error, "cannot look for import jobs");
                    tokio::select! {
                        () = tokio::time::sleep(self.every) => continue,
                        () = shutdown.cancelled() => return,
                    }
                }
            };
            let (id, workspace_id) = (job.id, job.workspace_id);
            tracing::info!(job = %id, rows_done = job.next_row, "running an import job");
            tokio::select! {
                ran = run_claimed(&self.core, job, &self.me, self.lease) => {
                    if let Err(error) = ran {
                        // Not the file's fault: the lease runs out and a runner retries.
                        tracing::warn!(job = %id, ?error, "import job interrupted");
                    }
                }
                () = shutdown.cancelled() => {
                    if let Err(error) = lease::release(&self.core, workspace_id, id, &self.me).await {
                        tracing::warn!(job = %id, ?error, "cannot give the import job back");
                    }
                    return;
                }
            }
        }
    }
}

/// What a job writes as: the member who started it, with their role now.
async fn actor_of(core: &Core, job: &import_job::Model) -> CoreResult<Result<Actor, String>> {
    let found = member::Entity::find_by_id(job.member_id)
        .filter(member::Column::WorkspaceId.eq(job.workspace_id))
        .one(&core.db)
        .await?;
    Ok(match found {
        Some(m) if m.deactivated_at.is_none() => Ok(Actor::member(job.workspace_id, m.id, m.role)),
        _ => Err("the member who started the import is deactivated".to_owned()),
    })
}

/// Runs a job this instance has claimed, from the rows its earlier runs
/// committed to its end.
pub async fn run_claimed(
    core: &Core,
    job: import_job::Model,
    me: &str,
    lease: Duration,
) -> CoreResult<()> {
    let actor = match actor_of(core, &job).await? {
        Ok(actor) => actor,
        Err(why) => return fail(core, &job, me, 0, None, &why).await,
    };
    let Some(ty) = ImportType::parse(&job.import_type) else {
        return fail(core, &job, me, 0, None, "an unknown import type").await;
    };
    let options = Options {
        ty,
        on_conflict: conflict_of(&job.on_conflict),
        source: job.source.clone(),
        dry_run: job.dry_run,
        ignored_columns: Vec::new(),
    };
    let mut importer = match Importer::new(core.clone(), actor, options) {
        Ok(importer) => importer,
        Err(CoreError::Forbidden(why) | CoreError::BadInput { message: why, .. }) => {
            return fail(core, &job, me, 0, None, &why).await;
        }
        Err(error) => return Err(error),
    };
    // The job's events are the import's: one id names both.
    importer.id = job.id;
    let plan = Plan {
        format: format_of(&job.format),
        ordered_by: ty.ordered_by(),
        skip: u64::try_from(job.next_row).unwrap_or(0),
        batch_rows: BATCH_ROWS,
    };
    let mut reading = read::spawn(core.db.clone(), job.workspace_id, job.id, plan);
    let header = match reading.recv().await {
        Some(Read::Header(header)) => header,
        Some(Read::Refused(unreadable)) => {
            return fail(core, &job, me, unreadable.line, None, &unreadable.message).await;
        }
        Some(Read::Failed(error)) => return Err(CoreError::Unavailable(error)),
        _ => return Err(CoreError::Internal("the file reader stopped".into())),
    };
    let unknown = importer.unknown_columns(&header);
    if let Some(first) = unknown.first() {
        let why = format!(
            "unknown columns {} (a {} file has {})",
            unknown.join(", "),
            ty.name(),
            ty.columns().join(", ")
        );
        return fail(core, &job, me, 1, Some(first.as_str()), &why).await;
    }
    let mut counts = Progress::of(&job);
    while let Some(read) = reading.recv().await {
        let rows = match read {
            Read::Batch(rows) => rows,
            // Not the file's fault: the job stays as its last batch left it.
            Read::Failed(error) => return Err(CoreError::Unavailable(error)),
            Read::Header(_) | Read::Refused(_) => {
                return Err(CoreError::Internal(
                    "the file reader repeated its header".into(),
                ));
            }
        };
        let consumed = rows.len() as i64;
        let first_index = counts.processed;
        let stored = Mutex::new(Vec::new());
        let save = async |txn: &DatabaseTransaction, results: &[RowResult]| -> CoreResult<()> {
            let batch = Batch::of(&job, &header, first_index, results);
            let next = Progress {
                processed: counts.processed + consumed,
                accepted: counts.accepted + batch.accepted,
                rejected: counts.rejected + batch.errors.len() as i64,
                ..counts
            };
            let saved = import_job::Entity::update_many()
                .col_expr(
                    import_job::Column::NextRow,
                    Expr::col(import_job::Column::NextRow).add(consumed),
                )
                .col_expr(import_job::Column::Accepted, Expr::val(next.accepted))
                .col_expr(import_job::Column::Rejected, Expr::val(next.rejected))
                .col_expr(
                    import_job::Column::LeaseUntil,
                    Expr::val(lease::until(lease)),
                )
                .col_expr(import_job::Column::UpdatedAt, Expr::val(now()))
                .filter(import_job::Column::WorkspaceId.eq(job.workspace_id))
                .filter(import_job::Column::Id.eq(job.id))
                .filter(import_job::Column::ClaimedBy.eq(me))
                .exec(txn)
                .await?;
            if saved.rows_affected != 1 {
                return Err(CoreError::Conflict(
                    "another instance took the import job over".into(),
                ));
            }
            if !batch.errors.is_empty() {
                import_job_error::Entity::insert_many(batch.errors)
                    .exec(txn)
                    .await?;
            }
            let events = progress_event(txn, &job, "import.progress", next).await?;
            *stored.lock().unwrap_or_else(|p| p.into_inner()) = events;
            Ok(())
        };
        let results = importer.write_batch_then(rows, save).await?;
        let accepted = results
            .iter()
            .filter(|r| !matches!(r.outcome, Outcome::Refused(_)))
            .count() as i64;
        counts.processed += consumed;
        counts.accepted += accepted;
        counts.rejected += consumed - accepted;
        core.publish(&stored.into_inner().unwrap_or_else(|p| p.into_inner()));
    }
    finish(core, &job, me, JobStatus::Succeeded, Vec::new()).await
}

/// A batch's refused rows, as error rows, and how many it accepted.
struct Batch {
    accepted: i64,
    errors: Vec<import_job_error::ActiveModel>,
}

impl Batch {
    fn of(job: &import_job::Model, header: &[String], first: i64, results: &[RowResult]) -> Self {
        let mut errors = Vec::new();
        for (index, result) in (first..).zip(results) {
            if let Outcome::Refused(why) = &result.outcome {
                let field = why.column.as_deref();
                errors.push(error_row(
                    job,
                    index,
                    result.line,
                    header,
                    field,
                    why.code,
                    &why.message,
                ));
            }
        }
        Self {
            accepted: results.len() as i64 - errors.len() as i64,
            errors,
        }
    }
}

fn error_row(
    job: &import_job::Model,
    row_index: i64,
    line: u64,
    header: &[String],
    field: Option<&str>,
    code: &str,
    message: &str,
) -> import_job_error::ActiveModel {
    use sea_orm::Set;
    let column = field
        .and_then(|f| header.iter().position(|h| h == f))
        .and_then(|i| i32::try_from(i + 1).ok());
    import_job_error::ActiveModel {
        job_id: Set(job.id),
        row_index: Set(row_index),
        workspace_id: Set(job.workspace_id),
        line: Set(i64::try_from(line).unwrap_or(i64::MAX)),
        column_number: Set(column),
        field: Set(field.map(str::to_owned)),
        code: Set(code.to_owned()),
        message: Set(message.to_owned()),
    }
}

/// The job's counts on its progress topic, in `txn`.
async fn progress_event(
    txn: &DatabaseTransaction,
    job: &import_job::Model,
    kind: &str,
    progress: Progress,
) -> CoreResult<Vec<event::Model>> {
    let payload = json!({
        "jobId": job.id,
        "status": progress.status.as_str(),
        "processed": progress.processed,
        "accepted": progress.accepted,
        "rejected": progress.rejected,
    });
    let event = NewEvent {
        topic: topic(job.id),
        kind: kind.to_owned(),
        record_type: "ImportJob",
        record_id: job.id,
        payload,
        new_record: false,
    };
    Ok(events::record(
        txn,
        job.workspace_id,
        Some(job.member_id),
        now(),
        vec![event],
    )
    .await?)
}

/// Ends a job whose file as a whole was refused: FAILED, with the reason as
/// its one error (at `line`, on `field` when it concerns a column).
async fn fail(
    core: &Core,
    job: &import_job::Model,
    me: &str,
    line: u64,
    field: Option<&str>,
    why: &str,
) -> CoreResult<()> {
    let error = error_row(job, -1, line, &[], field, "BAD_USER_INPUT", why);
    finish(core, job, me, JobStatus::Failed, vec![error]).await
}

/// Marks the job finished and lets go of it, with its last progress event.
async fn finish(
    core: &Core,
    job: &import_job::Model,
    me: &str,
    status: JobStatus,
    errors: Vec<import_job_error::ActiveModel>,
) -> CoreResult<()> {
    let txn = core.begin().await?;
    let finished = import_job::Entity::update_many()
        .col_expr(import_job::Column::Status, Expr::val(status.as_str()))
        .col_expr(import_job::Column::FinishedAt, Expr::val(now()))
        .col_expr(import_job::Column::UpdatedAt, Expr::val(now()))
        .col_expr(
            import_job::Column::ClaimedBy,
            Expr::val(Option::<String>::None),
        )
        .filter(import_job::Column::WorkspaceId.eq(job.workspace_id))
        .filter(import_job::Column::Id.eq(job.id))
        .filter(import_job::Column::ClaimedBy.eq(me))
        .exec(&txn)
        .await?;
    if finished.rows_affected != 1 {
        return Err(CoreError::Conflict(
            "another instance took the import job over".into(),
        ));
    }
    if !errors.is_empty() {
        import_job_error::Entity::insert_many(errors)
            .exec(&txn)
            .await?;
    }
    let job = import_job::Entity::find_by_id(job.id)
        .filter(import_job::Column::WorkspaceId.eq(job.workspace_id))
        .one(&txn)
        .await?
        .ok_or(CoreError::NotFound("import job"))?;
    let stored = progress_event(&txn, &job, "import.finished", Progress::of(&job)).await?;
    txn.commit().await?;
    core.publish(&stored);
    tracing::info!(job = %job.id, status = status.as_str(), accepted = job.accepted, rejected = job.rejected, "import job finished");
    Ok(())
}
