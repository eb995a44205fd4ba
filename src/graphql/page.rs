//! Paginated lists at one SQL statement per level, for any number of parents.
//!
//! A nested connection (`companies { contacts(first: 10) }`) must page each
//! parent's children separately. [`PageQuery`] does it with window
//! functions: `ROW_NUMBER() OVER (PARTITION BY parent …)` numbers each
//! parent's rows in the requested order, and the outer query keeps the first
//! `n + 1` of each (the extra row says whether there is a next page).
//! `COUNT(*) OVER (PARTITION BY parent)` gives `totalCount` in the same pass.
//!
//! Cursors hold the values of the sort keys of a row, so `after`/`before`
//! become keyset conditions (`(name, id) > (…)`), which stay correct when
//! rows are inserted between two page requests.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::sea_query::{
    Condition, Expr, ExprTrait, Order, OverStatement, SelectStatement, Value, WindowStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, QueryResult, Statement};
use serde_json::json;
use uuid::Uuid;

use super::calculated::{Figure, FigureType};
use super::error::{ApiError, ApiResult};

/// The most rows one page may hold (`first`/`last`).
pub const MAX_PAGE_SIZE: i32 = 100;
/// Rows in a page when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// What a connection field costs in the complexity limit: its page size
/// (as asked, else the default, at most the cap) times what each row selects.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let rows = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    1 + usize::try_from(rows).unwrap_or(1) * child_complexity
}

/// The Relay pagination arguments of a connection field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// How a sort key's values are typed, to read them back from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Uuid,
    Int,
    BigInt,
    Text,
    Timestamp,
    Date,
    /// A calculated figure (an SQL expression), read back as its own type.
    Calculated(Figure),
}

impl KeyType {
    /// The type the key's values have.
    fn values(self) -> KeyType {
        match self {
            KeyType::Calculated(figure) => match figure.value_type() {
                FigureType::BigInt => KeyType::BigInt,
                FigureType::Int => KeyType::Int,
                FigureType::Timestamp => KeyType::Timestamp,
            },
            other => other,
        }
    }
}

/// One column (or calculated figure) a page is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub table: &'static str,
    pub column: &'static str,
    pub ty: KeyType,
    /// Nullable keys sort their NULLs last, in both directions.
    pub nullable: bool,
    pub desc: bool,
}

impl SortKey {
    /// The `id` key every ordering ends with, so that the order is total.
    pub const fn id(table: &'static str) -> Self {
        Self {
            table,
            column: "id",
            ty: KeyType::Uuid,
            nullable: false,
            desc: false,
        }
    }

    fn expr(&self, backend: DbBackend) -> Expr {
        match self.ty {
            KeyType::Calculated(figure) => figure.expr(backend),
            _ => Expr::col((self.table, self.column)),
        }
    }

    /// A key on a calculated figure of `table`'s rows.
    pub fn calculated(table: &'static str, figure: Figure) -> Self {
        Self {
            table,
            column: figure.name(),
            ty: KeyType::Calculated(figure),
            nullable: figure.nullable(),
            desc: false,
        }
    }

    fn signature(keys: &[SortKey]) -> String {
        keys.iter()
            .map(|k| format!("{}{}", k.column, if k.desc { "-" } else { "+" }))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The validated pagination of one request.
#[derive(Debug, Clone)]
pub struct Window {
    /// Rows wanted per parent.
    pub limit: u64,
    /// True for `last`: the page is taken from the end.
    pub backward: bool,
    after: Option<Vec<Value>>,
    before: Option<Vec<Value>>,
}

impl PageArgs {
    /// Checks the arguments against the cap and decodes the cursors for `keys`.
    pub fn window(&self, keys: &[SortKey]) -> ApiResult<Window> {
        let size = |value: Option<i32>, name: &str| -> ApiResult<Option<u64>> {
            match value {
                None => Ok(None),
                Some(n) if !(0..=MAX_PAGE_SIZE).contains(&n) => Err(ApiError::bad_input(
                    name,
                    format!("must be between 0 and {MAX_PAGE_SIZE}"),
                )),
                Some(n) => Ok(Some(n as u64)),
            }
        };
        let (first, last) = (size(self.first, "first")?, size(self.last, "last")?);
        let (limit, backward) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_input(
                    "last",
                    "use either first or last, not both",
                ));
            }
            (Some(n), None) => (n, false),
            (None, Some(n)) => (n, true),
            (None, None) => (
                DEFAULT_PAGE_SIZE as u64,
                self.before.is_some() && self.after.is_none(),
            ),
        };
        let after = self
            .after
            .as_deref()
            .map(|c| decode_cursor(c, keys, "after"))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|c| decode_cursor(c, keys, "before"))
            .transpose()?;
        Ok(Window {
            limit,
            backward,
            after,
            before,
        })
    }
}

