//! New record ids: UUID v7, or inside [`scope`] ids from a given source, so
//! a writer that must be repeatable (the demo seed) gets the same ids on
//! every run while writing through the same operations as everyone else.

use std::future::Future;
use std::sync::Arc;

use uuid::Uuid;

/// Where ids come from inside a [`scope`].
pub type IdSource = Arc<dyn Fn() -> Uuid + Send + Sync>;

tokio::task_local! {
    static SOURCE: IdSource;
}

/// A new id for a row: from the scope's source, else a fresh UUID v7.
pub fn new_id() -> Uuid {
    SOURCE
        .try_with(|source| source())
        .unwrap_or_else(|_| Uuid::now_v7())
}

/// Runs `work` with its new ids taken from `source`.
pub async fn scope<F: Future>(source: IdSource, work: F) -> F::Output {
    SOURCE.scope(source, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scope_supplies_the_ids() {
        let fixed = Uuid::from_u128(7);
        let inside = scope(Arc::new(move || fixed), async { new_id() }).await;
        assert_eq!(inside, fixed);
        assert_ne!(new_id(), fixed);
    }
}
