//! Work that reads or writes every workspace on purpose: the sweeps that
//! find due work (import jobs, webhook deliveries), the pruning of old
//! events and idempotency keys, a sign-in by email alone.
//!
//! Every other statement names one workspace, and on Citus (issue 22) runs
//! on the one node holding it. These run on every node, and say so: their
//! transaction allows a statement of several shards however the database
//! is set. An operator may set `citus.multi_task_query_log_level` to
//! `warning` or `error` on the database to catch any other statement that
//! fans out (the tests set `error`). On PostgreSQL without Citus the
//! setting is an unused placeholder; SQLite has no such thing.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, TransactionTrait,
};

/// Allows statements of several shards for the rest of `txn`.
pub async fn allow_fan_out(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL citus.multi_task_query_log_level = 'off'")
            .await?;
    }
    Ok(())
}

/// Runs `work` in a transaction of its own that may reach every workspace.
pub async fn across_workspaces<T, E: From<DbErr>>(
    db: &DatabaseConnection,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, E> {
    let txn = db.begin().await?;
    allow_fan_out(&txn).await?;
    match work(&txn).await {
        Ok(done) => {
            txn.commit().await?;
            Ok(done)
        }
        Err(error) => {
            // At once: a dropped transaction rolls back only when its
            // connection is next used, and on SQLite it holds the write
            // lock until then (another process's start waited it out).
            txn.rollback().await?;
            Err(error)
        }
    }
}