/// The cursor of a row: the values of its sort keys.
pub fn encode_cursor(values: &[Value], keys: &[SortKey]) -> String {
    let values: Vec<serde_json::Value> = values.iter().map(value_to_json).collect();
    URL_SAFE_NO_PAD.encode(json!({ "k": SortKey::signature(keys), "v": values }).to_string())
}

fn decode_cursor(cursor: &str, keys: &[SortKey], field: &str) -> ApiResult<Vec<Value>> {
    let bad = || ApiError::bad_input(field, "not a cursor of this list and ordering");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let parsed: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if parsed["k"].as_str() != Some(SortKey::signature(keys).as_str()) {
        return Err(bad());
    }
    let values = parsed["v"].as_array().ok_or_else(bad)?;
    if values.len() != keys.len() {
        return Err(bad());
    }
    keys.iter()
        .zip(values)
        .map(|(key, value)| json_to_value(value, key).ok_or_else(bad))
        .collect()
}

fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Uuid(Some(u)) => json!(u.to_string()),
        Value::Int(Some(i)) => json!(i),
        Value::BigInt(Some(i)) => json!(i),
        Value::String(Some(s)) => json!(s),
        Value::ChronoDateTimeUtc(Some(t)) => json!(t.to_rfc3339_opts(SecondsFormat::Micros, true)),
        Value::ChronoDate(Some(d)) => json!(d.to_string()),
        _ => serde_json::Value::Null,
    }
}

fn json_to_value(value: &serde_json::Value, key: &SortKey) -> Option<Value> {
    if value.is_null() {
        return key.nullable.then(|| null_of(key.ty));
    }
    Some(match key.ty.values() {
        KeyType::Uuid => Value::Uuid(Some(Uuid::parse_str(value.as_str()?).ok()?)),
        KeyType::Int => Value::Int(Some(i32::try_from(value.as_i64()?).ok()?)),
        KeyType::BigInt => Value::BigInt(Some(value.as_i64()?)),
        KeyType::Text => Value::String(Some(value.as_str()?.to_owned())),
        KeyType::Timestamp => Value::ChronoDateTimeUtc(Some(
            DateTime::parse_from_rfc3339(value.as_str()?)
                .ok()?
                .with_timezone(&Utc),
        )),
        KeyType::Date => Value::ChronoDate(Some(value.as_str()?.parse::<NaiveDate>().ok()?)),
        KeyType::Calculated(_) => return None,
    })
}

fn null_of(ty: KeyType) -> Value {
    match ty.values() {
        KeyType::Uuid => Value::Uuid(None),
        KeyType::Int => Value::Int(None),
        KeyType::BigInt => Value::BigInt(None),
        KeyType::Text => Value::String(None),
        KeyType::Timestamp => Value::ChronoDateTimeUtc(None),
        KeyType::Date => Value::ChronoDate(None),
        KeyType::Calculated(_) => Value::BigInt(None),
    }
}

/// The value of calculated key `index` of a result row.
fn calculated_value(row: &QueryResult, index: usize, ty: KeyType) -> Result<Value, DbErr> {
    typed_value(row, &format!("_k{index}"), ty)
}

/// Column `column` of a result row, read as the values of a `ty` key are.
fn typed_value(row: &QueryResult, column: &str, ty: KeyType) -> Result<Value, DbErr> {
    Ok(match ty.values() {
        KeyType::Uuid => Value::Uuid(row.try_get::<Option<Uuid>>("", column)?),
        KeyType::Int => Value::Int(row.try_get::<Option<i32>>("", column)?),
        KeyType::Text => Value::String(row.try_get::<Option<String>>("", column)?),
        KeyType::Timestamp => {
            Value::ChronoDateTimeUtc(row.try_get::<Option<DateTime<Utc>>>("", column)?)
        }
        KeyType::Date => Value::ChronoDate(row.try_get::<Option<NaiveDate>>("", column)?),
        KeyType::BigInt | KeyType::Calculated(_) => {
            Value::BigInt(row.try_get::<Option<i64>>("", column)?)
        }
    })
}

