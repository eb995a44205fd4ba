//! The one statement that pages every parent's children at once.

use std::collections::HashMap;

use sea_orm::sea_query::{
    Condition, Expr, ExprTrait, Order, OverStatement, SelectStatement, Value, WindowStatement,
};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, QueryResult, Statement};
use uuid::Uuid;

use super::cursor::{calculated_value, keyset_condition};
use super::{KeyType, SortKey, Window};

/// One page per parent (or one page, without parents), built on `base`.
pub struct PageQuery<'a> {
    /// SELECT of the row columns FROM the table(s) WHERE scope and filter.
    pub base: SelectStatement,
    /// The parent key expression; `None` for a top-level list.
    pub partition: Option<Expr>,
    /// The ordering, ending with the `id` key.
    pub keys: &'a [SortKey],
    pub window: &'a Window,
}

/// Where a parent's page lies in [`Pages::rows`], and its page info.
#[derive(Debug, Clone, Default)]
pub struct PageSlice {
    pub start: usize,
    pub end: usize,
    pub has_next: bool,
    pub has_previous: bool,
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
    fn statement(self, backend: sea_orm::DbBackend) -> Statement {
        let PageQuery {
            mut base,
            partition,
            keys,
            window,
        } = self;
        let mut range = Condition::all();
        if let Some(after) = &window.after {
            range = range.add(keyset_condition(keys, after, true, backend));
        }
        if let Some(before) = &window.before {
            range = range.add(keyset_condition(keys, before, false, backend));
        }
        let has_range = window.after.is_some() || window.before.is_some();
        let in_range = if has_range {
            Expr::case(range, 1).finally(0).into()
        } else {
            Expr::val(1)
        };

        let by_parent = || {
            let mut w = WindowStatement::new();
            if let Some(p) = &partition {
                w.add_partition_by(p.clone());
            }
            w
        };
        let mut numbering = by_parent();
        if has_range {
            numbering.add_partition_by(in_range.clone());
        }
        for key in keys {
            let order = if key.desc != window.backward {
                Order::Desc
            } else {
                Order::Asc
            };
            if key.nullable {
                let nulls = Expr::case(key.expr(backend).is_null(), 1).finally(0);
                numbering.order_by_expr(
                    nulls.into(),
                    if window.backward {
                        Order::Desc
                    } else {
                        Order::Asc
                    },
                );
            }
            numbering.order_by_expr(key.expr(backend), order);
        }
        if let Some(p) = &partition {
            base.expr_as(p.clone(), "_p");
        }
        for (index, key) in keys.iter().enumerate() {
            if matches!(key.ty, KeyType::Calculated(_)) {
                base.expr_as(key.expr(backend), format!("_k{index}"));
            }
        }
        base.expr_window_as(Expr::cust("COUNT(*)"), by_parent(), "_total")
            .expr_as(in_range.clone(), "_in")
            .expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, "_rn");
        let inner = backend.build(&base);
        let order = if partition.is_some() {
            r#""_p", "_in" DESC, "_rn""#
        } else {
            r#""_in" DESC, "_rn""#
        };
        let sql = format!(
            r#"SELECT * FROM ({}) AS "_page" WHERE "_rn" <= {} AND ("_in" = 1 OR "_rn" = 1) ORDER BY {order}"#,
            inner.sql,
            window.limit + 1
        );
        Statement { sql, ..inner }
    }

    /// Runs the statement and cuts the result into pages; `extra` reads
    /// per-row values beyond the model's columns.
    pub async fn fetch<M, X, C>(
        self,
        db: &C,
        extra: impl Fn(&QueryResult) -> Result<X, DbErr>,
    ) -> Result<Pages<M, X>, DbErr>
    where
        M: FromQueryResult,
        C: ConnectionTrait,
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
        C: ConnectionTrait,
    {
        let window = self.window.clone();
        let partitioned = self.partition.is_some();
        let keys: Vec<SortKey> = self.keys.to_vec();
        let any_calculated = keys.iter().any(|k| matches!(k.ty, KeyType::Calculated(_)));
        let statement = self.statement(db.get_database_backend());
        let results = db.query_all_raw(statement).await?;
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
                let total: i64 = row.try_get("", "_total")?;
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
                        calculated.push(match key.ty {
                            KeyType::Calculated(_) => Some(calculated_value(row, index, key.ty)?),
                            _ => None,
                        });
                    }
                }
                pending.push((decode(row)?, extra(row)?, calculated));
            } else if let Some((_, slice)) = current.as_mut() {
                // The outer query keeps one row outside the cursor range per
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
