//! Reading a record for a write, and the version-guarded write itself: a
//! change lands only on the version it was computed from.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::commit::now;
use super::narrowed::owned_by;
use super::narrowing::col;
use super::table::{Table, scope, visible};
use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;

/// `CONFLICT` unless the client's `expectedVersion` (when sent) is current.
pub fn check_version(expected: Option<i32>, current: i32) -> CoreResult<()> {
    match expected {
        Some(expected) if expected != current => Err(CoreError::Conflict(format!(
            "the record is at version {current}, not {expected}: reload it and try again"
        ))),
        _ => Ok(()),
    }
}

/// A row of `R` in the actor's workspace that the actor sees, deleted or
/// not, read in `txn`.
pub async fn load_any<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<T::Model> {
    let mut find = T::find()
        .filter(col(T::TABLE, "workspace_id").eq(actor.workspace_id))
        .filter(col(T::TABLE, "id").eq(id));
    if let Some(owners) = owned_by::<T>(actor, T::TABLE) {
        find = find.filter(owners);
    }
    find.one(txn)
        .await?
        .ok_or(CoreError::NotFound(T::KIND.name()))
}

/// A live (not deleted) row of `R` in the actor's workspace that the actor
/// sees (a deal, company or contact its role does not read is absent).
pub async fn load_live<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<T::Model> {
    T::find()
        .filter(visible::<T>(actor))
        .filter(col(T::TABLE, "id").eq(id))
        .one(txn)
        .await?
        .ok_or(CoreError::NotFound(T::KIND.name()))
}

/// A live row of `R` in the actor's workspace, whoever owns it: the read
/// back after a write, which may have given the row to an owner the actor
/// does not read.
async fn reload<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<T::Model> {
    T::find()
        .filter(scope::<T>(actor.workspace_id))
        .filter(col(T::TABLE, "id").eq(id))
        .one(txn)
        .await?
        .ok_or(CoreError::NotFound(T::KIND.name()))
}

/// A referenced record must exist, live, in the actor's workspace; otherwise
/// the input `field` is refused (another workspace's ids look absent).
pub async fn check_reference<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Option<Uuid>,
    field: &str,
) -> CoreResult<Option<T::Model>> {
    let Some(id) = id else { return Ok(None) };
    match load_live::<T>(txn, actor, id).await {
        Ok(row) => Ok(Some(row)),
        Err(CoreError::NotFound(what)) => {
            Err(CoreError::bad_input(field, format!("no such {what}")))
        }
        Err(e) => Err(e),
    }
}

/// Sets `deleted_at` (delete) or clears it (restore), bumping the version
/// only if the row is still at `version`; a concurrent write gets `CONFLICT`.
pub async fn set_deleted<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    deleted: bool,
) -> CoreResult<()> {
    let at = now();
    let update = Query::update()
        .table(T::TABLE)
        .value("deleted_at", if deleted { Some(at) } else { None })
        .value("updated_at", at)
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("version").eq(version))
        .to_owned();
    let result = txn.execute(&update).await?;
    if result.rows_affected() == 0 {
        return Err(CoreError::Conflict(
            "the record changed while this request ran: reload it and try again".into(),
        ));
    }
    Ok(())
}

/// Writes `change` to row `id` of `R` only if it is still at `version`
/// (`CONFLICT` otherwise), and reads it back. The caller sets the new
/// version and `updated_at` in `change`.
pub async fn save_if_unchanged<T: Table>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    change: <T as EntityTrait>::ActiveModel,
) -> CoreResult<T::Model>
where
    <T as EntityTrait>::ActiveModel: sea_orm::ActiveModelTrait<Entity = T> + Send,
{
    let rows = T::update_many()
        .set(change)
        // The workspace first: on Citus it names the one shard to write.
        .filter(col(T::TABLE, "workspace_id").eq(actor.workspace_id))
        .filter(col(T::TABLE, "id").eq(id))
        .filter(col(T::TABLE, "version").eq(version))
        .exec(txn)
        .await?
        .rows_affected;
    expect_one_row(rows)?;
    reload::<T>(txn, actor, id).await
}

/// Maps "0 rows updated" of a version-guarded update to `CONFLICT`.
pub fn expect_one_row(rows: u64) -> CoreResult<()> {
    if rows == 0 {
        return Err(CoreError::Conflict(
            "the record changed while this request ran: reload it and try again".into(),
        ));
    }
    Ok(())
}

/// An event about `row` of `R`, with the row as payload.
pub fn event_for<T: Table>(row: &T::Model, verb: &str) -> CoreResult<NewEvent> {
    Ok(NewEvent {
        topic: T::topic(row),
        kind: format!("{}.{verb}", T::EVENT_NAME),
        record_type: T::KIND.name(),
        record_id: T::id(row),
        payload: serde_json::to_value(row)
            .map_err(|e| CoreError::Internal(format!("event payload: {e}")))?,
        new_record: false,
    })
}

/// An event about `row` of `R`, inserted in this transaction with a new id:
/// its history needs no earlier entry (one statement fewer).
pub fn event_for_new<T: Table>(row: &T::Model, verb: &str) -> CoreResult<NewEvent> {
    Ok(NewEvent {
        new_record: true,
        ..event_for::<T>(row, verb)?
    })
}
