//! Which instance delivers to which endpoint. An instance claims an
//! endpoint with one guarded UPDATE (it wins only if no live lease is held,
//! on SQLite and PostgreSQL alike), renews the lease with every event it
//! hands on, and releases it when the endpoint is caught up or must wait.
//! A killed instance's lease simply runs out and another claims the endpoint
//! at the cursor it had reached: what it was sending goes again (at least once).
//! The owner names one claim, not an instance, so a task that ends late
//! cannot let go of a newer claim won by its own instance.
//! Finding due endpoints looks across workspaces (the caller marks it so);
//! every write names the endpoint's workspace, so on Citus it runs on the
//! one node holding it.

use chrono::{DateTime, Utc};
use entity::webhook_endpoint::{self, Column};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// An endpoint whose lease is free.
fn lease_free(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Column::LeaseUntil.is_null())
        .add(Column::LeaseUntil.lt(now))
}

/// Enabled endpoints with events after their cursor, no live lease and no
/// retry waiting: what may be claimed now, the longest waiting first.
pub async fn due<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<webhook_endpoint::Model>, DbErr> {
    // Both backends quote identifiers the same way; the workspace's counter
    // is the last event number, so a lower cursor means work.
    let behind = Expr::cust(
        r#""webhook_endpoint"."cursor" < (SELECT "workspace"."event_seq" FROM "workspace" WHERE "workspace"."id" = "webhook_endpoint"."workspace_id")"#,
    );
    webhook_endpoint::Entity::find()
        .filter(Column::Enabled.eq(true))
        .filter(lease_free(now))
        .filter(
            Condition::any()
                .add(Column::NextAttemptAt.is_null())
                .add(Column::NextAttemptAt.lte(now)),
        )
        .filter(behind)
        .order_by_asc(Column::UpdatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Takes endpoint `id` for `owner` until `until`; whether it won.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = webhook_endpoint::Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(owner))
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::Id.eq(id))
        .filter(Column::Enabled.eq(true))
        .filter(lease_free(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Where a delivery stands: the cursor it read and the replays counted
/// then. A replay moves the second even when it sets the same cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub cursor: i64,
    pub replays: i32,
}

impl Position {
    pub fn of(endpoint: &webhook_endpoint::Model) -> Self {
        Self {
            cursor: endpoint.cursor,
            replays: endpoint.replays,
        }
    }
}

/// Moves the cursor from `from` to `to` (the event was delivered or is not
/// wanted), clears any failure and renews the lease; false when `owner` no
/// longer holds the endpoint or someone replayed meanwhile (even to the
/// same cursor): the caller stops and starts over from the stored cursor.
pub async fn advance<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
    from: Position,
    to: i64,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = webhook_endpoint::Entity::update_many()
        .col_expr(Column::Cursor, Expr::value(to))
        .col_expr(Column::FailedAttempts, Expr::value(0))
        .col_expr(
            Column::FailingSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .filter(Column::Cursor.eq(from.cursor))
        .filter(Column::Replays.eq(from.replays))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Renews `owner`'s lease on endpoint `id`; whether it still held it.
pub async fn renew<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = webhook_endpoint::Entity::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Lets go of endpoint `id` if `owner` holds it.
pub async fn release<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    id: Uuid,
    owner: Uuid,
) -> Result<(), DbErr> {
    webhook_endpoint::Entity::update_many()
        .col_expr(Column::LeaseOwner, Expr::value(Option::<Uuid>::None))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}
