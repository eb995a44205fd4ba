//! The stored figures (ticket counts, lifetime values, latest answers,
//! customer since, best lead score, weighted amounts) of the seeded rows,
//! recomputed by the core's own refresh before the commit, in the seed's
//! transaction: the rows are written without the operations that keep
//! those columns current, so one set of rules stays the only one.
//!
//! On PostgreSQL the transaction is sqlx's own (COPY needs it); the core
//! speaks SeaORM's connection trait, so [`Open`] lends it the transaction
//! for the refresh, binding values exactly as SeaORM does.

use rapport_core::ops::duplicates;
use rapport_core::rules::stored_figures::refresh_workspace;
use rapport_core::search::documents;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, Statement, Values};
use sea_query_sqlx::SqlxValues;
use tokio::sync::Mutex;
use uuid::Uuid;

type Transaction = sqlx::Transaction<'static, Postgres>;

/// Refreshes every stored figure of `workspace`, its duplicate pairs and
/// search documents (on PostgreSQL the bulk load skips the triggers that
/// keep them), on a SeaORM transaction (SQLite) or connection.
pub async fn refresh<C: ConnectionTrait>(conn: &C, workspace: Uuid) -> anyhow::Result<()> {
    timed(
        "refreshing the stored figures",
        "stored figures computed",
        refresh_workspace(conn, workspace),
    )
    .await?;
    timed(
        "finding the duplicate pairs",
        "duplicate pairs found",
        duplicates::rebuild(conn, workspace),
    )
    .await?;
    timed(
        "writing the search documents",
        "search documents written",
        documents::rebuild(conn, workspace),
    )
    .await
}

/// Runs one step of the refresh, logging how long it took.
async fn timed(
    doing: &str,
    done: &'static str,
    step: impl std::future::Future<Output = rapport_core::CoreResult<()>>,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    step.await.map_err(|e| anyhow::anyhow!("{doing}: {e:?}"))?;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "{done}");
    Ok(())
}

/// [`refresh`] on the seed's PostgreSQL transaction; hands it back.
pub async fn refresh_postgres(
    mut txn: Transaction,
    workspace: Uuid,
    analyze: bool,
) -> anyhow::Result<Transaction> {
    // The refresh runs an indexed lookup per row, but only a planner that
    // knows how many rows there are picks the indexes: without statistics
    // the tables look empty, and 2,000 contacts took 77 s of sequential
    // scans instead of 0.1 s. ANALYZE samples the transaction's own rows.
    if analyze {
        let analyzed = std::time::Instant::now();
        sqlx::query("ANALYZE").execute(&mut *txn).await?;
        tracing::info!(
            seconds = analyzed.elapsed().as_secs_f64(),
            "analyzed the new rows"
        );
    }
    let open = Open(Mutex::new(txn));
    refresh(&open, workspace).await?;
    Ok(open.0.into_inner())
}

/// An open sqlx transaction as a SeaORM connection.
struct Open(Mutex<Transaction>);

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

fn error(e: sqlx::Error) -> DbErr {
    DbErr::Custom(e.to_string())
}

#[async_trait::async_trait]
impl ConnectionTrait for Open {
    fn get_database_backend(&self) -> DbBackend {
        DbBackend::Postgres
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let mut txn = self.0.lock().await;
        let done = query(&stmt).execute(&mut **txn).await.map_err(error)?;
        Ok(done.into())
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        let mut txn = self.0.lock().await;
        let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut **txn)
            .await
            .map_err(error)?;
        Ok(done.into())
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let mut txn = self.0.lock().await;
        let row = query(&stmt)
            .fetch_optional(&mut **txn)
            .await
            .map_err(error)?;
        Ok(row.map(Into::into))
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut txn = self.0.lock().await;
        let rows = query(&stmt).fetch_all(&mut **txn).await.map_err(error)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
