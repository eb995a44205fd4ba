//! Which instance runs a job. A claim is one guarded UPDATE that only
//! succeeds while the job is queued or its lease has expired, so of two
//! instances claiming at once exactly one wins; the winner renews the lease
//! with every batch it commits (in the batch's transaction, guarded by its
//! own name), so a runner that lost its lease cannot commit another batch.

use crate::store::across::across_workspaces;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::import_job;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::JobStatus;
use crate::error::CoreResult;
use crate::store::Core;

/// Jobs looked at per claim attempt.
const CANDIDATES: u64 = 8;

/// The end of a lease taken or renewed now. Leases are about wall time
/// between processes, never the scoped clock imports write history with.
pub fn until(lease: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30))
}

/// Jobs a runner may take: queued, or running under no live lease.
fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(import_job::Column::Status.eq(JobStatus::Queued.as_str()))
        .add(
            Condition::all()
                .add(import_job::Column::Status.eq(JobStatus::Running.as_str()))
                .add(
                    Condition::any()
                        .add(import_job::Column::LeaseUntil.is_null())
                        .add(import_job::Column::LeaseUntil.lt(now)),
                ),
        )
}

/// Claims the oldest job no live runner holds, for `me`; `None` when there is none.
pub async fn claim_next(
    core: &Core,
    me: &str,
    lease: Duration,
) -> CoreResult<Option<import_job::Model>> {
    let now = Utc::now();
    // The one look across workspaces; each claim then names its job's.
    let candidates: Vec<(uuid::Uuid, uuid::Uuid)> = across_workspaces(&core.db, async |txn| {
        import_job::Entity::find()
            .select_only()
            .column(import_job::Column::Id)
            .column(import_job::Column::WorkspaceId)
            .filter(claimable(now))
            .order_by_asc(import_job::Column::CreatedAt)
            .limit(CANDIDATES)
            .into_tuple()
            .all(txn)
            .await
    })
    .await?;
    for (id, workspace_id) in candidates {
        let claimed = import_job::Entity::update_many()
            .col_expr(
                import_job::Column::Status,
                Expr::val(JobStatus::Running.as_str()),
            )
            .col_expr(import_job::Column::ClaimedBy, Expr::val(me))
            .col_expr(import_job::Column::LeaseUntil, Expr::val(until(lease)))
            .col_expr(import_job::Column::UpdatedAt, Expr::val(now))
            .filter(import_job::Column::WorkspaceId.eq(workspace_id))
            .filter(import_job::Column::Id.eq(id))
            .filter(claimable(now))
            .exec(&core.db)
            .await?;
        if claimed.rows_affected == 1 {
            return Ok(import_job::Entity::find_by_id(id)
                .filter(import_job::Column::WorkspaceId.eq(workspace_id))
                .one(&core.db)
                .await?);
        }
    }
    Ok(None)
}

/// Gives a job back (its runner is stopping): another instance may take
/// it at once instead of waiting for the lease to run out.
pub async fn release(
    core: &Core,
    workspace_id: uuid::Uuid,
    job_id: uuid::Uuid,
    me: &str,
) -> CoreResult<()> {
    import_job::Entity::update_many()
        .col_expr(
            import_job::Column::ClaimedBy,
            Expr::val(Option::<String>::None),
        )
        .col_expr(
            import_job::Column::LeaseUntil,
            Expr::val(Option::<DateTime<Utc>>::None),
        )
        .filter(import_job::Column::WorkspaceId.eq(workspace_id))
        .filter(import_job::Column::Id.eq(job_id))
        .filter(import_job::Column::ClaimedBy.eq(me))
        .filter(import_job::Column::Status.eq(JobStatus::Running.as_str()))
        .exec(&core.db)
        .await?;
    Ok(())
}
