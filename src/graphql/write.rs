//! The shape every mutation shares: validate, then one transaction holding
//! the change and its outbox event, then publish after commit.

use async_graphql::Context;
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use uuid::Uuid;

use super::context::state;
use super::error::{ApiError, ApiResult};
use super::filter::col;
use super::list::Record;
use crate::auth::Actor;
use crate::events::{self, NewEvent};
use crate::metrics::Metrics;
use entity::event;

/// Now, at the microsecond precision both databases keep, so that a value
/// read back equals the value written (cursors compare them).
pub fn now() -> DateTime<Utc> {
    crate::clock::now().trunc_subsecs(6)
}

/// A transaction on the request's database. On SQLite it takes the write
/// lock at once (`BEGIN IMMEDIATE`): a deferred transaction that reads and
/// then writes fails with SQLITE_BUSY when another writer committed in
/// between, whereas an immediate one waits its turn (the busy timeout).
pub async fn begin(ctx: &Context<'_>) -> ApiResult<DatabaseTransaction> {
    begin_on(&state(ctx)?.db).await
}

/// [`begin`] outside a request.
pub async fn begin_on(db: &sea_orm::DatabaseConnection) -> ApiResult<DatabaseTransaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    Ok(db.begin_with_options(options).await?)
}

/// Writes `events` in `txn`, commits, then publishes them.
pub async fn commit(
    ctx: &Context<'_>,
    txn: DatabaseTransaction,
    actor: &Actor,
    events: Vec<NewEvent>,
) -> ApiResult<()> {
    commit_as(state(ctx)?, txn, Author::of(actor), events).await
}

/// Who a committed change is recorded as made by: a member (possibly through
/// an API key), or nobody for the server's own work (trigger sweeps).
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub workspace_id: Uuid,
    pub member_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
}

impl Author {
    /// Of a member's request.
    pub fn of(actor: &Actor) -> Self {
        Author {
            workspace_id: actor.workspace_id,
            member_id: Some(actor.member_id),
            api_key_id: actor.api_key_id,
        }
    }

    /// The author of changes made `at`.
    pub fn made(self, at: DateTime<Utc>) -> events::history::Made {
        events::history::Made {
            workspace_id: self.workspace_id,
            member_id: self.member_id,
            api_key_id: self.api_key_id,
            at,
        }
    }
}

/// [`commit`] outside a request.
pub async fn commit_as(
    state: &crate::app::AppState,
    txn: DatabaseTransaction,
    author: Author,
    events: Vec<NewEvent>,
) -> ApiResult<()> {
    commit_after(state, txn, author, Vec::new(), events).await
}

/// Commits `txn` holding `recorded` (events already written in it, e.g. by
/// a numbered create) and `events`, then publishes all of them in order.
///
/// History is written before the events take their numbers: those numbers
/// lock the workspace row until the commit, so the fewer statements run
/// after them, the shorter concurrent writers of the workspace wait.
pub async fn commit_after(
    state: &crate::app::AppState,
    txn: DatabaseTransaction,
    author: Author,
    mut recorded: Vec<event::Model>,
    events: Vec<NewEvent>,
) -> ApiResult<()> {
    let made = author.made(now());
    // The request's Idempotency-Key commits with its first write, or not at all.
    let staked = super::claim::stake(&txn).await?;
    events::history::record(&txn, made, &events).await?;
    let stored = events::record(&txn, made.workspace_id, made.member_id, made.at, events).await?;
    txn.commit().await?;
    super::claim::committed(staked);
    recorded.extend(stored);
    publish(state, &recorded);
    Ok(())
}

/// Publishes committed events on the bus.
pub fn publish(state: &crate::app::AppState, stored: &[event::Model]) {
    for _ in stored {
        Metrics::inc(&state.metrics.events_published);
    }
    state.bus.publish(stored);
}

/// `CONFLICT` unless the client's `expectedVersion` (when sent) is current.
pub fn check_version(expected: Option<i32>, current: i32) -> ApiResult<()> {
    match expected {
        Some(expected) if expected != current => Err(ApiError::Conflict(format!(
            "the record is at version {current}, not {expected}: reload it and try again"
        ))),
        _ => Ok(()),
    }
}

/// A row of `R` in the actor's workspace, deleted or not, read in `txn`.
pub async fn load_any<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<R::Model> {
    R::Entity::find()
        .filter(col(R::TABLE, "workspace_id").eq(actor.workspace_id))
        .filter(col(R::TABLE, "id").eq(id))
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound(R::KIND.name()))
}

/// A live (not deleted) row of `R` in the actor's workspace.
pub async fn load_live<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<R::Model> {
    R::Entity::find()
        .filter(super::list::scope::<R>(actor.workspace_id))
        .filter(col(R::TABLE, "id").eq(id))
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound(R::KIND.name()))
}

/// A referenced record must exist, live, in the actor's workspace; otherwise
/// the input `field` is refused (another workspace's ids look absent).
pub async fn check_reference<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Option<Uuid>,
    field: &str,
) -> ApiResult<Option<R::Model>> {
    let Some(id) = id else { return Ok(None) };
    match load_live::<R>(txn, actor, id).await {
        Ok(row) => Ok(Some(row)),
        Err(ApiError::NotFound(what)) => Err(ApiError::bad_input(field, format!("no such {what}"))),
        Err(e) => Err(e),
    }
}

