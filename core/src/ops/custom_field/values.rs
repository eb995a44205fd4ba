//! The custom field values of one record: checked against the live
//! definitions of its type, merged into what it holds, required and unique
//! fields enforced, in the transaction that writes the record.

use std::collections::HashSet;

use entity::custom_field;
use entity::enums::CustomFieldRecordType;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value as SqlValue};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{definitions, options_of, types};
use crate::error::{CoreError, CoreResult};
use crate::store::placeholders::for_backend;

/// Values given for a record's custom fields, by key; `null` (or blank
/// text) clears one. Keys not given keep their values.
pub type Given = Vec<(String, Value)>;

/// Where a value's refusal points: `input.customFields.<key>`.
fn field_path(key: &str) -> String {
    format!("input.customFields.{key}")
}

/// The `custom_fields` object of a new record of `record_type`.
pub async fn for_new<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    given: Given,
) -> CoreResult<Value> {
    let fields = definitions(txn, workspace_id, record_type, false).await?;
    let merged = checked_new(&fields, given)?;
    check_unique_new(txn, workspace_id, record_type, &fields, Some(&merged)).await?;
    Ok(merged)
}

/// A new record's values checked against `fields` (its type's live
/// definitions) without the database: each value by its field's type,
/// every required field present. Unique fields are checked apart
/// ([`check_unique_new`]), as only the database can tell.
pub fn checked_new(fields: &[custom_field::Model], given: Given) -> CoreResult<Value> {
    let merged = merge(fields, Map::new(), given)?;
    for field in fields.iter().filter(|f| f.required) {
        if !merged.contains_key(&field.key) {
            return Err(CoreError::bad_input(field_path(&field.key), "is required"));
        }
    }
    Ok(Value::Object(merged))
}

/// Whether `values` hold a value of a unique field of `fields`.
pub fn holds_unique(fields: &[custom_field::Model], values: Option<&Value>) -> bool {
    values.is_some_and(|values| {
        fields
            .iter()
            .any(|f| f.is_unique && values.get(&f.key).is_some())
    })
}

/// `CONFLICT` when a new record's value of a unique field is another live
/// record's.
pub async fn check_unique_new<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    fields: &[custom_field::Model],
    values: Option<&Value>,
) -> CoreResult<()> {
    let Some(values) = values.and_then(Value::as_object) else {
        return Ok(());
    };
    check_unique(
        txn,
        workspace_id,
        record_type,
        fields,
        values,
        &Map::new(),
        None,
    )
    .await
}

/// The `custom_fields` object of record `id` after `given` (`None` when
/// nothing was given: the object stays as it is).
pub async fn for_change<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    id: Uuid,
    current: &Value,
    given: Option<Given>,
) -> CoreResult<Option<Value>> {
    let Some(given) = given else { return Ok(None) };
    let fields = definitions(txn, workspace_id, record_type, false).await?;
    let before = current.as_object().cloned().unwrap_or_default();
    let merged = merge(&fields, before.clone(), given)?;
    for field in fields.iter().filter(|f| f.required) {
        if before.contains_key(&field.key) && !merged.contains_key(&field.key) {
            return Err(CoreError::bad_input(
                field_path(&field.key),
                "is required: it cannot be cleared",
            ));
        }
    }
    check_unique(
        txn,
        workspace_id,
        record_type,
        &fields,
        &merged,
        &before,
        Some(id),
    )
    .await?;
    Ok(Some(Value::Object(merged)))
}

/// `given` checked and merged into `values`.
fn merge(
    fields: &[custom_field::Model],
    mut values: Map<String, Value>,
    given: Given,
) -> CoreResult<Map<String, Value>> {
    let mut seen = HashSet::new();
    for (key, raw) in given {
        let path = field_path(&key);
        if !seen.insert(key.clone()) {
            return Err(CoreError::bad_input(path, "is given twice"));
        }
        let Some(field) = fields.iter().find(|f| f.key == key) else {
            return Err(CoreError::bad_input(
                path,
                "no custom field of this record type has this key",
            ));
        };
        match types::check(field.field_type, &options_of(field), &raw)
            .map_err(|message| CoreError::bad_input(path, message))?
        {
            Some(value) => values.insert(key, value),
            None => values.remove(&key),
        };
    }
    Ok(values)
}

