//! One subscriber's stream: the workspace's events after a cursor, replayed
//! from the outbox and then live from the [`Feed`], each exactly once and in
//! order.
//!
//! The seam between replay and live is safe because the live receiver is
//! taken *before* the outbox is read: an event committed meanwhile is in
//! both, and the number check drops the second copy. Any hole in the live
//! stream (a receiver that fell behind its buffer, a first event the feed
//! relayed before this subscriber existed) is read from the outbox.

use std::sync::Arc;

use entity::event;
use futures_util::Stream;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::feed::{FILL_PAGE, Feed};
use super::outbox;
use crate::metrics::Metrics;

/// Why a stream cannot start at the requested cursor.
#[derive(Debug)]
pub enum OpenError {
    /// Events after the cursor were pruned: the client must reload and
    /// subscribe afresh.
    Expired,
    /// The cursor is beyond the workspace's last event.
    Unknown,
    Database(DbErr),
}

impl From<DbErr> for OpenError {
    fn from(err: DbErr) -> Self {
        Self::Database(err)
    }
}

/// What a subscription stream needs from the server.
#[derive(Clone)]
pub struct Source {
    pub db: DatabaseConnection,
    pub feed: Arc<Feed>,
    pub metrics: Arc<Metrics>,
}

/// The stream of `workspace_id`'s events after `after` (or from now on), and
/// the number it starts after. Fails up front, not mid-stream, when the
/// cursor cannot be honoured.
pub async fn open(
    source: Source,
    workspace_id: Uuid,
    after: Option<i64>,
) -> Result<
    (
        i64,
        impl Stream<Item = Result<Arc<event::Model>, DbErr>> + Send + use<>,
    ),
    OpenError,
> {
    let mut live = source.feed.subscribe();
    let bounds = outbox::bounds(&source.db, workspace_id).await?;
    let start = match after {
        None => bounds.last,
        Some(cursor) if cursor > bounds.last || cursor < 0 => return Err(OpenError::Unknown),
        Some(cursor) if !bounds.can_replay_after(cursor) => return Err(OpenError::Expired),
        Some(cursor) => cursor,
    };
    let watch = source.feed.watch(workspace_id, start);
    Ok((
        start,
        async_stream::try_stream! {
            let _watch = watch;
            let Source { db, metrics, .. } = source;
            let mut last = start;
            loop {
                // Queries are boxed: held inline, their futures would size the
                // stream, which every idle subscriber keeps.
                let rows = Box::pin(outbox::after(&db, workspace_id, last, None, FILL_PAGE)).await?;
                let full = rows.len() as u64 == FILL_PAGE;
                for row in rows {
                    last = row.seq;
                    yield Arc::new(row);
                }
                if !full {
                    break;
                }
            }
            loop {
                let e = match live.recv().await {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => {
                        // The next event received shows the hole, filled below.
                        Metrics::inc(&metrics.subscriber_lags);
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                if e.workspace_id != workspace_id || e.seq <= last {
                    continue;
                }
                while last + 1 < e.seq {
                    let rows = Box::pin(outbox::after(&db, workspace_id, last, Some(e.seq - 1), FILL_PAGE)).await?;
                    if rows.is_empty() {
                        break;
                    }
                    for row in rows {
                        last = row.seq;
                        Metrics::inc(&metrics.events_recovered);
                        yield Arc::new(row);
                    }
                }
                last = e.seq;
                yield e;
            }
        },
    ))
}
