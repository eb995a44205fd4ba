//! Cursors: the sort-key values of a row, and the keyset condition that
//! resumes a list after (or before) them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Value};
use sea_orm::{DbBackend, DbErr, QueryResult};
use serde_json::json;
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

use super::{KeyType, SortKey};

/// The cursor of a row: the values of its sort keys.
pub fn encode_cursor(values: &[Value], keys: &[SortKey]) -> String {
    let values: Vec<serde_json::Value> = values.iter().map(value_to_json).collect();
    URL_SAFE_NO_PAD.encode(json!({ "k": SortKey::signature(keys), "v": values }).to_string())
}

pub(super) fn decode_cursor(cursor: &str, keys: &[SortKey], field: &str) -> CoreResult<Vec<Value>> {
    let bad = || CoreError::bad_input(field, "not a cursor of this list and ordering");
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
        Value::Json(Some(j)) => j.as_ref().clone(),
        Value::Double(Some(f)) => json!(f),
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
        KeyType::CustomField => Value::Json(Some(Box::new(value.clone()))),
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
        KeyType::CustomField => Value::Json(None),
        KeyType::Calculated(_) => Value::BigInt(None),
    }
}

/// The value of calculated key `index` of a result row.
pub(super) fn calculated_value(
    row: &QueryResult,
    index: usize,
    ty: KeyType,
) -> Result<Value, DbErr> {
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
        KeyType::CustomField => super::custom_field::read(row, column)?,
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
        .map(|(index, key)| match key.ty.is_expression() {
            true => calculated_value(row, index, key.ty),
            false => typed_value(row, key.column, key.ty),
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
            | Value::Json(None)
            | Value::Double(None)
    )
}

/// Rows strictly after (`forward`) or before the cursor `values` in the order of `keys`.
///
/// Written so that an index on the keys can seek to the cursor: as one row
/// comparison `(a, id) > ($1, $2)` when every key runs the same way and none
/// is nullable (the usual case: one sort field and its `id` tie-breaker);
/// otherwise as the expanded OR, led by a bound on the first key
/// (`a >= $1 AND (…)`) where that key has no NULLs.
pub(super) fn keyset_condition(
    keys: &[SortKey],
    values: &[Value],
    forward: bool,
    backend: DbBackend,
) -> Condition {
    let greater = |key: &SortKey| forward != key.desc;
    let Some(first) = keys.first() else {
        return Condition::all();
    };
    if let Some(step) = row_comparison(keys, values, forward, false, backend) {
        return Condition::all().add(step);
    }
    let expanded = expanded_keyset(keys, values, forward, backend);
    match values.first() {
        Some(value) if !first.nullable && keys.len() > 1 => {
            let bound = if greater(first) {
                first.expr(backend).gte(value.clone())
            } else {
                first.expr(backend).lte(value.clone())
            };
            Condition::all().add(bound).add(expanded)
        }
        _ => expanded,
    }
}

/// `(k1, k2, …) > (v1, v2, …)` (or `<`, as `forward` and the keys' direction
/// say; with `inclusive`, the complement `<=`/`>=`), when every key runs the
/// same way and none is nullable; `None` otherwise.
pub(super) fn row_comparison(
    keys: &[SortKey],
    values: &[Value],
    forward: bool,
    complement: bool,
    backend: DbBackend,
) -> Option<Expr> {
    let first = keys.first()?;
    let greater = |key: &SortKey| forward != key.desc;
    if !keys
        .iter()
        .all(|k| !k.nullable && greater(k) == greater(first))
    {
        return None;
    }
    let row = Expr::tuple(keys.iter().map(|k| k.expr(backend)));
    let cursor = Expr::tuple(values.iter().cloned().map(Expr::val));
    Some(match (greater(first), complement) {
        (true, false) => row.gt(cursor),
        (true, true) => row.lte(cursor),
        (false, false) => row.lt(cursor),
        (false, true) => row.gte(cursor),
    })
}

/// The keyset condition as an OR of "equal on the keys so far, then past
/// the next one", which also handles NULL keys and mixed directions.
fn expanded_keyset(
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
        let bound = super::custom_field::bound(value, backend);
        let value = &bound;
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