/// `CONFLICT` on the first unique field whose new value another live record
/// of the type holds.
async fn check_unique<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    fields: &[custom_field::Model],
    values: &Map<String, Value>,
    before: &Map<String, Value>,
    except: Option<Uuid>,
) -> CoreResult<()> {
    let backend = txn.get_database_backend();
    let table = record_type.table();
    for field in fields.iter().filter(|f| f.is_unique) {
        let Some(value) = values.get(&field.key) else {
            continue;
        };
        if before.get(&field.key) == Some(value) {
            continue;
        }
        if backend == DbBackend::Postgres {
            // Two writers checking the same value at once would both find it
            // free: the lock makes the second wait for the first's commit.
            let lock = format!("custom_field:{workspace_id}:{table}:{}", field.key);
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                [SqlValue::from(lock)],
            ))
            .await?;
        }
        let (test, params) = equals(backend, &field.key, value);
        let mut values: Vec<SqlValue> = vec![workspace_id.into()];
        values.extend(params);
        values.push(except.unwrap_or_default().into());
        let sql = format!(
            r#"SELECT "id" FROM "{table}" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND {test} AND "id" <> ? LIMIT 1"#
        );
        let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
        if txn.query_one_raw(statement).await?.is_some() {
            return Err(CoreError::Taken {
                field: field_path(&field.key),
                message: format!("another {table} already has this {}", field.label),
            });
        }
    }
    Ok(())
}

/// SQL testing that the record's value of `key` equals `value`: on
/// PostgreSQL a containment the GIN index serves, on SQLite the extracted
/// value against the same value bound natively.
fn equals(backend: DbBackend, key: &str, value: &Value) -> (String, Vec<SqlValue>) {
    if backend == DbBackend::Postgres {
        let mut probe = Map::new();
        probe.insert(key.to_owned(), value.clone());
        return (
            r#""custom_fields" @> ?"#.to_owned(),
            vec![SqlValue::Json(Some(Box::new(Value::Object(probe))))],
        );
    }
    let native = match value {
        Value::Number(n) => match n.as_i64() {
            Some(i) => SqlValue::from(i),
            None => SqlValue::from(n.as_f64().unwrap_or_default()),
        },
        Value::Bool(b) => SqlValue::from(i64::from(*b)),
        other => SqlValue::from(types::as_text(other)),
    };
    (
        r#"json_extract("custom_fields", ?) = ?"#.to_owned(),
        vec![SqlValue::from(json_path(key)), native],
    )
}

/// The SQLite JSON path of a key (keys are `[a-z0-9_]`, so it needs no quoting).
pub fn json_path(key: &str) -> String {
    format!("$.{key}")
}

/// SQL of a record's value of `key` (`IS NULL` when it has none) and its parameter.
fn value_of(backend: DbBackend, key: &str) -> (&'static str, SqlValue) {
    if backend == DbBackend::Postgres {
        (r#"("custom_fields" -> ?)"#, SqlValue::from(key.to_owned()))
    } else {
        (
            r#"json_extract("custom_fields", ?)"#,
            SqlValue::from(json_path(key)),
        )
    }
}

/// Refuses making `key` required while live records lack a value.
pub async fn refuse_missing(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    key: &str,
) -> CoreResult<()> {
    let backend = txn.get_database_backend();
    let table = record_type.table();
    let (value, param) = value_of(backend, key);
    let sql = format!(
        r#"SELECT COUNT(*) AS "n" FROM "{table}" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND {value} IS NULL"#
    );
    let statement = Statement::from_sql_and_values(
        backend,
        for_backend(backend, &sql),
        [workspace_id.into(), param],
    );
    let missing: i64 = match txn.query_one_raw(statement).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    if missing > 0 {
        return Err(CoreError::bad_input(
            "input.required",
            format!(
                "{missing} live {table} records have no value for this field: give them one first"
            ),
        ));
    }
    Ok(())
}

/// Refuses making `key` unique while two live records share a value.
pub async fn refuse_duplicates(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    key: &str,
) -> CoreResult<()> {
    let backend = txn.get_database_backend();
    let table = record_type.table();
    let (value, param) = value_of(backend, key);
    let sql = format!(
        r#"SELECT 1 AS "n" FROM "{table}" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND {value} IS NOT NULL GROUP BY {value} HAVING COUNT(*) > 1 LIMIT 1"#
    );
    let statement = Statement::from_sql_and_values(
        backend,
        for_backend(backend, &sql),
        [workspace_id.into(), param.clone(), param],
    );
    if txn.query_one_raw(statement).await?.is_some() {
        return Err(CoreError::bad_input(
            "input.unique",
            format!("two live {table} records share a value of this field: make them differ first"),
        ));
    }
    Ok(())
}
