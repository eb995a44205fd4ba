//! The one statement that pages every parent's children at once, reading
//! only the rows of the page.
//!
//! A top-level page is an index range: the rows after the cursor in the
//! order of the sort keys, `LIMIT n + 1` (the extra row says whether there
//! is a next page). When a cursor is given, one more row, the first outside
//! the cursor range (`LIMIT 1`), says whether rows lie beyond it.
//!
//! Per-parent pages on PostgreSQL run that same bounded pair once per parent
//! through `CROSS JOIN LATERAL` over the parents' ids, so no parent's
//! children are numbered beyond its page. SQLite has no LATERAL: there each
//! parent's children are numbered with `ROW_NUMBER() OVER (PARTITION BY …)`
//! among the children of the level's parents only.
//!
//! `totalCount` costs a pass over the whole filtered set, so it is counted
//! only when a query selects it ([`PageQuery::count`]), in the same statement.

use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, ExprTrait, Func, JoinType, NullOrdering, Order,
    OverStatement, Query, SelectStatement, UnionType, Value, WindowStatement,
};
use sea_orm::sea_query::{ArrayType, SubQueryStatement};
use sea_orm::{DbBackend, Statement};
use uuid::Uuid;

use super::cursor::{keyset_condition, row_comparison};
use super::{SortKey, Window};

/// One page per parent (or one page, without parents), built on `base`.
pub struct PageQuery<'a> {
    /// SELECT of the row columns FROM the table(s) WHERE scope and filter.
    pub base: SelectStatement,
    /// The parents whose children are paged; `None` for a top-level list.
    pub partition: Option<Partition>,
    /// The ordering, ending with the `id` key.
    pub keys: &'a [SortKey],
    pub window: &'a Window,
    /// Whether `totalCount` is read: otherwise nothing counts the whole set
    /// and every slice's `total` is 0.
    pub count: bool,
}

/// The parent key of a per-parent page, and the parents of the level.
pub struct Partition {
    /// The expression holding a row's parent id (a foreign key or a link
    /// table's column); `base` already keeps only the listed parents' rows.
    pub key: Expr,
    pub parents: Vec<Uuid>,
}

/// The alias of a key's value in the statement's output: every key is
/// selected under it, so the outer query can order the page's rows.
pub(super) fn key_alias(index: usize) -> String {
    format!("_k{index}")
}