/// The sort key values of a result row that selected the key columns (and
/// the calculated keys as `_k<i>`), as a cursor holds them.
pub fn key_values(row: &QueryResult, keys: &[SortKey]) -> Result<Vec<Value>, DbErr> {
    keys.iter()
        .enumerate()
        .map(|(index, key)| match key.ty {
            KeyType::Calculated(_) => calculated_value(row, index, key.ty),
            _ => typed_value(row, key.column, key.ty),
        })
        .collect()
}

fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::Uuid(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::String(None)
            | Value::ChronoDateTimeUtc(None)
            | Value::ChronoDate(None)
    )
}

/// Rows strictly after (`forward`) or before the cursor `values` in the order of `keys`.
fn keyset_condition(
    keys: &[SortKey],
    values: &[Value],
    forward: bool,
    backend: DbBackend,
) -> Condition {
    let mut any = Condition::any();
    let mut equal_so_far: Vec<Expr> = Vec::new();
    let with_prefix = |prefix: &[Expr], last: Expr| {
        prefix
            .iter()
            .cloned()
            .fold(Condition::all(), |c, e| c.add(e))
            .add(last)
    };
    for (key, value) in keys.iter().zip(values) {
        if key.nullable {
            // NULLs sort last: they come after every value and equal each other.
            if is_null(value) {
                if !forward {
                    any = any.add(with_prefix(&equal_so_far, key.expr(backend).is_not_null()));
                }
                equal_so_far.push(key.expr(backend).is_null());
                continue;
            }
            if forward {
                any = any.add(with_prefix(&equal_so_far, key.expr(backend).is_null()));
            }
            equal_so_far.push(key.expr(backend).is_not_null());
        }
        let greater = forward != key.desc;
        let step = if greater {
            key.expr(backend).gt(value.clone())
        } else {
            key.expr(backend).lt(value.clone())
        };
        any = any.add(with_prefix(&equal_so_far, step));
        equal_so_far.push(key.expr(backend).eq(value.clone()));
    }
    any
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [SortKey; 2] = [
        SortKey {
            table: "company",
            column: "name",
            ty: KeyType::Text,
            nullable: false,
            desc: false,
        },
        SortKey::id("company"),
    ];

    #[test]
    fn a_cursor_round_trips_its_values() {
        let id = Uuid::now_v7();
        let cursor = encode_cursor(
            &[Value::String(Some("Acme".into())), Value::Uuid(Some(id))],
            &KEYS,
        );
        let args = PageArgs {
            first: Some(5),
            after: Some(cursor),
            ..Default::default()
        };
        let window = args.window(&KEYS).unwrap();
        assert_eq!(
            window.after.unwrap(),
            vec![Value::String(Some("Acme".into())), Value::Uuid(Some(id))]
        );
    }

    #[test]
    fn a_cursor_of_another_ordering_is_refused() {
        let other = [
            SortKey {
                desc: true,
                ..KEYS[0]
            },
            KEYS[1],
        ];
        let cursor = encode_cursor(
            &[
                Value::String(Some("Acme".into())),
                Value::Uuid(Some(Uuid::nil())),
            ],
            &other,
        );
        let args = PageArgs {
            after: Some(cursor),
            ..Default::default()
        };
        assert!(args.window(&KEYS).is_err());
    }

    #[test]
    fn page_sizes_over_the_cap_are_refused() {
        let args = PageArgs {
            first: Some(MAX_PAGE_SIZE + 1),
            ..Default::default()
        };
        assert!(
            matches!(args.window(&KEYS), Err(ApiError(rapport_core::CoreError::BadInput { field, .. })) if field == "first")
        );
        let args = PageArgs {
            first: Some(1),
            last: Some(1),
            ..Default::default()
        };
        assert!(args.window(&KEYS).is_err());
    }
}
