//! Statements whose request is gone stop in PostgreSQL.
//!
//! A request past its time limit (or whose client left, or that the
//! shutdown cut off) is dropped mid-await: the connections it held go back
//! to the pool while their statements still run in PostgreSQL. sqlx would
//! then wait for each statement to end (its release check reads up to the
//! next "ready for query"), so a statement that began late in the request
//! could run for the whole `statement_timeout` after the answer went out,
//! holding its locks and a backend. Instead, a connection that does not
//! answer a ping promptly when handed back is closed, and PostgreSQL aborts
//! its statement at the next client connection check and rolls back.
//!
//! Why not cancel by backend pid, or `SET LOCAL statement_timeout` to the
//! remaining time: sqlx keeps a connection's pid private, so knowing which
//! backends a request holds, or giving each statement the time left, costs
//! a round trip per checkout on every request; this check costs one on the
//! way back, after the answer, and covers reads outside transactions too.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sea_orm::sqlx::pool::PoolConnectionMetadata;
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::sqlx::{self, Connection};

/// How long a connection handed back may take to answer a ping. An idle
/// one answers in a round trip; one whose statement still runs answers
/// only when the statement ends. A busy machine that is slower than this
/// only costs a reconnect.
const PATIENCE: Duration = Duration::from_millis(200);

type Checked<'c> = Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + 'c>>;

/// The pool's `after_release` check: keeps the connection when its last
/// statement is over, and closes it (an error makes sqlx drop the socket
/// without a goodbye) while one still runs.
pub fn close_if_busy(conn: &mut PgConnection, _: PoolConnectionMetadata) -> Checked<'_> {
    Box::pin(async move {
        match tokio::time::timeout(PATIENCE, conn.ping()).await {
            Ok(pinged) => pinged.map(|()| true),
            Err(_) => {
                tracing::warn!(
                    patience_ms = PATIENCE.as_millis() as u64,
                    "a connection came back with a statement still running (its request was dropped): closing it, which aborts the statement"
                );
                Err(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "statement still running when its connection was released",
                )))
            }
        }
    })
}
