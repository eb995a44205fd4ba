//! PostgreSQL: every tenant table's primary key carries `workspace_id`,
//! and every foreign key between two tenant tables carries it on both
//! sides (issue 22). Citus distributes a table by `workspace_id` and
//! refuses a primary key, unique constraint or foreign key without it;
//! on one node the keys mean the same thing (an id is already unique),
//! and a reference can no longer cross workspaces, which the API never
//! allowed but only the resolvers enforced.
//!
//! The key is `(id, workspace_id)`, not DESIGN's `(workspace_id, id)`, on
//! purpose: the primary key's index keeps serving a look-up by id alone
//! (`node(id:)`, an update by id), which `(workspace_id, id)` would turn
//! into a scan or a second index on `id`; Citus takes the columns in any
//! order, and a foreign key may name a key's columns in any order.
//!
//! The tables and keys are read from the catalog rather than listed, so
//! no list here can drift from the schema (46 tenant tables and 49 keys
//! between them at migration 52): a tenant table is one with a
//! `workspace_id` column; a foreign key
//! between two of them on one column (other than `workspace_id` itself)
//! becomes `(column, workspace_id) -> (key…, workspace_id)` with the same
//! name and actions. `ON DELETE SET NULL` names its column (PostgreSQL 15),
//! so `workspace_id` is never set to null with it. SQLite keeps its keys:
//! it is never distributed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tenant tables: those with a `workspace_id` column.
const TENANT_TABLES: &str = r#"
    SELECT c.oid AS rel FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped
    WHERE c.relkind = 'r'"#;

/// A foreign key's first column (`1`) or second (`2`), by name.
fn key_column(position: u8) -> String {
    format!(
        "(SELECT attname FROM pg_attribute WHERE attrelid = con.conrelid AND attnum = con.conkey[{position}])"
    )
}

/// The `DO` block: drops the foreign keys between tenant tables of
/// `arity` columns that `which` selects (SQL over `con`), saving them;
/// re-creates each tenant primary key that `pk_which` selects as
/// `pk_columns` (a `format` pattern over its columns `%s`); re-creates the
/// saved foreign keys with `suffix` after each side's column. `set_null`
/// names the column a `SET NULL` keeps to (SQL, or `NULL`).
fn block(
    arity: u8,
    which: &str,
    set_null: &str,
    pk_which: &str,
    pk_columns: &str,
    suffix: &str,
) -> String {
    format!(
        r#"
DO $rekey$
DECLARE
    fk record;
    pk record;
    saved jsonb := '[]'::jsonb;
BEGIN
    FOR fk IN
        SELECT con.conname, con.conrelid::regclass AS child, con.confrelid::regclass AS parent,
               {first} AS col,
               (SELECT attname FROM pg_attribute WHERE attrelid = con.confrelid AND attnum = con.confkey[1]) AS ref,
               {upd} AS upd, {del} AS del, con.condeferrable, con.condeferred
        FROM pg_constraint con
        WHERE con.contype = 'f' AND array_length(con.conkey, 1) = {arity}
          AND con.conrelid IN ({TENANT_TABLES}) AND con.confrelid IN ({TENANT_TABLES})
          AND {which}
        ORDER BY 1
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.child, fk.conname);
        saved := saved || jsonb_build_object(
            'name', fk.conname, 'child', fk.child::text, 'parent', fk.parent::text,
            'col', fk.col, 'ref', fk.ref, 'del', fk.del, 'upd', fk.upd,
            'is_deferrable', fk.condeferrable, 'is_deferred', fk.condeferred);
    END LOOP;
    FOR pk IN
        SELECT con.conname, con.conrelid::regclass AS tab,
               (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
                FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                WHERE a.attname <> 'workspace_id') AS cols
        FROM pg_constraint con
        WHERE con.contype = 'p' AND con.conrelid IN ({TENANT_TABLES}) AND {pk_which}
        ORDER BY 1
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', pk.tab, pk.conname);
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY ({pk_columns})', pk.tab, pk.conname, pk.cols);
    END LOOP;
    FOR fk IN SELECT * FROM jsonb_to_recordset(saved) AS x(
        name text, child text, parent text, col text, ref text, del text, upd text,
        is_deferrable boolean, is_deferred boolean)
    LOOP
        EXECUTE format(
            'ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%I{suffix}) REFERENCES %s (%I{suffix}) ON UPDATE %s ON DELETE %s%s',
            fk.child, fk.name, fk.col, fk.parent, fk.ref, fk.upd, fk.del,
            CASE WHEN fk.is_deferrable THEN ' DEFERRABLE' || CASE WHEN fk.is_deferred THEN ' INITIALLY DEFERRED' ELSE '' END ELSE '' END);
    END LOOP;
END
$rekey$"#,
        first = key_column(1),
        upd = action("con.confupdtype", "NULL"),
        del = action("con.confdeltype", set_null),
    )
}

/// Widens the keys: the single-column foreign keys between tenant tables
/// (other than the one on `workspace_id` itself) and every tenant primary
/// key without `workspace_id` get it, last.
fn widen() -> String {
    let first = key_column(1);
    block(
        1,
        &format!("{first} <> 'workspace_id'"),
        &format!("{first}::text"),
        "NOT EXISTS (SELECT 1 FROM unnest(con.conkey) k(attnum) \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum \
         WHERE a.attname = 'workspace_id')",
        r#"%s, "workspace_id""#,
        r#", "workspace_id""#,
    )
}

/// Narrows them back, for `down`: the foreign keys `(column,
/// workspace_id)` and the primary keys ending in `workspace_id` lose it.
fn narrow() -> String {
    block(
        2,
        &format!("{} = 'workspace_id'", key_column(2)),
        "NULL",
        "array_length(con.conkey, 1) > 1 AND (SELECT attname FROM pg_attribute \
         WHERE attrelid = con.conrelid AND attnum = con.conkey[array_length(con.conkey, 1)]) = 'workspace_id'",
        "%s",
        "",
    )
}

/// `pg_constraint`'s action letter (`$1`) as SQL; `SET NULL` and `SET
/// DEFAULT` name the column `$2` when given, so a widened key's
/// `workspace_id` keeps its value.
fn action(code: &str, only_column: &str) -> String {
    format!(
        "CASE {code} WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE' \
         WHEN 'n' THEN 'SET NULL' || coalesce(' (' || quote_ident({only_column}) || ')', '') \
         WHEN 'd' THEN 'SET DEFAULT' || coalesce(' (' || quote_ident({only_column}) || ')', '') END"
    )
}

async fn run(manager: &SchemaManager<'_>, block: String) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&block)
        .await
        .map(drop)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, widen()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, narrow()).await
    }
}
