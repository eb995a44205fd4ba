//! Creating a numbered record (a ticket) on PostgreSQL in one statement: the
//! record's number, its event's number, the record, the event and the first
//! history entry.
//!
//! Why one statement: record numbers and event numbers are dense per
//! workspace, so taking them locks the workspace's counter row until the
//! transaction ends, and every concurrent create of the workspace queues on
//! that lock. Taken one at a time, the lock was held across four round trips
//! (number, insert, event, history) and the commit. Here it is held for this
//! statement and the commit only, and when the create reads nothing first
//! the statement is its own transaction: no round trip at all under the lock.
//!
//! A searched record's search document is written by the same statement.
//!
//! The event payload and the history snapshot are built in Rust with a
//! placeholder number; the statement writes the real one into them
//! (`jsonb_set`), so what is stored is exactly what the usual path stores.
//!
//! On Citus, a create that is its own transaction sends the same writes as
//! five statements to `rapport_numbered_insert(workspace, …)`, a function
//! Citus delegates to the node holding the workspace (see [`delegated`] and
//! the server's `db::citus`). A function's statements are text, so every
//! value but the workspace is written into them as a literal ([`literal`]).

use chrono::{DateTime, Utc};
use entity::event;
use entity::search_text::{DOCUMENTS, SEARCHED, workspace_live_text};
use sea_orm::sea_query::{PostgresQueryBuilder, QueryBuilder};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityName, EntityTrait, IdenStatic,
    Iterable, Statement, Value,
};
use serde_json::Value as Json;

use super::Author;
use crate::events::{NewEvent, history};

/// Where a record's number comes from and goes to.
#[derive(Debug, Clone, Copy)]
pub struct Numbering {
    /// The `workspace` column holding the last number handed out.
    pub counter: &'static str,
    /// The record's column, also its key in the event payload.
    pub column: &'static str,
}

/// How the statement reaches the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// As a prepared statement.
    Direct,
    /// Through `rapport_numbered_insert`, delegated to the workspace's Citus
    /// node (only outside a transaction: within one, Citus would run the
    /// function on the coordinator).
    Delegated,
}

