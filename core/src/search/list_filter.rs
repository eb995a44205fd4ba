//! How a list's `filter: { search }` finds its records on PostgreSQL, decided
//! per filter before the list's statement is built.
//!
//! A page walks the list in its order and tests each record ([`super::filter`]),
//! which is quick while matches are common: 20 of them turn up early. For a
//! rare query the walk tests every record (seconds at a million), and the
//! other form, the records that `search_document`'s trigram index finds,
//! is the quick one; the planner cannot tell the two cases apart from its
//! estimates. So [`form`] counts the matches among the type's newest
//! documents first, as search's window does: a few means walk, none or
//! almost none means ask the index ([`indexed`]).

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use uuid::Uuid;

use super::{escape_like, normalize, postgres, typos};
use crate::error::CoreResult;
use entity::search_text::DOCUMENTS;

/// How a list's search filter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterForm {
    /// Test each record the list walks ([`super::filter`]).
    Walk,
    /// Keep the records the trigram index finds ([`indexed`]).
    Indexed,
}

/// Newest documents of the type the decision reads.
const SAMPLE: u64 = 5_000;

/// Matches among [`SAMPLE`] that make the walk the quicker form: one in 500,
/// so a page of 20 is found within about 10,000 records walked. The probe
/// stops at this many, so a common query reads few documents.
const WALK_FROM: i64 = 10;

/// The match of `query` over the text expression `text`, as SQL with `$n`
/// placeholders (`$1` the query's pattern, `$2` the query, `$3` and `$4` its
/// halves), and those values. `indexable`: the near arm written so the
/// trigram index can serve it (`<%`, with the session's threshold, which
/// `db.rs` sets at 0.29, the lowest a query has), else with the cheap test
/// first.
fn matching(query: &str, text: &str, indexable: bool) -> (String, Vec<Value>) {
    let like = Value::from(format!("%{}%", escape_like(query)));
    if !typos::forgiven(query) {
        return (format!(r#"{text} LIKE $1 ESCAPE '\'"#), vec![like]);
    }
    let threshold = postgres::near_threshold("CAST($2 AS TEXT)");
    let halves = format!(r#"({text} LIKE $3 ESCAPE '\' OR {text} LIKE $4 ESCAPE '\')"#);
    let similar = format!("word_similarity($2, {text}) >= {threshold}");
    let near = if indexable {
        format!("{halves} AND $2 <% {text} AND {similar}")
    } else {
        format!("CASE WHEN {halves} THEN {similar} ELSE false END")
    };
    let [left, right] = typos::halves(query);
    let values = vec![
        like,
        Value::from(query.to_owned()),
        Value::from(left),
        Value::from(right),
    ];
    (
        format!(r#"({text} LIKE $1 ESCAPE '\' OR ({near}))"#),
        values,
    )
}

/// Which form `raw`'s filter on `table` reads in `workspace`: always the
/// walk on SQLite (its full-text table answers either way) and for queries
/// under three letters (no trigram to look up).
pub async fn form(
    db: &DatabaseConnection,
    workspace: Uuid,
    table: &str,
    raw: &str,
) -> CoreResult<FilterForm> {
    let query = normalize(raw)?;
    if db.get_database_backend() != DbBackend::Postgres || query.chars().count() < 3 {
        return Ok(FilterForm::Walk);
    }
    let (test, mut values) = matching(&query, r#""text""#, false);
    let workspace_param = values.len() + 1;
    values.push(Value::from(workspace));
    let sql = format!(
        r#"SELECT count(*) AS "n" FROM (SELECT 1 FROM (SELECT "text" FROM "{DOCUMENTS}" WHERE "workspace_id" = ${workspace_param} AND "record_type" = '{table}' ORDER BY "record_id" DESC LIMIT {SAMPLE}) AS "sample" WHERE {test} LIMIT {WALK_FROM}) AS "found""#
    );
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await?;
    let found: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(if found >= WALK_FROM {
        FilterForm::Walk
    } else {
        FilterForm::Indexed
    })
}

/// The condition of [`FilterForm::Indexed`] (PostgreSQL): `table`'s records
/// whose search document in `workspace` matches `raw`, found through the
/// type's trigram index.
pub fn indexed(table: &str, raw: &str, workspace: Uuid) -> CoreResult<(String, Vec<Value>)> {
    let query = normalize(raw)?;
    let (test, mut values) = matching(&query, r#""text""#, true);
    let workspace_param = values.len() + 1;
    values.push(Value::from(workspace));
    Ok((
        format!(
            r#""{table}"."id" IN (SELECT "record_id" FROM "{DOCUMENTS}" WHERE "workspace_id" = ${workspace_param} AND "record_type" = '{table}' AND {test})"#
        ),
        values,
    ))
}

/// The condition of [`FilterForm::Walk`] on PostgreSQL: each `table` row
/// the list walks has its search document read by key and tested. The
/// document, not an expression over the row, because its text leaves out
/// deleted custom field definitions' values, which only a read of the
/// definitions can tell.
///
/// A scalar subquery (`LIMIT 1`), not `EXISTS`: PostgreSQL may turn an
/// `EXISTS` into a join, and the generic plan a server's connections settle
/// on after five executions is made for the average workspace (a few
/// hundred rows). In the large workspace of a table shared with 1,000 small
/// ones it hashed all 100,000 contacts against their documents and sorted
/// them (411 ms against 1.3 ms; BENCHMARKS.md, "generic plan"). A scalar
/// subquery is never joined: the list is walked in its order under any plan.
/// Its workspace is bound, not taken from the row: Citus routes a subquery
/// to one shard only when it names its workspace.
pub(super) fn walked(table: &str, query: &str, workspace: Uuid) -> (String, Vec<Value>) {
    let (test, mut values) = matching(query, r#"d."text""#, false);
    let workspace_param = values.len() + 1;
    values.push(Value::from(workspace));
    (
        format!(
            r#"(SELECT true FROM "{DOCUMENTS}" AS d WHERE d."workspace_id" = ${workspace_param} AND d."record_type" = '{table}' AND d."record_id" = "{table}"."id" AND {test} LIMIT 1) IS NOT NULL"#
        ),
        values,
    )
}
