//! Writes to one row by its id that also name its workspace.
//!
//! SeaORM's `ActiveModel::update` and `delete_by_id` name the primary key
//! alone. On Citus the tables are distributed by `workspace_id`, so a
//! statement by `id` alone goes to every shard; these name the workspace
//! first, which routes them to the one shard holding the row.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::CoreResult;

/// Writes the set fields of `change` to row `id` of `workspace` and returns
/// the row as written; `RecordNotUpdated` when the row is not there, as
/// `ActiveModel::update` says.
pub async fn update_in_workspace<E>(
    db: &impl ConnectionTrait,
    workspace: Uuid,
    id: Uuid,
    change: E::ActiveModel,
) -> Result<E::Model, DbErr>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    E::update_many()
        .set(change)
        .filter(Expr::col("workspace_id").eq(workspace))
        .filter(Expr::col("id").eq(id))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or(DbErr::RecordNotUpdated)
}

/// Deletes row `id` of `workspace`; true when there was one.
pub async fn delete_in_workspace<E: EntityTrait>(
    db: &impl ConnectionTrait,
    workspace: Uuid,
    id: Uuid,
) -> CoreResult<bool> {
    let result = E::delete_many()
        .filter(Expr::col("workspace_id").eq(workspace))
        .filter(Expr::col("id").eq(id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}
