//! Removing an erased contact's values from every text and JSON column of
//! the workspace: history snapshots and diffs, outbox payloads, stored
//! idempotent responses, import errors, engagement metadata, activity
//! bodies, survey reasons… The schema is read from the database catalog,
//! so a table added later is scrubbed without being named here.
//!
//! A row is the contact's when it references the contact (`contact_id`,
//! `record_id`) or when any of its text mentions the contact's id, email or
//! phone. In those rows every erased value (names, email, phone, job title,
//! city, birthdate) is replaced by [`ERASED`]; a name alone is never
//! searched for elsewhere, since another person may share it. Matching is
//! verbatim (case-sensitive): a copy typed differently is not found.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::error::CoreResult;
use crate::store::{derived, placeholders};
use entity::search_text::SEARCHED;

/// What an erased value becomes in text.
pub const ERASED: &str = "[erased]";

/// Tables never scrubbed: the workspace's own people and credentials (a
/// member sharing the contact's email keeps their sign-in, and the key
/// directory holds random keys), the migration log, and contacts: the
/// erased one is anonymised field by field, and another contact sharing a
/// value (a switchboard phone, the email a merge survivor took) is another
/// record, to be erased in its own right.
const SKIPPED: [&str; 6] = [
    "member",
    "api_key",
    "key_directory",
    "workspace",
    "seaql_migrations",
    "contact",
];

/// The values to remove, as stored text.
#[derive(Debug, Clone)]
pub struct Values {
    pub contact_id: Uuid,
    /// `(from, to)` pairs applied in order: precise JSON forms first (a
    /// birthdate becomes `null` so that the payload still reads as a contact),
    /// then longer values before the parts they contain.
    pub replacements: Vec<(String, String)>,
    /// What marks a row as the contact's, beside its references: its id,
    /// email and phone as text.
    pub markers: Vec<String>,
}

/// A text column, and how PostgreSQL reads and writes it as text.
struct TextColumn {
    name: String,
    /// `json` / `jsonb` on PostgreSQL: cast to text and back.
    json_type: Option<String>,
}

/// What a tenant table holds that the scrub needs.
#[derive(Default)]
struct TableShape {
    has_workspace: bool,
    has_contact_id: bool,
    has_record_id: bool,
    text: Vec<TextColumn>,
}

