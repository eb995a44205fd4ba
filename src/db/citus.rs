//! Citus: every workspace's rows on one node (issue 22). After the
//! migrations, on a coordinator, every table is distributed: `workspace`
//! by `id`, every table with `workspace_id` by it, colocated with
//! `workspace`, so the rows of one workspace (and every statement naming
//! it) live on one node. Idempotent: tables already distributed are left,
//! so it runs at every start and distributes the tables a newer migration
//! added, and an existing database's local tables move to the workers with
//! their rows.
//!
//! `key_directory` is the one reference table (a copy on every node): a
//! request presenting an API key or a form's key finds the workspace there,
//! on the node it reached, and keeps each key unique across the instance.
//! Citus cannot enforce a unique index across nodes, so the two that were
//! instance-wide (an API key's lookup prefix, a form's public key) become
//! unique per workspace in their own tables; the directory's primary key
//! keeps them unique (both are random, 48 and 192 bits).
//!
//! `rapport_numbered_insert(workspace, …)` runs a numbered create's writes
//! (`rapport_core::store::numbered`) as a function Citus delegates to the
//! node holding the workspace: through the coordinator the one-statement
//! CTE's writes are planned one at a time, each part's rows shipped between
//! nodes; delegated, the worker runs one-shard statements on its own
//! shards (BENCHMARKS.md, "On Citus").

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use crate::config::Config;

/// Whether `db` is a Citus coordinator Rapport should distribute:
/// `RAPPORT_CITUS` is `true` (then the extension must be there), `false`, or
/// `auto` (the extension is installed in the database).
pub async fn wanted(config: &Config, db: &DatabaseConnection) -> Result<bool, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres || config.citus == "false" {
        return Ok(false);
    }
    let installed = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_extension WHERE extname = 'citus'",
        ))
        .await?
        .is_some();
    if config.citus == "true" && !installed {
        return Err(DbErr::Custom(
            "RAPPORT_CITUS=true, but the citus extension is not installed in this database \
             (CREATE EXTENSION citus on the coordinator and every worker, then add the workers)"
                .into(),
        ));
    }
    Ok(installed)
}

/// Distributes every table not yet distributed (see the module's note).
pub async fn distribute(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared(DISTRIBUTE).await?;
    db.execute_unprepared(NUMBERED_INSERT).await.map(drop)
}

/// The unique indexes made per workspace, then `workspace`, then the key
/// directory as a reference table, then every tenant table once the tables its foreign keys name are distributed
/// (Citus requires a foreign key's target to be distributed first).
/// Distributing is cross-workspace work: its statements reach every shard,
/// so this session allows that however the database is set
/// (`citus.multi_task_query_log_level`, which the tests set to `error`).
const DISTRIBUTE: &str = r#"
SET citus.multi_task_query_log_level = 'off';
DO $d$
DECLARE t regclass; n int;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'workspace'::regclass) THEN
    DROP INDEX IF EXISTS ux_api_key_prefix;
    CREATE UNIQUE INDEX ux_api_key_prefix ON api_key (prefix, workspace_id);
    DROP INDEX IF EXISTS ix_form_key;
    CREATE UNIQUE INDEX ix_form_key ON form (form_key, workspace_id);
    PERFORM create_distributed_table('workspace', 'id');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'key_directory'::regclass) THEN
    PERFORM create_reference_table('key_directory');
  END IF;
  LOOP
    n := 0;
    FOR t IN SELECT c.oid::regclass FROM pg_class c
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped
      WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint f
             WHERE f.contype = 'f' AND f.conrelid = c.oid AND f.confrelid <> c.oid
               AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = f.confrelid))
      ORDER BY c.relname
    LOOP
      PERFORM create_distributed_table(t, 'workspace_id', colocate_with => 'workspace');
      n := n + 1;
    END LOOP;
    EXIT WHEN n = 0;
  END LOOP;
END
$d$;
RESET citus.multi_task_query_log_level;
"#;

/// The function a numbered create's statements run in, delegated by its
/// workspace argument (sent on its own: Citus refuses to distribute a
/// function in a transaction that distributed tables in parallel). The
/// search document is read by `document` and written here with VALUES (a
/// plan PL/pgSQL keeps), not as one INSERT … SELECT, which Citus plans over
/// every shard it might touch (1.97 ms on the worker, 0.30 ms on one node,
/// measured by `bench/citus_create_ticket.sh`). The two-argument function
/// an earlier version made is dropped (nothing calls it). Then
/// the settings the server gives its own sessions (`db::connect`), for the
/// sessions the coordinator opens on the workers, which do not inherit
/// them: the lowest near-match threshold of `<%`, and no JIT. Set on the
/// database at the coordinator, which passes it on to every worker (a
/// worker refuses `ALTER DATABASE` of its own).
const NUMBERED_INSERT: &str = r#"
DROP FUNCTION IF EXISTS rapport_numbered_insert(uuid, text);
CREATE OR REPLACE FUNCTION rapport_numbered_insert(workspace uuid, numbering text,
  record text, document text, entry text, logging text)
RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE n bigint; s bigint; i bigint; doc_type text; doc_id uuid; doc_text text;
BEGIN
  EXECUTE numbering INTO n, s USING workspace;
  IF n IS NULL THEN RETURN NULL; END IF;
  EXECUTE record USING workspace, n, s;
  IF document <> '' THEN
    EXECUTE document INTO doc_type, doc_id, doc_text USING workspace, n, s;
    INSERT INTO search_document (workspace_id, record_type, record_id, text)
      VALUES (workspace, doc_type, doc_id, doc_text);
  END IF;
  EXECUTE entry USING workspace, n, s;
  EXECUTE logging INTO i USING workspace, n, s;
  RETURN jsonb_build_array(n, i, s);
END
$f$;
SELECT create_distributed_function('rapport_numbered_insert(uuid,text,text,text,text,text)',
  'workspace',
  colocate_with => 'workspace');
DO $s$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.29',
    current_database());
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'set pg_trgm.word_similarity_threshold = 0.29 and jit = off on this database: '
    'the workers need them, and only its owner may set them';
END
$s$;
"#;