impl PageQuery<'_> {
    pub(super) fn statement(self, backend: DbBackend) -> Statement {
        let select = match (&self.partition, backend) {
            (Some(_), DbBackend::Postgres) => self.lateral(backend),
            (Some(_), _) => self.numbered(backend),
            (None, _) => self.ranged(backend),
        };
        backend.build(&select)
    }

    /// Whether a cursor narrows the rows.
    fn has_range(&self) -> bool {
        self.window.after.is_some() || self.window.before.is_some()
    }

    /// The rows between the cursors.
    fn range(&self, backend: DbBackend) -> Condition {
        let mut range = Condition::all();
        if let Some(after) = &self.window.after {
            range = range.add(keyset_condition(self.keys, after, true, backend));
        }
        if let Some(before) = &self.window.before {
            range = range.add(keyset_condition(self.keys, before, false, backend));
        }
        range
    }

    /// The rows outside the cursor range as row comparisons an index can
    /// seek by (`(key, id) <= (after)`), when the keys allow it. Otherwise
    /// `None`, and the probe tests the range through a CASE, which keeps
    /// rows whose keyset test is unknown (NULLs) out of it as the range does.
    fn outside(&self, backend: DbBackend) -> Option<Condition> {
        let mut outside = Condition::any();
        if let Some(after) = &self.window.after {
            outside = outside.add(row_comparison(self.keys, after, true, true, backend)?);
        }
        if let Some(before) = &self.window.before {
            outside = outside.add(row_comparison(self.keys, before, false, true, backend)?);
        }
        Some(outside)
    }

    /// `base` with every key selected as `_k<i>` (and the parent as `_p`).
    fn keyed(&self, backend: DbBackend) -> SelectStatement {
        let mut select = self.base.clone();
        if let Some(partition) = &self.partition {
            select.expr_as(partition.key.clone(), "_p");
        }
        for (index, key) in self.keys.iter().enumerate() {
            select.expr_as(key.expr(backend), key_alias(index));
        }
        select
    }

    /// The sort of the page: the keys in the window's direction, NULLs of
    /// nullable keys last in both directions (first when `last` reverses
    /// the rows). Written as `NULLS LAST`/`FIRST` rather than a CASE, so an
    /// index on the column serves the sort; keys without NULLs say nothing,
    /// as PostgreSQL matches a backward index scan only to the default
    /// (`DESC NULLS FIRST`).
    fn order(
        &self,
        expr: impl Fn(usize, &SortKey) -> Expr,
    ) -> Vec<(Expr, Order, Option<NullOrdering>)> {
        let backward = self.window.backward;
        let nulls = if backward {
            NullOrdering::First
        } else {
            NullOrdering::Last
        };
        self.keys
            .iter()
            .enumerate()
            .map(|(index, key)| {
                let order = if key.desc != backward {
                    Order::Desc
                } else {
                    Order::Asc
                };
                (expr(index, key), order, key.nullable.then_some(nulls))
            })
            .collect()
    }

    /// The page's rows (`_in` = 1, at most `n + 1`) and, with a cursor, the
    /// first row outside its range (`_in` = 0), as one UNION ALL.
    fn bounded_pair(&self, backend: DbBackend, extra: Condition) -> SelectStatement {
        let member = |in_range: bool, limit: u64| {
            let mut select = self.keyed(backend);
            let range = self.range(backend);
            let condition = if in_range {
                range
            } else {
                self.outside(backend)
                    .unwrap_or_else(|| Condition::all().add(Expr::case(range, 1).finally(0).eq(0)))
            };
            select
                .expr_as(Expr::val(i32::from(in_range)), "_in")
                .cond_where(condition)
                .cond_where(extra.clone());
            for (expr, order, nulls) in self.order(|_, key| key.expr(backend)) {
                sort_select(&mut select, expr, order, nulls);
            }
            select.limit(limit);
            Query::select()
                .column(Asterisk)
                .from_subquery(select, Alias::new(if in_range { "_a" } else { "_b" }))
                .to_owned()
        };
        let mut pair = member(true, self.window.limit + 1);
        if self.has_range() {
            pair.union(UnionType::All, member(false, 1));
        }
        pair
    }

    /// Orders the output rows: by parent, the page before the probe row,
    /// then by the selected key values.
    fn order_output(&self, select: &mut SelectStatement) {
        if self.partition.is_some() {
            select.order_by_expr(Expr::col(Alias::new("_p")), Order::Asc);
        }
        select.order_by_expr(Expr::col(Alias::new("_in")), Order::Desc);
        for (expr, order, nulls) in self.order(|index, _| Expr::col(Alias::new(key_alias(index)))) {
            sort_select(select, expr, order, nulls);
        }
    }

    /// A top-level page: an index range with `LIMIT`.
    fn ranged(&self, backend: DbBackend) -> SelectStatement {
        let mut select = Query::select();
        select
            .column((Alias::new("_page"), Asterisk))
            .from_subquery(
                self.bounded_pair(backend, Condition::all()),
                Alias::new("_page"),
            );
        if self.count {
            select.expr_as(count_of(self.base.clone()), "_total");
        }
        self.order_output(&mut select);
        select.to_owned()
    }

    /// Per-parent pages on PostgreSQL: the bounded pair once per parent.
    fn lateral(&self, backend: DbBackend) -> SelectStatement {
        let Some(partition) = &self.partition else {
            return self.ranged(backend);
        };
        let parent = Expr::col((Alias::new("_parents"), Alias::new("_pid")));
        let mine = Condition::all().add(partition.key.clone().eq(parent.clone()));
        let ids: Vec<Value> = partition
            .parents
            .iter()
            .map(|id| Value::Uuid(Some(*id)))
            .collect();
        let parents = Query::select()
            .expr_as(
                Func::cust(Alias::new("unnest")).arg(Expr::val(Value::Array(
                    ArrayType::Uuid,
                    Some(Box::new(ids)),
                ))),
                "_pid",
            )
            .to_owned();
        let mut select = Query::select();
        select
            .column((Alias::new("_page"), Asterisk))
            .from_subquery(parents, Alias::new("_parents"))
            .join_lateral(
                JoinType::InnerJoin,
                self.bounded_pair(backend, mine.clone()),
                Alias::new("_page"),
                Expr::val(true),
            );
        if self.count {
            let mut counted = self.base.clone();
            counted.cond_where(mine);
            select.expr_as(count_of(counted), "_total");
        }
        self.order_output(&mut select);
        select.to_owned()
    }

    /// Per-parent pages without LATERAL: each parent's rows numbered in the
    /// requested order, the first `n + 1` in range kept, plus the first row
    /// outside the cursor range.
    fn numbered(&self, backend: DbBackend) -> SelectStatement {
        let range = self.range(backend);
        let in_range: Expr = if self.has_range() {
            Expr::case(range, 1).finally(0).into()
        } else {
            Expr::val(1)
        };
        let by_parent = || {
            let mut w = WindowStatement::new();
            if let Some(p) = &self.partition {
                w.add_partition_by(p.key.clone());
            }
            w
        };
        let mut numbering = by_parent();
        if self.has_range() {
            numbering.add_partition_by(in_range.clone());
        }
        for (expr, order, nulls) in self.order(|_, key| key.expr(backend)) {
            match nulls {
                Some(nulls) => numbering.order_by_expr_with_nulls(expr, order, nulls),
                None => numbering.order_by_expr(expr, order),
            };
        }
        let mut inner = self.keyed(backend);
        if self.count {
            inner.expr_window_as(Expr::cust("COUNT(*)"), by_parent(), "_total");
        }
        inner
            .expr_as(in_range, "_in")
            .expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, "_rn");
        let rn = || Expr::col(Alias::new("_rn"));
        let mut select = Query::select();
        select
            .column(Asterisk)
            .from_subquery(inner, Alias::new("_page"))
            .and_where(rn().lte(self.window.limit + 1))
            .cond_where(
                Condition::any()
                    .add(Expr::col(Alias::new("_in")).eq(1))
                    .add(rn().eq(1)),
            );
        select
            .order_by_expr(Expr::col(Alias::new("_p")), Order::Asc)
            .order_by_expr(Expr::col(Alias::new("_in")), Order::Desc)
            .order_by_expr(rn(), Order::Asc);
        select.to_owned()
    }
}

fn sort_select(
    select: &mut SelectStatement,
    expr: Expr,
    order: Order,
    nulls: Option<NullOrdering>,
) {
    match nulls {
        Some(nulls) => select.order_by_expr_with_nulls(expr, order, nulls),
        None => select.order_by_expr(expr, order),
    };
}

/// `(SELECT COUNT(*) FROM (<rows>))`: counts the rows `select` keeps.
fn count_of(mut select: SelectStatement) -> Expr {
    select.clear_selects();
    select.expr(Expr::cust("1"));
    let count = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(select, Alias::new("_c"))
        .to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(count)))
}
