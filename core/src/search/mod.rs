//! Search across companies, contacts, deals, tickets and activities: one
//! ranked list of the workspace's live records whose search text (see
//! `entity::search_text`) matches what was typed.
//!
//! A record matches exactly when its text contains the query (any case),
//! or nearly, for a slip of the keyboard (queries of 4 letters or more):
//! on PostgreSQL when the text holds one half of the query (see
//! [`typos::halves`]) and the query's trigrams are mostly found in one
//! stretch of it (`pg_trgm` word similarity, see
//! [`postgres::near_threshold`]), on SQLite when the text contains the
//! query with one letter changed, dropped or added. Ranks, best first: a
//! word starting with the query (3), the query anywhere (2), a near match
//! (1); within a rank, the most recently added record first (ids are
//! UUIDv7, so newest is highest).
//!
//! Every near match ranks below every exact one, so the near matches are
//! looked for only when the exact ones do not fill the page, in a second
//! statement: a common prefix ("schmi") never computes the similarity of
//! every word sharing a few letters with it. Each statement keeps from each
//! type only the rows the page can show; on PostgreSQL a common query is
//! answered from each type's newest documents alone (see [`postgres`], and
//! BENCHMARKS.md for the cost at a million contacts).

pub mod documents;
pub mod list_filter;
mod postgres;
mod sqlite;
mod typos;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait, Value,
};
use uuid::Uuid;

use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::kind::Kind;
use crate::store::placeholders::for_backend;
use crate::store::read_sql;

/// Shortest query, in characters.
pub const MIN_QUERY: usize = 2;
/// Longest query, in characters.
pub const MAX_QUERY: usize = 100;
/// The matches a statement looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tier {
    /// The query itself (ranks 3 and 2).
    Exact,
    /// A slip of one letter, the query itself excluded (rank 1).
    Near,
}

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
/// actor's workspace's live records of `kinds`: one statement for the exact
/// matches, and a second for the near ones when the first leaves room.
pub async fn search(
    db: &DatabaseConnection,
    actor: &Actor,
    query: &str,
    kinds: &[Kind],
    offset: u64,
    limit: u64,
) -> CoreResult<Vec<Hit>> {
    let window = postgres::window(offset + limit);
    search_with_window(db, actor, query, kinds, offset, limit, window).await
}

/// [`search`], reading the `window` newest documents of each type first on
/// PostgreSQL instead of the number it picks: the answer must not depend on
/// it, which is what the tests check.
pub async fn search_with_window(
    db: &DatabaseConnection,
    actor: &Actor,
    query: &str,
    kinds: &[Kind],
    offset: u64,
    limit: u64,
    window: u64,
) -> CoreResult<Vec<Hit>> {
    let query = normalize(query)?;
    let kinds: Vec<(Kind, &'static str)> = kinds
        .iter()
        .filter_map(|kind| Some((*kind, table_of(*kind)?)))
        .collect();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = offset + limit;
    let find = |tier, take| Find {
        query: &query,
        kinds: &kinds,
        tier,
        take,
        window,
    };
    let mut hits = ranked(db, actor, find(Tier::Exact, wanted)).await?;
    let room = wanted.saturating_sub(hits.len() as u64);
    if room > 0 && typos::forgiven(&query) {
        hits.extend(ranked(db, actor, find(Tier::Near, room)).await?);
    }
    Ok(hits
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect())
}

/// What one statement looks for: the best `take` matches of `tier`.
struct Find<'a> {
    query: &'a str,
    kinds: &'a [(Kind, &'static str)],
    tier: Tier,
    take: u64,
    /// Newest documents of a type read first (PostgreSQL).
    window: u64,
}

/// The best `take` matches of `tier`, best first, in one statement.
async fn ranked(db: &DatabaseConnection, actor: &Actor, find: Find<'_>) -> CoreResult<Vec<Hit>> {
    let Find {
        query,
        kinds,
        tier,
        take,
        window,
    } = find;
    let backend = db.get_database_backend();
    let mut branches = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for (kind, table) in kinds {
        let workspace = Value::from(actor.workspace_id);
        let (sql, bound) = match backend {
            DbBackend::Postgres => postgres::branch(
                table,
                kind.name(),
                query,
                workspace,
                tier,
                (take, window),
                // Each branch keeps the records the reader reads in its own
                // statement, so a page of hits is full.
                read_sql(actor, *kind, r#""record_id""#),
            ),
            _ => {
                let narrowed = read_sql(actor, *kind, r#"t."id""#);
                sqlite::branch(table, kind.name(), query, workspace, tier, take, narrowed)
            }
        };
        branches.push(sql);
        values.extend(bound);
    }
    let sql = format!(
        r#"SELECT "kind", "id", "score" FROM ({}) AS "hits" ORDER BY "score" DESC, "id" DESC LIMIT ?"#,
        branches.join(" UNION ALL ")
    );
    values.push(Value::from(take as i64));
    let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
    let rows = if backend == DbBackend::Postgres {
        // Custom plans (and the near tier's threshold), for this transaction only.
        let txn = db.begin().await?;
        let (ready, bound) = postgres::ready_transaction(tier, query);
        let readied = txn
            .query_one_raw(Statement::from_sql_and_values(backend, ready, bound))
            .await?;
        if tier == Tier::Near {
            let threshold: f64 = readied
                .ok_or_else(|| DbErr::RecordNotFound("the near tier's threshold".into()))?
                .try_get("", "threshold")?;
            txn.execute_unprepared(&postgres::set_threshold(threshold))
                .await?;
        }
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

/// A branch's values in the order both backends write them: the rank's,
/// the workspace, the match's, the row limit.
pub(crate) fn branch_values(
    rank: Vec<Value>,
    workspace: Value,
    matching: Vec<Value>,
    take: u64,
) -> Vec<Value> {
    let mut values = rank;
    values.push(workspace);
    values.extend(matching);
    values.push(Value::from(take as i64));
    values
}

/// `LIKE` pattern text with its wildcards escaped (escape character `\`).
pub(crate) fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A list filter's condition (SQL for a custom expression: `$n`
/// placeholders on PostgreSQL, `?` on SQLite, and its values) that
/// keeps the `table` rows whose search text matches `raw` by the same rule
/// as [`search`]. On PostgreSQL this is the walking form: each row the
/// list reads is tested (see [`list_filter`] for the other form, and when
/// each is used).
pub fn filter(
    backend: DbBackend,
    table: &str,
    raw: &str,
    workspace: Uuid,
) -> CoreResult<(String, Vec<Value>)> {
    let query = normalize(raw)?;
    if backend == DbBackend::Postgres {
        return Ok(list_filter::walked(table, &query, workspace));
    }
    let forgiven = typos::forgiven(&query);
    let (exact, mut values) = sqlite::exact(&query);
    let mut matching = exact;
    if forgiven {
        let (near, bound) = sqlite::near(&query);
        matching = format!("({matching} OR ({near}))");
        values.extend(bound);
    }
    let sql = format!(
        r#""{table}"."id" IN (SELECT e."record_id" FROM "search_fts" AS f JOIN "search_entry" AS e ON e."id" = f."rowid" WHERE e."record_type" = '{table}' AND {matching})"#
    );
    Ok((sql, values))
}
