//! Sorting by a custom field: the SQL of its value and the name a key on
//! it carries.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, Value};

/// What a custom field key's column name starts with.
const PREFIX: &str = "custom_fields.";

/// `custom_fields.<key>` as a `&'static str`, which sort keys hold (they are
/// `Copy`). Each name is leaked once: keys are custom field keys the caller
/// checked against the key syntax, so they are few per workspace.
pub fn interned(key: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let name = format!("{PREFIX}{key}");
    let mut names = match NAMES.get_or_init(Default::default).lock() {
        Ok(names) => names,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(found) = names.get(name.as_str()) {
        return found;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}

/// The value of the key's field in `table`'s rows. The key is written into
/// the SQL: it is one of `[a-z0-9_]` (checked where the key is made), and
/// a literal keeps the ORDER BY and the selected value one expression.
pub fn expr(table: &str, column: &str, backend: DbBackend) -> Expr {
    let key = column.strip_prefix(PREFIX).unwrap_or(column);
    let safe = key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let key = if safe { key } else { "" };
    match backend {
        DbBackend::Postgres => Expr::cust(format!(r#"("{table}"."custom_fields" -> '{key}')"#)),
        _ => Expr::cust(format!(
            r#"json_extract("{table}"."custom_fields", '$.{key}')"#
        )),
    }
}

/// A cursor's value (JSON) as the backend compares it with [`expr`]:
/// `jsonb` on PostgreSQL, the native value `json_extract` gives on SQLite.
pub fn bound(value: &Value, backend: DbBackend) -> Value {
    let Value::Json(Some(json)) = value else {
        return value.clone();
    };
    if backend == DbBackend::Postgres {
        return value.clone();
    }
    match json.as_ref() {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::BigInt(Some(i)),
            None => Value::Double(n.as_f64()),
        },
        serde_json::Value::Bool(b) => Value::BigInt(Some(i64::from(*b))),
        serde_json::Value::String(s) => Value::String(Some(s.clone())),
        other => Value::String(Some(other.to_string())),
    }
}

/// A value read back from a row (`jsonb` on PostgreSQL, whatever
/// `json_extract` gave on SQLite) as JSON, the form cursors hold.
pub fn read(row: &sea_orm::QueryResult, column: &str) -> Result<Value, sea_orm::DbErr> {
    let json = |v: serde_json::Value| Value::Json(Some(Box::new(v)));
    if let Ok(v) = row.try_get::<Option<i64>>("", column) {
        return Ok(v.map_or(Value::Json(None), |i| json(i.into())));
    }
    if let Ok(v) = row.try_get::<Option<f64>>("", column) {
        return Ok(v.map_or(Value::Json(None), |f| json(f.into())));
    }
    if let Ok(v) = row.try_get::<Option<String>>("", column) {
        return Ok(v.map_or(Value::Json(None), |s| json(s.into())));
    }
    let v = row.try_get::<Option<serde_json::Value>>("", column)?;
    Ok(v.map_or(Value::Json(None), json))
}
