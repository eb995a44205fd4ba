//! Running a page statement and cutting its rows into per-parent pages.

use std::collections::HashMap;

use sea_orm::sea_query::Value;
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, FromQueryResult, QueryResult, Statement, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use super::cursor::calculated_value;
use super::query::PageQuery;
use super::{SortKey, Window};

/// Where a parent's page lies in [`Pages::rows`], and its page info.
#[derive(Debug, Clone, Default)]
pub struct PageSlice {
    pub start: usize,
    pub end: usize,
    pub has_next: bool,
    pub has_previous: bool,
    /// The rows matching the filter, across all pages: 0 unless the page
    /// was asked to count ([`PageQuery::count`]).
    pub total: i64,
}

/// The pages of every parent of a level, in one list so that the next level
/// can load the children of all of them at once.
#[derive(Debug)]
pub struct Pages<M, X = ()> {
    pub rows: Vec<M>,
    /// Per-row extra values read from the same statement (e.g. a link's role).
    pub extras: Vec<X>,
    /// Per row, the values of the calculated sort keys (`None` for column
    /// keys, which the row itself holds); empty without calculated keys.
    pub calculated: Vec<Vec<Option<Value>>>,
    pub by_parent: HashMap<Uuid, PageSlice>,
}

impl<M, X> Pages<M, X> {
    /// The page of `parent` (`Uuid::nil()` for a top-level list).
    pub fn slice(&self, parent: Uuid) -> PageSlice {
        self.by_parent.get(&parent).cloned().unwrap_or_default()
    }
}

impl PageQuery<'_> {
    /// Runs the statement and cuts the result into pages; `extra` reads
    /// per-row values beyond the model's columns.
    pub async fn fetch<M, X, C>(
        self,
        db: &C,
        extra: impl Fn(&QueryResult) -> Result<X, DbErr>,
    ) -> Result<Pages<M, X>, DbErr>
    where
        M: FromQueryResult,
        C: ConnectionTrait + TransactionTrait,
    {
        self.fetch_with(db, |row| M::from_query_result(row, ""), extra)
            .await
    }

    /// Like [`fetch`](Self::fetch), each row read by `decode` (the fast read
    /// path reads only the columns a query selects).
    pub async fn fetch_with<M, X, C>(
        self,
        db: &C,
        decode: impl Fn(&QueryResult) -> Result<M, DbErr>,
        extra: impl Fn(&QueryResult) -> Result<X, DbErr>,
    ) -> Result<Pages<M, X>, DbErr>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let window = self.window.clone();
        let partitioned = self.partition.is_some();
        let counted = self.count;
        let keys: Vec<SortKey> = self.keys.to_vec();
        let any_calculated = keys.iter().any(|k| k.ty.is_expression());
        let backend = db.get_database_backend();
        let filtered_by_subquery = backend == DbBackend::Postgres && has_subquery(backend, &self);
        let statement = self.statement(backend);
        let results = if filtered_by_subquery {
            custom_planned(db, statement).await?
        } else {
            db.query_all_raw(statement).await?
        };
        let mut pages = Pages {
            rows: Vec::new(),
            extras: Vec::new(),
            calculated: Vec::new(),
            by_parent: HashMap::new(),
        };
        let mut pending: Vec<(M, X, Vec<Option<Value>>)> = Vec::new();
        let mut current: Option<(Uuid, PageSlice)> = None;
        for row in &results {
            let parent = if partitioned {
                row.try_get::<Option<Uuid>>("", "_p")?.unwrap_or_default()
            } else {
                Uuid::nil()
            };
            if current.as_ref().map(|(p, _)| *p) != Some(parent) {
                if let Some((p, slice)) = current.take() {
                    finish_page(&mut pages, &mut pending, p, slice, &window);
                }
                let total: i64 = if counted {
                    row.try_get("", "_total")?
                } else {
                    0
                };
                let slice = PageSlice {
                    total,
                    ..Default::default()
                };
                current = Some((parent, slice));
            }
            let in_range = row
                .try_get::<i32>("", "_in")
                .or_else(|_| row.try_get::<i64>("", "_in").map(|v| v as i32))?
                == 1;
            if in_range {
                let mut calculated = Vec::new();
                if any_calculated {
                    for (index, key) in keys.iter().enumerate() {
                        calculated.push(match key.ty.is_expression() {
                            true => Some(calculated_value(row, index, key.ty)?),
                            false => None,
                        });
                    }
                }
                pending.push((decode(row)?, extra(row)?, calculated));
            } else if let Some((_, slice)) = current.as_mut() {
                // The statement adds one row outside the cursor range per
                // parent when there is any: rows exist beyond `after`/`before`.
                slice.has_previous = true;
                slice.has_next = true;
            }
        }
        if let Some((p, slice)) = current.take() {
            finish_page(&mut pages, &mut pending, p, slice, &window);
        }
        Ok(pages)
    }
}

fn finish_page<M, X>(
    pages: &mut Pages<M, X>,
    pending: &mut Vec<(M, X, Vec<Option<Value>>)>,
    parent: Uuid,
    mut slice: PageSlice,
    window: &Window,
) {
    let limit = usize::try_from(window.limit).unwrap_or(usize::MAX);
    let more = pending.len() > limit;
    pending.truncate(limit);
    if window.backward {
        pending.reverse();
        // Rows outside the range are after `before` (or before `after`).
        slice.has_next = window.before.is_some() && slice.has_next;
        slice.has_previous = more;
    } else {
        slice.has_previous = window.after.is_some() && slice.has_previous;
        slice.has_next = more;
    }
    slice.start = pages.rows.len();
    for (model, extra, calculated) in pending.drain(..) {
        pages.rows.push(model);
        pages.extras.push(extra);
        pages.calculated.push(calculated);
    }
    slice.end = pages.rows.len();
    pages.by_parent.insert(parent, slice);
}

/// Whether the page's filter holds a subquery (tags, related records, a
/// search): the base statement then selects more than once.
fn has_subquery(backend: DbBackend, page: &PageQuery<'_>) -> bool {
    backend.build(&page.base).sql.matches("SELECT").count() > 1
}

/// The call that has PostgreSQL plan each statement of the transaction for
/// its own values (searches join it to their own settings).
pub const CUSTOM_PLANS: &str = "set_config('plan_cache_mode', 'force_custom_plan', true)";

/// Runs `statement` with a plan made for its own values (PostgreSQL).
///
/// A server's connections otherwise settle on PostgreSQL's generic plan
/// after five executions, made for no workspace in particular and so for
/// the average one. For a filter with a subquery the best plan depends on
/// how many rows the workspace holds: beside 1,000 small workspaces, the
/// large one's contacts tagged with two tags took 612 ms under the generic
/// plan against 9 ms (BENCHMARKS.md, "generic plan"). Planning such a
/// statement costs a fraction of a millisecond; plain pages keep their
/// cached plans.
async fn custom_planned<C>(db: &C, statement: Statement) -> Result<Vec<QueryResult>, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT {CUSTOM_PLANS}"))
        .await?;
    let rows = txn.query_all_raw(statement).await?;
    txn.commit().await?;
    Ok(rows)
}