/// Scrubs `values` from every tenant table of `workspace_id` in `txn`: one
/// statement a table that has text columns. Returns how many rows changed.
pub async fn scrub(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    values: &Values,
) -> CoreResult<u64> {
    let backend = txn.get_database_backend();
    let mut changed = 0;
    let mut touched = derived::Touched::default();
    for (table, shape) in shapes(txn, backend).await? {
        if !shape.has_workspace || shape.text.is_empty() || SKIPPED.contains(&table.as_str()) {
            continue;
        }
        let mut statement = update_of(backend, &table, &shape, workspace_id, values);
        // A searched record's text changed: its search document follows.
        let searched = SEARCHED.iter().find(|(t, _)| *t == table);
        match searched {
            Some((searched, _)) if backend == DbBackend::Postgres => {
                statement.sql.push_str(r#" RETURNING "id""#);
                let rows = txn.query_all_raw(statement).await?;
                changed += rows.len() as u64;
                let ids = rows.iter().map(|row| row.try_get::<Uuid>("", "id"));
                touched.records(searched, ids.collect::<Result<Vec<_>, _>>()?);
            }
            _ => changed += txn.execute_raw(statement).await?.rows_affected(),
        }
    }
    derived::refresh(txn, workspace_id, &touched).await?;
    Ok(changed)
}

/// Every table's columns, read from the catalog.
async fn shapes(
    txn: &DatabaseTransaction,
    backend: DbBackend,
) -> CoreResult<BTreeMap<String, TableShape>> {
    let sql = if backend == DbBackend::Postgres {
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         data_type::text AS column_type FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name AS table_name, p.name AS column_name, lower(p.type) AS column_type \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
    };
    let rows = txn
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut shapes: BTreeMap<String, TableShape> = BTreeMap::new();
    for row in rows {
        let table: String = row.try_get("", "table_name")?;
        let column: String = row.try_get("", "column_name")?;
        let kind: String = row.try_get("", "column_type")?;
        let shape = shapes.entry(table).or_default();
        match column.as_str() {
            "workspace_id" => shape.has_workspace = true,
            "contact_id" => shape.has_contact_id = true,
            "record_id" => shape.has_record_id = true,
            _ => {}
        }
        if let Some(json_type) = text_kind(backend, &kind) {
            shape.text.push(TextColumn {
                name: column,
                json_type,
            });
        }
    }
    Ok(shapes)
}

/// Whether a column of declared type `kind` holds text, and if so its JSON
/// type on PostgreSQL (`Some(None)`: plain text).
fn text_kind(backend: DbBackend, kind: &str) -> Option<Option<String>> {
    if backend == DbBackend::Postgres {
        return match kind {
            "text" | "character varying" | "character" => Some(None),
            "json" | "jsonb" => Some(Some(kind.to_owned())),
            _ => None,
        };
    }
    // SQLite types as the migrations declare them: uuids, times and dates
    // are stored as text too but never hold a contact's words.
    let textual = ["text", "char", "clob", "json"]
        .iter()
        .any(|t| kind.contains(t));
    let excluded = ["uuid", "time", "date"].iter().any(|t| kind.contains(t));
    (textual && !excluded).then_some(None)
}

/// `UPDATE table SET col = replace(…), … WHERE workspace AND the row is the contact's`.
fn update_of(
    backend: DbBackend,
    table: &str,
    shape: &TableShape,
    workspace_id: Uuid,
    values: &Values,
) -> Statement {
    let mut params: Vec<Value> = Vec::new();
    let mut sets = Vec::with_capacity(shape.text.len());
    for column in &shape.text {
        let mut expression = as_text(backend, column);
        for (from, to) in &values.replacements {
            expression = format!("REPLACE({expression}, ?, ?)");
            params.push(from.clone().into());
            params.push(to.clone().into());
        }
        let quoted = format!("\"{}\"", column.name);
        let written = match (&column.json_type, backend) {
            (Some(json), _) => format!("({expression})::{json}"),
            // SQLite may hold a non-text value in a text column: left as it is.
            (None, DbBackend::Sqlite) => {
                format!("CASE WHEN typeof({quoted}) = 'text' THEN {expression} ELSE {quoted} END")
            }
            (None, _) => expression,
        };
        sets.push(format!("{quoted} = {written}"));
    }
    params.push(workspace_id.into());
    let mut linked = Vec::new();
    for reference in [
        ("contact_id", shape.has_contact_id),
        ("record_id", shape.has_record_id),
    ] {
        if reference.1 {
            linked.push(format!("\"{}\" = ?", reference.0));
            params.push(values.contact_id.into());
        }
    }
    for column in &shape.text {
        for marker in &values.markers {
            linked.push(format!("{} LIKE ? ESCAPE '\\'", as_text(backend, column)));
            params.push(format!("%{}%", escape_like(marker)).into());
        }
    }
    let sql = format!(
        "UPDATE \"{table}\" SET {} WHERE \"workspace_id\" = ? AND ({})",
        sets.join(", "),
        linked.join(" OR ")
    );
    Statement::from_sql_and_values(backend, placeholders::for_backend(backend, &sql), params)
}

/// The column read as text.
fn as_text(backend: DbBackend, column: &TextColumn) -> String {
    match (&column.json_type, backend) {
        (Some(_), DbBackend::Postgres) => format!("\"{}\"::text", column.name),
        _ => format!("\"{}\"", column.name),
    }
}

/// `value` matched literally by `LIKE … ESCAPE '\'` (an email's `_` is no wildcard).
fn escape_like(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcard_characters_literally() {
        assert_eq!(escape_like("ann_b%c\\d@x.io"), "ann\\_b\\%c\\\\d@x.io");
    }

    #[test]
    fn uuid_time_and_date_columns_are_not_text_on_sqlite() {
        assert_eq!(text_kind(DbBackend::Sqlite, "text"), Some(None));
        assert_eq!(text_kind(DbBackend::Sqlite, "json_text"), Some(None));
        assert_eq!(text_kind(DbBackend::Sqlite, "uuid_text"), None);
        assert_eq!(
            text_kind(DbBackend::Sqlite, "timestamp_with_timezone_text"),
            None
        );
        assert_eq!(
            text_kind(DbBackend::Postgres, "jsonb"),
            Some(Some("jsonb".to_owned()))
        );
    }
}
