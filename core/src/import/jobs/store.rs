//! Storing a job with its file, and reading jobs and their refused rows.

use std::io::Read;

use entity::enums::Role;
use entity::{import_job, import_job_chunk, import_job_error};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::{CHUNK_BYTES, JobStatus, NewJob, conflict_name, format_name};
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::store::{Core, new_id, now};

/// Only an ADMIN imports, and reads imports.
pub fn require_admin(actor: &Actor) -> CoreResult<()> {
    if actor.role != Role::Admin {
        return Err(CoreError::Forbidden("only an ADMIN imports".into()));
    }
    Ok(())
}

/// Stores a job and its whole file (read from `file`, at most `max_bytes`)
/// in one transaction, QUEUED for a runner to claim.
pub async fn create(
    core: &Core,
    actor: &Actor,
    job: NewJob,
    mut file: Box<dyn Read + Send>,
    max_bytes: u64,
) -> CoreResult<import_job::Model> {
    require_admin(actor)?;
    let source = job.source.trim();
    if source.is_empty() || source.chars().count() > crate::ops::external_id::SOURCE_MAX {
        return Err(CoreError::bad_input(
            "source",
            "must be 1 to 100 characters",
        ));
    }
    if job.file_name.chars().count() > 255 {
        return Err(CoreError::bad_input(
            "file",
            "its name is longer than 255 characters",
        ));
    }
    let id = new_id();
    let at = now();
    let txn = core.begin().await?;
    let row = import_job::ActiveModel {
        id: Set(id),
        workspace_id: Set(actor.workspace_id),
        member_id: Set(actor.member_id),
        import_type: Set(job.ty.name().to_owned()),
        format: Set(format_name(job.format).to_owned()),
        on_conflict: Set(conflict_name(job.on_conflict).to_owned()),
        source: Set(source.to_owned()),
        dry_run: Set(job.dry_run),
        file_name: Set(job.file_name.clone()),
        file_bytes: Set(0),
        status: Set(JobStatus::Queued.as_str().to_owned()),
        next_row: Set(0),
        accepted: Set(0),
        rejected: Set(0),
        failure: Set(None),
        claimed_by: Set(None),
        lease_until: Set(None),
        finished_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let mut total: u64 = 0;
    let mut seq = 0;
    loop {
        let (rest, chunk) = tokio::task::spawn_blocking(move || {
            let mut chunk = Vec::with_capacity(CHUNK_BYTES);
            let read = (&mut file).take(CHUNK_BYTES as u64).read_to_end(&mut chunk);
            read.map(|_| (file, chunk))
        })
        .await
        .map_err(|e| CoreError::Internal(format!("reading the upload: {e}")))?
        .map_err(|e| CoreError::bad_input("file", format!("cannot be read: {e}")))?;
        file = rest;
        if chunk.is_empty() {
            break;
        }
        total += chunk.len() as u64;
        if total > max_bytes {
            // Dropping the transaction rolls it back: nothing is written.
            return Err(CoreError::bad_input(
                "file",
                format!("is larger than {max_bytes} bytes"),
            ));
        }
        import_job_chunk::ActiveModel {
            job_id: Set(id),
            seq: Set(seq),
            workspace_id: Set(actor.workspace_id),
            data: Set(chunk),
        }
        .insert(&txn)
        .await?;
        seq += 1;
    }
    let mut row = row;
    row.file_bytes = i64::try_from(total).unwrap_or(i64::MAX);
    // By workspace and id: on Citus the one shard holding the job.
    import_job::Entity::update_many()
        .col_expr(import_job::Column::FileBytes, Expr::value(row.file_bytes))
        .filter(import_job::Column::WorkspaceId.eq(row.workspace_id))
        .filter(import_job::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(row)
}

/// A job of the actor's workspace; `NOT_FOUND` otherwise.
pub async fn get(core: &Core, actor: &Actor, id: Uuid) -> CoreResult<import_job::Model> {
    require_admin(actor)?;
    import_job::Entity::find_by_id(id)
        .filter(import_job::Column::WorkspaceId.eq(actor.workspace_id))
        .one(&core.db)
        .await?
        .ok_or(CoreError::NotFound("import job"))
}

/// A page of jobs, newest first.
pub struct JobPage {
    pub jobs: Vec<import_job::Model>,
    pub has_next: bool,
}

/// The workspace's jobs, newest first, after the job `after` (ids are time-ordered).
pub async fn list(
    core: &Core,
    actor: &Actor,
    first: u64,
    after: Option<Uuid>,
) -> CoreResult<JobPage> {
    require_admin(actor)?;
    let mut query = import_job::Entity::find()
        .filter(import_job::Column::WorkspaceId.eq(actor.workspace_id))
        .order_by_desc(import_job::Column::Id)
        .limit(first + 1);
    if let Some(after) = after {
        query = query.filter(import_job::Column::Id.lt(after));
    }
    let mut jobs = query.all(&core.db).await?;
    let has_next = jobs.len() as u64 > first;
    jobs.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok(JobPage { jobs, has_next })
}

/// A page of a job's refused rows, in the order they were read.
pub struct ErrorPage {
    pub errors: Vec<import_job_error::Model>,
    pub has_next: bool,
}

/// The job's refused rows after the one read at `after` (its `row_index`).
pub async fn errors(
    core: &Core,
    job: &import_job::Model,
    first: u64,
    after: Option<i64>,
) -> CoreResult<ErrorPage> {
    let mut query = import_job_error::Entity::find()
        .filter(import_job_error::Column::WorkspaceId.eq(job.workspace_id))
        .filter(import_job_error::Column::JobId.eq(job.id))
        .order_by_asc(import_job_error::Column::RowIndex)
        .limit(first + 1);
    if let Some(after) = after {
        query = query.filter(import_job_error::Column::RowIndex.gt(after));
    }
    let mut errors = query.all(&core.db).await?;
    let has_next = errors.len() as u64 > first;
    errors.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok(ErrorPage { errors, has_next })
}