/// Inserts `model` numbered by `numbering`, with `event` (its payload holds a
/// placeholder number) and its first history entry, in one statement on
/// `conn` (a transaction, or the pool for a create that reads nothing).
/// Returns the number and the stored event, payload numbered.
pub async fn insert<C, A>(
    conn: &C,
    route: Route,
    model: A,
    numbering: Numbering,
    event: NewEvent,
    author: Author,
    at: DateTime<Utc>,
) -> Result<(i64, event::Model), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait,
{
    if event.payload.get(numbering.column).is_none() {
        return Err(DbErr::Custom(format!(
            "the event payload has no top-level `{}`",
            numbering.column
        )));
    }
    let (snapshot, changes) = history::first_entry(&event);
    let change_index = numbered_change(&changes, numbering.column)?;
    let mut params = Params::new(author.workspace_id.into(), route);
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in <A::Entity as EntityTrait>::Column::iter() {
        let name = column.as_str();
        let value = if name == numbering.column {
            number_of(route, numbering)
        } else {
            match model.get(column).into_value() {
                Some(value) => params.push(value),
                None => continue,
            }
        };
        columns.push(format!(r#""{name}""#));
        values.push(value);
    }
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let path = params.push(numbering.column.into());
    let index = params.push(change_index.to_string().into());
    let number = format!("to_jsonb({})", number_of(route, numbering));
    let [
        topic,
        kind,
        record_type,
        record_id,
        actor,
        key,
        payload,
        snapshot,
        changes,
        at_param,
        entry,
    ] = [
        event.topic.clone().into(),
        event.kind.clone().into(),
        event.record_type.to_owned().into(),
        event.record_id.into(),
        author.member_id.into(),
        author.api_key_id.into(),
        event.payload.clone().into(),
        snapshot.into(),
        changes.into(),
        at.into(),
        uuid::Uuid::now_v7().into(),
    ]
    .map(|value: Value| params.push(value));
    if route == Route::Delegated {
        let counter = numbering.counter;
        let statements = [
            format!(
                r#"UPDATE "workspace" SET "{counter}" = "{counter}" + 1, "event_seq" = "event_seq" + 1 WHERE "id" = $1 RETURNING "{counter}", "event_seq""#
            ),
            format!(
                r#"INSERT INTO "{table}" ({}) VALUES ({})"#,
                columns.join(", "),
                values.join(", ")
            ),
            // Read here, written by the function with VALUES: as one
            // INSERT … SELECT, Citus planned it over the shards it might
            // touch (1.97 ms on the worker, against 0.30 ms on one node).
            document_values(&table).map_or_else(String::new, |values| {
                format!(
                    r#"SELECT {values} FROM "{table}" AS "created" WHERE "created"."workspace_id" = $1 AND "created"."id" = {record_id}"#
                )
            }),
            format!(
                r#"INSERT INTO "record_change" ("id", "workspace_id", "record_type", "record_id", "kind", "actor_member_id", "actor_api_key_id", "snapshot", "changes", "created_at") VALUES ({entry}, $1, {record_type}, {record_id}, {kind}, {actor}, {key}, jsonb_set({snapshot}, ARRAY[{path}], {number}), jsonb_set({changes}, ARRAY[{index}, 'after'], {number}), {at_param})"#
            ),
            format!(
                r#"INSERT INTO "event" ("workspace_id", "seq", "topic", "kind", "record_type", "record_id", "actor_id", "payload", "created_at") VALUES ($1, $3, {topic}, {kind}, {record_type}, {record_id}, {actor}, jsonb_set({payload}, ARRAY[{path}], {number}), {at_param}) RETURNING "id""#
            ),
        ];
        let written = delegated(conn, author.workspace_id, statements).await?;
        return Ok(numbered_event(event, numbering, author, at, written));
    }
    // The CTE's part writing the document, when the table is searched.
    let document = document_values(&table).map_or_else(String::new, |values| {
        format!(
            r#", "document" AS (INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") SELECT "created"."workspace_id", {values} FROM "created")"#
        )
    });
    let sql = format!(
        r#"WITH "numbered" AS (
  UPDATE "workspace" SET "{counter}" = "{counter}" + 1, "event_seq" = "event_seq" + 1
  WHERE "id" = $1 RETURNING "{counter}", "event_seq"
), "created" AS (
  INSERT INTO "{table}" ({columns}) SELECT {values} FROM "numbered" RETURNING *
){document}, "logged" AS (
  INSERT INTO "event" ("workspace_id", "seq", "topic", "kind", "record_type", "record_id", "actor_id", "payload", "created_at")
  SELECT $1, "event_seq", {topic}, {kind}, {record_type}, {record_id}, {actor}, jsonb_set({payload}, ARRAY[{path}], {number}), {at_param}
  FROM "numbered" RETURNING "id", "seq"
), "entry" AS (
  INSERT INTO "record_change" ("id", "workspace_id", "record_type", "record_id", "kind", "actor_member_id", "actor_api_key_id", "snapshot", "changes", "created_at")
  SELECT {entry}, $1, {record_type}, {record_id}, {kind}, {actor}, {key}, jsonb_set({snapshot}, ARRAY[{path}], {number}),
    jsonb_set({changes}, ARRAY[{index}, 'after'], {number}), {at_param}
  FROM "numbered"
)
SELECT "numbered"."{counter}" AS "number", "logged"."id", "logged"."seq" FROM "numbered", "logged""#,
        counter = numbering.counter,
        columns = columns.join(", "),
        values = values.join(", "),
    );
    let missing = || DbErr::RecordNotFound(format!("workspace {}", author.workspace_id));
    let statement = Statement::from_sql_and_values(DbBackend::Postgres, sql, params.values);
    let row = conn.query_one_raw(statement).await?.ok_or_else(missing)?;
    let written = (
        row.try_get("", "number")?,
        row.try_get("", "id")?,
        row.try_get("", "seq")?,
    );
    Ok(numbered_event(event, numbering, author, at, written))
}

/// Where the new number is read from: the CTE's `numbered` row, or (on the
/// delegated route) the function's `$2`.
fn number_of(route: Route, numbering: Numbering) -> String {
    match route {
        Route::Direct => format!(r#""numbered"."{}""#, numbering.counter),
        Route::Delegated => "$2".to_owned(),
    }
}

/// The number and the stored event, its payload numbered, from what the
/// statement wrote: `(number, event id, event seq)`.
fn numbered_event(
    mut event: NewEvent,
    numbering: Numbering,
    author: Author,
    at: DateTime<Utc>,
    (number, id, seq): (i64, i64, i64),
) -> (i64, event::Model) {
    if let Some(fields) = event.payload.as_object_mut() {
        fields.insert(numbering.column.to_owned(), Json::from(number));
    }
    let stored = event::Model {
        id,
        workspace_id: author.workspace_id,
        seq,
        topic: event.topic,
        kind: event.kind,
        record_type: event.record_type.to_owned(),
        record_id: event.record_id,
        actor_id: author.member_id,
        payload: event.payload,
        created_at: at,
    };
    (number, stored)
}

/// Runs the create as `rapport_numbered_insert`, which Citus delegates to
/// the workspace's node: the counter update (`$1` the workspace), then the
/// record, the read of its search document (which the function inserts),
/// its history entry, then the event, each given `$2` the number and `$3`
/// the event's. Separate statements, not the CTE: on a worker Citus plans a
/// CTE of several writes one part at a time and ships each part's rows to
/// every node (34 ms, against 1.2 ms on one node); one-shard statements
/// run locally.
async fn delegated<C: ConnectionTrait>(
    conn: &C,
    workspace: uuid::Uuid,
    statements: [String; 5],
) -> Result<(i64, i64, i64), DbErr> {
    let missing = || DbErr::RecordNotFound(format!("workspace {workspace}"));
    let mut values: Vec<Value> = vec![workspace.into()];
    values.extend(statements.map(Value::from));
    let call = Statement::from_sql_and_values(
        DbBackend::Postgres,
        r#"SELECT rapport_numbered_insert($1, $2, $3, $4, $5, $6) AS "created""#,
        values,
    );
    let row = conn.query_one_raw(call).await?.ok_or_else(missing)?;
    let created: Option<Json> = row.try_get("", "created")?;
    let created = created.ok_or_else(missing)?;
    let [number, id, seq] = [0, 1, 2].map(|at| created.get(at).and_then(Json::as_i64));
    Ok((
        number.ok_or_else(missing)?,
        id.ok_or_else(missing)?,
        seq.ok_or_else(missing)?,
    ))
}

/// The new record's search document after its workspace: its type, id
/// and text, read from `"created"` (the CTE, or the new row by key), for a
/// searched table (see `derived`: the core writes them); `None` for any
/// other table.
fn document_values(table: &str) -> Option<String> {
    SEARCHED
        .iter()
        .any(|(searched, _)| *searched == table)
        .then(|| {
            let text = workspace_live_text(table, r#""created"."#, "$1");
            format!(r#"'{table}', "created"."id", {text}"#)
        })
}

/// The position of the number's entry in a first history entry's changes.
fn numbered_change(changes: &Json, column: &str) -> Result<usize, DbErr> {
    changes
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .position(|entry| entry.get("field").and_then(Json::as_str) == Some(column))
        })
        .ok_or_else(|| DbErr::Custom(format!("the record's snapshot has no `{column}`")))
}

/// Statement parameters, `$1` (the workspace) first; on the delegated route
/// every other value is written into the statement instead.
struct Params {
    values: Vec<Value>,
    route: Route,
}

impl Params {
    fn new(workspace: Value, route: Route) -> Self {
        Params {
            values: vec![workspace],
            route,
        }
    }

    /// Adds `value`; returns its placeholder, or on the delegated route the
    /// value as a literal.
    fn push(&mut self, value: Value) -> String {
        if self.route == Route::Delegated {
            return literal(&value);
        }
        self.values.push(value);
        format!("${}", self.values.len())
    }
}

/// `value` as a PostgreSQL literal of no declared type, which the column or
/// function it goes to types (as a parameter is). Text is quoted the
/// standard way, quotes doubled (`standard_conforming_strings`, on since
/// PostgreSQL 9.1): sea-query's own quoting writes `E'…'` escapes, and
/// writes the byte 0x1A as `\z`, which PostgreSQL reads as `z`.
fn literal(value: &Value) -> String {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    match value {
        Value::String(Some(text)) => quoted(text),
        Value::Char(Some(c)) => quoted(&c.to_string()),
        Value::Json(Some(json)) => quoted(&json.to_string()),
        other => PostgresQueryBuilder.value_to_string(other),
    }
}
