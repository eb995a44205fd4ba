//! Search across companies, contacts, deals, tickets and activities: one
//! ranked list of the workspace's live records whose search text (see
//! `entity::search_text`) matches what was typed.
//!
//! A record matches when its text contains the query (any case), or, for a
//! slip of the keyboard, nearly does: on PostgreSQL when the query's
//! trigrams are mostly found in one stretch of the text (`pg_trgm`
//! word similarity ≥ 0.3, read from the trigram index), on SQLite when the
//! text contains the query with one letter changed, dropped or added. Ranks,
//! best first: a word starting with the query (3), the query anywhere (2),
//! a near match (1, or the word similarity on PostgreSQL); within a rank,
//! shorter texts first (an exact name before a long description).

mod typos;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value};
use uuid::Uuid;

use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::kind::Kind;
use crate::store::placeholders::for_backend;
use entity::search_text::{Dialect, text as search_text};

/// Shortest query, in characters.
pub const MIN_QUERY: usize = 2;
/// Longest query, in characters.
pub const MAX_QUERY: usize = 100;
/// The least word similarity PostgreSQL counts as a near match.
const NEAR: &str = "0.3";

/// One record found.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub id: Uuid,
    pub score: f64,
}

/// The searchable kinds and their tables.
pub fn table_of(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Company => "company",
        Kind::Contact => "contact",
        Kind::Deal => "deal",
        Kind::Ticket => "ticket",
        Kind::Activity => "activity",
        _ => return None,
    })
}

/// The query as matched: trimmed, lower-cased, checked.
pub fn normalize(raw: &str) -> CoreResult<String> {
    let query = raw.trim().to_lowercase();
    let length = query.chars().count();
    if !(MIN_QUERY..=MAX_QUERY).contains(&length) {
        return Err(CoreError::bad_input(
            "query",
            format!("give {MIN_QUERY} to {MAX_QUERY} characters"),
        ));
    }
    // PostgreSQL text cannot hold NUL, and no record's text has controls.
    if query.chars().any(char::is_control) {
        return Err(CoreError::bad_input(
            "query",
            "must not contain control characters",
        ));
    }
    Ok(query)
}

/// Hits `offset..offset + limit` of the ranked matches of `query` among the
/// actor's workspace's live records of `kinds`, in one statement.
pub async fn search(
    db: &DatabaseConnection,
    actor: &Actor,
    query: &str,
    kinds: &[Kind],
    offset: u64,
    limit: u64,
) -> CoreResult<Vec<Hit>> {
    let query = normalize(query)?;
    let backend = db.get_database_backend();
    let mut branches = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for kind in kinds {
        let Some(table) = table_of(*kind) else {
            continue;
        };
        let workspace = Value::from(actor.workspace_id);
        let (sql, bound) = match backend {
            DbBackend::Postgres => postgres_branch(table, &query, workspace),
            _ => sqlite_branch(table, &query, workspace),
        };
        branches.push(format!("SELECT '{}' AS \"kind\", {sql}", kind.name()));
        values.extend(bound);
    }
    if branches.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        r#"SELECT "kind", "id", "score" FROM ({}) AS found ORDER BY "score" DESC, "kind", "id" LIMIT ? OFFSET ?"#,
        branches.join(" UNION ALL ")
    );
    values.push(Value::from(limit as i64));
    values.push(Value::from(offset as i64));
    let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
    let rows = if backend == DbBackend::Postgres {
        // The near-match threshold of `<%`, for this transaction only.
        let txn = db.begin().await?;
        txn.execute_unprepared(&format!(
            "SET LOCAL pg_trgm.word_similarity_threshold = {NEAR}"
        ))
        .await?;
        let rows = txn.query_all_raw(statement).await?;
        txn.commit().await?;
        rows
    } else {
        db.query_all_raw(statement).await?
    };
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == kind) else {
            continue;
        };
        hits.push(Hit {
            kind,
            id: row.try_get("", "id")?,
            score: row.try_get("", "score")?,
        });
    }
    Ok(hits)
}

/// `LIKE` pattern text with its wildcards escaped (escape character `\`).
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The rank of a text that matches (SQL over `text` and the bound query).
fn rank(text: &str, near: &str, find: &str) -> String {
    format!(
        r#"(CASE WHEN substr({text}, 1, length(?)) = ? OR {find}({text}, ' ' || ?) > 0 THEN 3.0 WHEN {find}({text}, ?) > 0 THEN 2.0 ELSE {near} END + 1.0 / (1 + length({text})))"#
    )
}

