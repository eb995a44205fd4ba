//! PostgreSQL's derived rows: the search documents (`search_document`) and
//! the duplicate pairs (`contact_duplicate`, `company_duplicate`), rewritten
//! by the core in the transaction of the write that touched their records.
//!
//! Triggers kept them until migration 54. On Citus a trigger runs on the
//! shard, and its queries of the other tables of the workspace are refused
//! there or run as distributed queries of their own, one per row (a demo
//! seed that takes 10 s on one node had not finished after 10 minutes).
//! Here every statement names its workspace, so on Citus each runs on the
//! one node holding that workspace, and all of them go in one round trip.
//!
//! Every write that commits through [`super::Core::commit_after`] refreshes
//! the records its events name; writers that bypass events (an import's
//! quick path, the scale seed) call [`refresh`] themselves. SQLite keeps its
//! triggers: it is one node, and its full-text table is written by them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use entity::custom_field;
use entity::duplicate_match::{lock_keys, pairs_columns, pairs_select, pairs_table};
use entity::search_text::{
    DOCUMENTS, SEARCHED, WITH_CUSTOM_FIELDS, documents_rows, workspace_live_text,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::CoreResult;
use crate::store::one_workspace::literal;

/// The records whose derived rows a write must refresh, by table, and the
/// custom field definitions it deleted or restored.
#[derive(Debug, Default)]
pub struct Touched {
    records: BTreeMap<&'static str, BTreeSet<Uuid>>,
    definitions: BTreeSet<Uuid>,
}

impl Touched {
    /// Notes the record of an event (`record_type` is the API type name,
    /// `kind` the event's, e.g. `custom_field.deleted`).
    pub fn event(&mut self, record_type: &str, kind: &str, id: Uuid) {
        if record_type == "CustomField" {
            if kind.ends_with(".deleted") || kind.ends_with(".restored") {
                self.definitions.insert(id);
            }
            return;
        }
        if let Some(table) = SEARCHED
            .iter()
            .map(|(table, _)| *table)
            .find(|table| table.eq_ignore_ascii_case(record_type))
        {
            self.records.entry(table).or_default().insert(id);
        }
    }

    /// Notes records of `table` (one of the searched tables) written
    /// without events.
    pub fn records(&mut self, table: &'static str, ids: impl IntoIterator<Item = Uuid>) {
        self.records.entry(table).or_default().extend(ids);
    }

    pub fn is_empty(&self) -> bool {
        self.records.values().all(BTreeSet::is_empty) && self.definitions.is_empty()
    }
}

/// Rewrites the derived rows of what `touched` names in `workspace`, in
/// one round trip (nothing on SQLite, whose triggers keep them).
pub async fn refresh<C: ConnectionTrait>(
    conn: &C,
    workspace: Uuid,
    touched: &Touched,
) -> CoreResult<()> {
    if conn.get_database_backend() != DbBackend::Postgres || touched.is_empty() {
        return Ok(());
    }
    let ws = literal(workspace);
    let mut sql = String::new();
    for (table, ids) in &touched.records {
        if ids.is_empty() {
            continue;
        }
        let ids = list(ids);
        if COMPARED.contains(table) {
            pairs(&mut sql, table, &ws, &ids);
        }
        documents(&mut sql, table, &ws, &ids);
    }
    if !touched.definitions.is_empty() {
        let defined = custom_field::Entity::find()
            .filter(custom_field::Column::WorkspaceId.eq(workspace))
            .filter(custom_field::Column::Id.is_in(touched.definitions.iter().copied()))
            .all(conn)
            .await?;
        for definition in defined {
            let table = definition.record_type.table();
            if WITH_CUSTOM_FIELDS.contains(&table) {
                holding(&mut sql, table, &ws, &definition.key);
            }
        }
    }
    if !sql.is_empty() {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// [`refresh`] of the records `ids` of `table`, for a write that changes
/// them without an event of theirs (an erasure, a merge moving contacts).
pub async fn refresh_records<C: ConnectionTrait>(
    conn: &C,
    workspace: Uuid,
    table: &'static str,
    ids: impl IntoIterator<Item = Uuid>,
) -> CoreResult<()> {
    let mut touched = Touched::default();
    touched.records(table, ids);
    refresh(conn, workspace, &touched).await
}

/// The tables whose records are compared for duplicates.
const COMPARED: [&str; 2] = ["contact", "company"];

fn list(ids: &BTreeSet<Uuid>) -> String {
    let literals: Vec<String> = ids.iter().map(|id| literal(*id)).collect();
    format!("({})", literals.join(", "))
}

/// `table`'s pairs of the records `ids`: their match keys locked first
/// (sorted, so two writers lock in one order, and the later one sees the
/// earlier's records), then their pairs deleted and found anew.
fn pairs(sql: &mut String, table: &str, ws: &str, ids: &str) {
    let pairs = pairs_table(table);
    let only = format!(r#""a"."workspace_id" = {ws} AND "a"."id" IN {ids}"#);
    let _ = write!(
        sql,
        r#"{lock};
DELETE FROM "{pairs}" WHERE "workspace_id" = {ws} AND ("record_id" IN {ids} OR "duplicate_id" IN {ids});
INSERT INTO "{pairs}" ({columns}) {select};
"#,
        lock = lock_keys(
            table,
            &format!(r#"{only} AND "a"."deleted_at" IS NULL"#),
            "SELECT"
        ),
        columns = pairs_columns(DbBackend::Postgres, table),
        select = pairs_select(DbBackend::Postgres, table, &only),
    );
}

/// `table`'s documents of the records `ids`: written for the live ones
/// (left alone when their text did not change), removed for the others.
fn documents(sql: &mut String, table: &str, ws: &str, ids: &str) {
    let text = workspace_live_text(table, "t.", ws);
    let rows = documents_rows(
        table,
        &format!(r#"t."workspace_id" = {ws} AND t."id" IN {ids}"#),
        &text,
    );
    let _ = write!(
        sql,
        r#"DELETE FROM "{DOCUMENTS}" AS d WHERE d."workspace_id" = {ws} AND d."record_type" = '{table}' AND d."record_id" IN {ids} AND NOT EXISTS (SELECT 1 FROM "{table}" AS t WHERE t."workspace_id" = {ws} AND t."id" = d."record_id" AND t."deleted_at" IS NULL);
INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") {rows} ON CONFLICT ("workspace_id", "record_type", "record_id") DO UPDATE SET "text" = EXCLUDED."text" WHERE "{DOCUMENTS}"."text" IS DISTINCT FROM EXCLUDED."text";
"#
    );
}

/// The documents of `table`'s records holding custom field `key`, written
/// anew after its definition was deleted or restored (its values leave or
/// rejoin their text). Keys hold only `[a-z0-9_]` (`custom_field::is_key`).
fn holding(sql: &mut String, table: &str, ws: &str, key: &str) {
    let text = workspace_live_text(table, "t.", ws);
    let key = key.replace('\'', "''");
    let _ = writeln!(
        sql,
        r#"UPDATE "{DOCUMENTS}" AS d SET "text" = {text} FROM "{table}" AS t WHERE d."workspace_id" = {ws} AND d."record_type" = '{table}' AND d."record_id" = t."id" AND t."workspace_id" = {ws} AND t."custom_fields" ? '{key}' AND d."text" IS DISTINCT FROM {text};"#
    );
}
