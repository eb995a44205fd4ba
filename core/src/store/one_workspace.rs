//! Statements of one workspace, bound to it table by table for Citus.
//!
//! A statement that reads several tables of one workspace correlates them
//! by `"b"."workspace_id" = "a"."workspace_id"`. On one node that is all it
//! takes; Citus (issue 22) sends a statement to one shard only when every
//! table in it, subqueries included, is bound to a value of the
//! distribution column, and plans a correlation as a query of every shard
//! (or refuses it). Every table of such a statement holds rows of the one
//! workspace its outer `WHERE` names, so binding each side of a correlation
//! to that workspace selects the same rows.

use sea_orm::sea_query::SelectStatement;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult};
use uuid::Uuid;

/// Runs `select`, a statement of `workspace`, with every table in it bound
/// to the workspace on PostgreSQL ([`bind`]).
pub async fn query_all<C: ConnectionTrait>(
    db: &C,
    workspace: Uuid,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return db.query_all(select).await;
    }
    let mut statement = backend.build(select);
    statement.sql = bind(&statement.sql, workspace);
    db.query_all_raw(statement).await
}

const COLUMN: &str = r#""workspace_id""#;

/// `sql` with the right side of every `"x"."workspace_id" = "y"."workspace_id"`
/// replaced by the workspace's literal (a uuid's text is hex and `-`).
/// For PostgreSQL: SQLite stores uuids as bytes, and is one node anyway.
pub fn bind(sql: &str, workspace: Uuid) -> String {
    let pattern = format!(r#"{COLUMN} = ""#);
    let literal = literal(workspace);
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(&pattern) {
        let right = at + pattern.len() - 1;
        out.push_str(&rest[..right]);
        let tail = &rest[right..];
        match correlated_column(tail) {
            Some(length) => {
                out.push_str(&literal);
                rest = &tail[length..];
            }
            None => {
                out.push('"');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A uuid as an SQL literal (its text form holds only hex digits and `-`),
/// for statements that name their workspace as a value Citus routes by.
pub fn literal(id: Uuid) -> String {
    format!("'{id}'")
}

/// The length of `"alias"."workspace_id"` at the start of `text`, if it is there.
fn correlated_column(text: &str) -> Option<usize> {
    let alias_end = text[1..].find('"')? + 2;
    let alias = &text[1..alias_end - 1];
    let plain = !alias.is_empty() && alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain && text[alias_end..].starts_with(&format!(".{COLUMN}")))
        .then_some(alias_end + 1 + COLUMN.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_correlation_names_the_workspace() {
        let ws = Uuid::nil();
        let sql = r#"SELECT 1 FROM "a" WHERE "a"."workspace_id" = $1 AND EXISTS (SELECT 1 FROM "b" WHERE "b"."workspace_id" = "a"."workspace_id" AND "b"."id" = "a"."b_id") AND "a"."x" = "b"."workspace_id_2""#;
        assert_eq!(
            bind(sql, ws),
            r#"SELECT 1 FROM "a" WHERE "a"."workspace_id" = $1 AND EXISTS (SELECT 1 FROM "b" WHERE "b"."workspace_id" = '00000000-0000-0000-0000-000000000000' AND "b"."id" = "a"."b_id") AND "a"."x" = "b"."workspace_id_2""#
        );
        assert_eq!(bind(r#""workspace_id" = ""#, ws), r#""workspace_id" = ""#);
    }
}