/// One table's matches on PostgreSQL: the indexed expression, by
/// substring or word similarity.
fn postgres_branch(table: &str, query: &str, workspace: Value) -> (String, Vec<Value>) {
    let text = search_text(table, "", Dialect::Postgres);
    let score = rank(
        &text,
        &format!("CAST(word_similarity(?, {text}) AS DOUBLE PRECISION)"),
        "strpos",
    );
    let sql = format!(
        r#""id", CAST({score} AS DOUBLE PRECISION) AS "score" FROM "{table}" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND ({text} LIKE ? ESCAPE '\' OR ? <% {text})"#
    );
    let q = || Value::from(query.to_owned());
    let like = Value::from(format!("%{}%", escape_like(query)));
    // The rank's four and the similarity's one, then the filter's three.
    let values = vec![q(), q(), q(), q(), q(), workspace, like, q()];
    (sql, values)
}

/// One table's matches on SQLite: the full-text table's trigram index for
/// the query itself, its text scanned for the one-letter slips.
fn sqlite_branch(table: &str, query: &str, workspace: Value) -> (String, Vec<Value>) {
    let score = rank(r#"f."text""#, "1.0", "instr");
    let (matching, bound) = sqlite_match(query);
    let sql = format!(
        r#"t."id" AS "id", {score} AS "score" FROM "search_fts" AS f JOIN "search_entry" AS e ON e."id" = f."rowid" JOIN "{table}" AS t ON t."id" = e."record_id" WHERE t."workspace_id" = ? AND e."record_type" = '{table}' AND t."deleted_at" IS NULL AND {matching}"#
    );
    let q = || Value::from(query.to_owned());
    // The rank's four, then the filter's.
    let mut values = vec![q(), q(), q(), q(), workspace];
    values.extend(bound);
    (sql, values)
}

/// Whether the full-text row `f` matches `query` on SQLite: the trigram
/// index finds the query itself (a `LIKE` for a two-letter one), a scan of
/// the text the one-letter slips.
fn sqlite_match(query: &str) -> (String, Vec<Value>) {
    let mut filters = Vec::new();
    let mut values = Vec::new();
    if query.chars().count() >= 3 {
        filters.push(
            r#"f."rowid" IN (SELECT "rowid" FROM "search_fts" WHERE "search_fts" MATCH ?)"#
                .to_owned(),
        );
        // A phrase: the query as one string, its quotes doubled.
        values.push(Value::from(format!("\"{}\"", query.replace('"', "\"\""))));
    } else {
        filters.push(r#"f."text" LIKE ? ESCAPE '\'"#.to_owned());
        values.push(Value::from(format!("%{}%", escape_like(query))));
    }
    for pattern in typos::patterns(query) {
        filters.push(r#"f."text" LIKE ? ESCAPE '\'"#.to_owned());
        values.push(Value::from(pattern));
    }
    (format!("({})", filters.join(" OR ")), values)
}

/// A list filter's condition (SQL for a custom expression: `$n`
/// placeholders on PostgreSQL, `?` on SQLite, and its values) that
/// keeps the `table` rows whose search text matches `raw` by the same rule
/// as [`search`]. On PostgreSQL the near matches are computed on the rows
/// the other conditions leave: the `<%` operator reads the trigram index
/// only with its threshold set for the transaction, which a list's
/// statement cannot do.
pub fn filter(backend: DbBackend, table: &str, raw: &str) -> CoreResult<(String, Vec<Value>)> {
    let query = normalize(raw)?;
    if backend == DbBackend::Postgres {
        let text = search_text(table, &format!(r#""{table}"."#), Dialect::Postgres);
        // A custom expression's values are `$n` on PostgreSQL.
        let sql =
            format!(r#"({text} LIKE $1 ESCAPE '\' OR word_similarity($2, {text}) >= {NEAR})"#);
        let like = Value::from(format!("%{}%", escape_like(&query)));
        return Ok((sql, vec![like, Value::from(query)]));
    }
    let (matching, values) = sqlite_match(&query);
    let sql = format!(
        r#""{table}"."id" IN (SELECT e."record_id" FROM "search_fts" AS f JOIN "search_entry" AS e ON e."id" = f."rowid" WHERE e."record_type" = '{table}' AND {matching})"#
    );
    Ok((sql, values))
}
