//! Which of a list's search filters read through the trigram index instead
//! of testing each row the list walks (see
//! `rapport_core::search::list_filter`): decided by a probe before the
//! list's condition is built, and consulted while it is. The condition is
//! built synchronously, deep inside each record type's filter, so the
//! decisions reach it through a thread-local set only for that call.

use std::cell::RefCell;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::limits;
use super::record::RecordFilter;
use crate::graphql::error::ApiResult;
use rapport_core::search::list_filter::{FilterForm, form};

/// Search filters probed per list: a filter with more reads the rest by
/// walking (each probe is a statement).
const MAX_PROBED: usize = 4;

thread_local! {
    /// `(table, text)` of the search filters that read through the index.
    static INDEXED: RefCell<Vec<(&'static str, String)>> = const { RefCell::new(Vec::new()) };
}

/// The search filters of one list that read through the index.
#[derive(Debug, Default)]
pub struct Decided(Vec<(&'static str, String)>);

impl Decided {
    /// Probes the search filters of `filter` (its own, under `and`, `or` and
    /// `not`; related records' filters walk) in `workspace`. A filter over
    /// the size limits is refused here, before any probe.
    pub async fn probe<F: RecordFilter>(
        db: &DatabaseConnection,
        workspace: Uuid,
        filter: Option<&F>,
    ) -> ApiResult<Self> {
        let Some(filter) = filter else {
            return Ok(Self::default());
        };
        limits::check(filter)?;
        let mut found = Vec::new();
        searches(filter, &mut found);
        let mut indexed = Vec::new();
        for (table, text) in found.into_iter().take(MAX_PROBED) {
            // A bad query is refused when the condition is built, with its field.
            if let Ok(FilterForm::Indexed) = form(db, workspace, table, &text).await {
                indexed.push((table, text));
            }
        }
        Ok(Self(indexed))
    }

    /// `build`'s result with these decisions in force.
    pub fn within<T>(&self, build: impl FnOnce() -> T) -> T {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                INDEXED.with(|cell| cell.borrow_mut().clear());
            }
        }
        INDEXED.with(|cell| *cell.borrow_mut() = self.0.clone());
        let _reset = Reset;
        build()
    }
}

/// Whether the search filter `text` on `table` reads through the index.
pub fn indexed(table: &str, text: &str) -> bool {
    INDEXED.with(|cell| cell.borrow().iter().any(|(t, q)| *t == table && q == text))
}

/// The distinct search filters of `filter`'s own tree, in order.
fn searches<F: RecordFilter>(filter: &F, out: &mut Vec<(&'static str, String)>) {
    if let Some((table, text)) = filter.search_of()
        && !out.iter().any(|(t, q)| *t == table && q == text)
    {
        out.push((table, text.to_owned()));
    }
    for f in filter.and().into_iter().chain(filter.or()).flatten() {
        searches(f, out);
    }
    if let Some(not) = filter.not() {
        searches(not, out);
    }
}
