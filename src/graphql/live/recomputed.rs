//! Live figures (the dashboard, the leaderboard): computed once when the
//! subscription starts, then again after each event that concerns them, and
//! pushed only when what they show changed.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use entity::event;
use futures_util::{Stream, StreamExt};
use tokio::time::Instant;

/// Figures are pushed at most once per this interval during a storm of writes.
pub const COALESCE: Duration = Duration::from_millis(250);

/// `first`, then `compute`'s figures after each event of `changes` that is
/// `relevant` (a burst coalesced into one recomputation per [`COALESCE`]),
/// whenever `shown_as` (what a client sees of them) differs from what was
/// last pushed. Ends with `changes`, or on the first error, logged as
/// `subscription`'s.
pub fn recomputed<T, K, E, F>(
    first: T,
    changes: impl Stream<Item = Arc<event::Model>> + Send + 'static,
    relevant: impl Fn(&event::Model) -> bool + Send + 'static,
    mut compute: impl FnMut() -> F + Send + 'static,
    shown_as: impl Fn(&T) -> K + Send + 'static,
    subscription: &'static str,
) -> impl Stream<Item = T> + Send + 'static
where
    T: Send + 'static,
    K: PartialEq + Send + 'static,
    E: Debug + Send + 'static,
    F: Future<Output = Result<T, E>> + Send + 'static,
{
    async_stream::stream! {
        let mut changes = Box::pin(changes);
        let mut shown = shown_as(&first);
        let mut shown_at = Instant::now();
        yield first;
        while let Some(e) = changes.next().await {
            if !relevant(&e) {
                continue;
            }
            // Coalesce: let the rest of a burst arrive before recomputing.
            let due = shown_at + COALESCE;
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(due) => break,
                    next = changes.next() => if next.is_none() { return },
                }
            }
            match compute().await {
                Ok(figures) => {
                    shown_at = Instant::now();
                    let now_shown = shown_as(&figures);
                    if now_shown != shown {
                        shown = now_shown;
                        yield figures;
                    }
                }
                Err(error) => {
                    tracing::warn!(?error, subscription, "live figures ended: unreadable");
                    return;
                }
            }
        }
    }
}