/// Sets `deleted_at` (delete) or clears it (restore), bumping the version
/// only if the row is still at `version`; a concurrent write gets `CONFLICT`.
pub async fn set_deleted<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    deleted: bool,
) -> ApiResult<()> {
    let at = now();
    let update = Query::update()
        .table(R::TABLE)
        .value("deleted_at", if deleted { Some(at) } else { None })
        .value("updated_at", at)
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("workspace_id").eq(actor.workspace_id))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("version").eq(version))
        .to_owned();
    let result = txn.execute(&update).await?;
    if result.rows_affected() == 0 {
        return Err(ApiError::Conflict(
            "the record changed while this request ran: reload it and try again".into(),
        ));
    }
    Ok(())
}

/// Writes `change` to row `id` of `R` only if it is still at `version`
/// (`CONFLICT` otherwise), and reads it back. The caller sets the new
/// version and `updated_at` in `change`.
pub async fn save_if_unchanged<R: Record>(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    version: i32,
    change: <R::Entity as EntityTrait>::ActiveModel,
) -> ApiResult<R::Model>
where
    <R::Entity as EntityTrait>::ActiveModel: sea_orm::ActiveModelTrait<Entity = R::Entity> + Send,
{
    let rows = R::Entity::update_many()
        .set(change)
        .filter(col(R::TABLE, "id").eq(id))
        .filter(col(R::TABLE, "version").eq(version))
        .exec(txn)
        .await?
        .rows_affected;
    expect_one_row(rows)?;
    load_live::<R>(txn, actor, id).await
}

/// Maps "0 rows updated" of a version-guarded update to `CONFLICT`.
pub fn expect_one_row(rows: u64) -> ApiResult<()> {
    if rows == 0 {
        return Err(ApiError::Conflict(
            "the record changed while this request ran: reload it and try again".into(),
        ));
    }
    Ok(())
}

/// An event about `row` of `R`, with the row as payload.
pub fn event_for<R: Record>(row: &R::Model, verb: &str) -> ApiResult<NewEvent> {
    Ok(NewEvent {
        topic: R::topic(row),
        kind: format!("{}.{verb}", R::EVENT_NAME),
        record_type: R::KIND.name(),
        record_id: R::id(row),
        payload: serde_json::to_value(row)
            .map_err(|e| ApiError::Internal(format!("event payload: {e}")))?,
        new_record: false,
    })
}

/// An event about `row` of `R`, inserted in this transaction with a new id:
/// its history needs no earlier entry (one statement fewer).
pub fn event_for_new<R: Record>(row: &R::Model, verb: &str) -> ApiResult<NewEvent> {
    Ok(NewEvent {
        new_record: true,
        ..event_for::<R>(row, verb)?
    })
}

/// Soft-deletes (`delete`) or restores one record, with its event.
pub async fn delete_or_restore<R: Record>(
    ctx: &Context<'_>,
    actor: &Actor,
    id: &async_graphql::ID,
    expected_version: Option<i32>,
    delete: bool,
) -> ApiResult<R> {
    let id = super::ids::decode(id, R::KIND, "id")?;
    let txn = begin(ctx).await?;
    let row = load_any::<R>(&txn, actor, id).await?;
    R::check_write(actor, &row)?;
    match (delete, R::deleted_at(&row)) {
        (true, Some(_)) => return Err(ApiError::NotFound(R::KIND.name())),
        (false, None) => {
            return Err(ApiError::bad_input(
                "id",
                format!("this {} is not deleted", R::KIND.name()),
            ));
        }
        _ => {}
    }
    check_version(expected_version, R::version(&row))?;
    set_deleted::<R>(&txn, actor, id, R::version(&row), delete).await?;
    // Lead scores read company fields and skip deleted records.
    let rescore = match R::KIND {
        super::ids::Kind::Company => Some(super::scoring::Which::Company(id)),
        super::ids::Kind::Contact => Some(super::scoring::Which::Contact(id)),
        _ => None,
    };
    if let Some(which) = rescore {
        let reason = format!(
            "{} {}",
            R::KIND.name(),
            if delete { "deleted" } else { "restored" }
        );
        super::scoring::recompute(&txn, actor.workspace_id, which, &reason, now()).await?;
    }
    let row = load_any::<R>(&txn, actor, id).await?;
    let event = event_for::<R>(&row, if delete { "deleted" } else { "restored" })?;
    commit(ctx, txn, actor, vec![event]).await?;
    Ok(R::wrap(super::level::Level::single(row)))
}

/// The new value of a nullable field: unchanged when the input omitted it,
/// cleared on `null`, replaced on a value.
pub fn merged<T>(input: async_graphql::MaybeUndefined<T>, current: Option<T>) -> Option<T> {
    match input {
        async_graphql::MaybeUndefined::Undefined => current,
        async_graphql::MaybeUndefined::Null => None,
        async_graphql::MaybeUndefined::Value(value) => Some(value),
    }
}
