//! Connecting to SQLite or PostgreSQL, migrating, and counting statements.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use crate::config::Config;
use crate::metrics::Metrics;

pub mod citus;
mod orphans;

/// Opens the server's pool for `config`, with every statement counted in `metrics`.
///
/// SQLite gets WAL (readers do not block the writer), foreign keys on every
/// connection, a busy timeout so concurrent writers wait instead of failing,
/// and `regexp()`, which text filters use to ignore case beyond ASCII.
///
/// Waiting for a connection is bounded by `db_acquire_timeout_ms`, so a
/// database outage answers `UNAVAILABLE` within it instead of hanging every
/// request. On PostgreSQL a request that timed out leaves nothing running:
/// its connections come back to the pool with their statements still in
/// flight and are closed (see [`orphans`]), which PostgreSQL notices within
/// `client_connection_check_interval` and answers by aborting the statement
/// and rolling its transaction back; every statement is also bounded by the
/// request time limit plus [`STATEMENT_GRACE_MS`] (`statement_timeout`),
/// for statements no request waits on (the CLI, exports).
/// How much longer than a request a statement may run. With the same limit
/// the two raced: a statement begins after its request, so the request's
/// limit should end first, but on a busy machine both were ready by the
/// time the request's timer ran, and the statement's cancellation (answered
/// `UNAVAILABLE`) won over the request's `TIMEOUT`. The grace keeps the
/// request's limit first; the statement of a timed-out request is stopped
/// sooner anyway, when its connection is handed back (see [`orphans`]).
pub const STATEMENT_GRACE_MS: u64 = 1_000;

#[tracing::instrument(skip_all, fields(backend = config.database_url.split(':').next().unwrap_or_default()))]
pub async fn connect(config: &Config, metrics: Arc<Metrics>) -> Result<DatabaseConnection, DbErr> {
    let statement_timeout = (config.request_timeout_ms + STATEMENT_GRACE_MS).to_string();
    let mut options = ConnectOptions::new(&config.database_url);
    options
        .max_connections(config.db_pool_size)
        .min_connections(1)
        .acquire_timeout(Duration::from_millis(config.db_acquire_timeout_ms.max(1)))
        .connect_timeout(Duration::from_millis(config.db_acquire_timeout_ms.max(1)))
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
                .with_regexp()
                // SQLite's own advice for long-lived connections: before a
                // pooled connection closes (idle, or past its lifetime),
                // `PRAGMA optimize` analyzes the tables that lack
                // statistics or changed size tenfold (see [`migrate`]).
                .optimize_on_close(true, None)
        })
        .map_sqlx_postgres_opts(move |opts| {
            opts.options([
                ("statement_timeout", statement_timeout.clone()),
                // A statement whose client is gone (the process died, or the
                // pool closed the connection of a timed-out request) is
                // aborted within half a second instead of running on, and
                // perhaps committing, for nobody.
                ("client_connection_check_interval", "500".to_owned()),
                // No JIT compilation: Rapport's statements are index reads
                // and period aggregates of milliseconds, but their correlated
                // probes make PostgreSQL's cost estimates cross jit_above_cost
                // at a few hundred thousand rows, and compiling then took
                // longer than the statement (395 of 535 ms for analytics'
                // order mix at 100,000 contacts; BENCHMARKS.md).
                ("jit", "off".to_owned()),
                // The least word similarity `<%` accepts, for a list's search
                // filter read through the trigram index: at or under every
                // query's own threshold (0.3 and up), which then rechecks.
                ("pg_trgm.word_similarity_threshold", "0.29".to_owned()),
            ])
        })
        .map_sqlx_postgres_pool_opts(|pool| pool.after_release(orphans::close_if_busy));
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |info| {
        Metrics::inc(&metrics.db_statements);
        if info.failed {
            Metrics::inc(&metrics.db_statement_errors);
        }
        metrics.labelled.statement(info.failed, info.elapsed);
        let micros = u64::try_from(info.elapsed.as_micros()).unwrap_or(u64::MAX);
        metrics
            .db_statement_micros
            .fetch_add(micros, Ordering::Relaxed);
    });
    Ok(db)
}

/// Applies every pending migration. They run on a connection of their own:
/// on PostgreSQL it is free of the pool's statement timeout (building an
/// index on a large table may take longer than any request); on SQLite, a
/// pooled connection other than the one that changed a table can parse the
/// next statement against the schema from before the change ("index …
/// already exists", "duplicate column"). An in-memory SQLite database is the
/// pool's own, so it migrates on the pool.
///
/// On a SQLite file it then brings the planner's statistics up to date
/// ([`SQLITE_STATISTICS`]); on a Citus coordinator it distributes the
/// tables ([`citus`]). True when it did (the database is a Citus
/// coordinator Rapport distributes).
pub async fn migrate(config: &Config, db: &DatabaseConnection) -> Result<bool, DbErr> {
    if config.is_sqlite() && config.sqlite_path().is_none() {
        return Migrator::up(db, None).await.map(|()| false);
    }
    let once = one_connection(config).await?;
    let mut migrated = Migrator::up(&once, None).await;
    if migrated.is_ok() && config.is_sqlite() {
        migrated = once.execute_unprepared(SQLITE_STATISTICS).await.map(drop);
    }
    let citus = migrated.is_ok() && citus::wanted(config, &once).await?;
    if citus {
        migrated = citus::distribute(&once).await;
    }
    once.close().await?;
    migrated.map(|()| citus)
}

/// Analyzes every table whose indexes have no statistics or whose size
/// changed tenfold since they were taken (0x10000: every table, not only
/// those this connection used; 0x02: analyze), each within SQLite's own
/// bound on rows read per index (0x10), so a large database starts as fast.
/// Without statistics SQLite guesses, and for a correlated look-up it
/// guessed the index that matches the `ORDER BY` over the one that matches
/// the key: a contact's latest survey answer then walked every answer of
/// the workspace, and refreshing the stored figures of 10,000 contacts took
/// 90 s instead of 0.1 s (BENCHMARKS.md, "SQLite at 100,000 contacts").
const SQLITE_STATISTICS: &str = "PRAGMA optimize = 0x10012";

/// A single connection to the configured database, for schema changes.
pub async fn one_connection(config: &Config) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(&config.database_url);
    options
        .max_connections(1)
        .min_connections(0)
        .sqlx_logging(false);
    Database::connect(options).await
}

pub use rapport_core::error::is_unavailable;
