//! Connecting to SQLite or PostgreSQL, migrating, and counting statements.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::metrics::Metrics;

/// Opens a pool on `url`, with every statement counted in `metrics`.
///
/// SQLite gets WAL (readers do not block the writer), foreign keys on every
/// connection, and a busy timeout so concurrent writers wait instead of failing.
#[tracing::instrument(skip(metrics), fields(backend = url.split(':').next().unwrap_or_default()))]
pub async fn connect(
    url: &str,
    pool_size: u32,
    metrics: Arc<Metrics>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(pool_size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // Ping only connections that sat idle (the ones a restart, proxy or
        // firewall may have dropped): pinging on every checkout, the
        // default, costs a round trip per statement and per transaction.
        .test_before_acquire_if_idle_for(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
        });
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |info| {
        Metrics::inc(&metrics.db_statements);
        if info.failed {
            Metrics::inc(&metrics.db_statement_errors);
        }
        let micros = u64::try_from(info.elapsed.as_micros()).unwrap_or(u64::MAX);
        metrics
            .db_statement_micros
            .fetch_add(micros, Ordering::Relaxed);
    });
    Ok(db)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
