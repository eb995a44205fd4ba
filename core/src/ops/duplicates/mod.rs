//! Duplicate candidates: pairs of live contacts (or companies) that look
//! like one person (or organisation), with a score and the reasons. The
//! database keeps them on every write (migration 43's triggers, by the
//! rules of `entity::duplicate_match`: self-joins on indexed match keys,
//! never a comparison of every pair in Rust), so a page is an index range.
//! Pages run in a stable order: score, highest first, then the older
//! record's id, then the newer's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::duplicate_match::{branches, pairs_columns, pairs_select, pairs_table, reasons};
use entity::enums::Role;
use sea_orm::{ConnectionTrait, Statement, Value};
use uuid::Uuid;

pub use entity::duplicate_match::Reason;

use crate::access::{Actor, Owned};
use crate::error::{CoreError, CoreResult};
use crate::store::owned_sql;
use crate::store::placeholders::for_backend;

/// Which records to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    Contacts,
    Companies,
}

impl Among {
    pub const ALL: [Among; 2] = [Among::Contacts, Among::Companies];

    /// The table compared.
    pub fn table(self) -> &'static str {
        match self {
            Among::Contacts => "contact",
            Among::Companies => "company",
        }
    }

    /// The area a narrowed reader's role may read only part of.
    pub fn area(self) -> Owned {
        match self {
            Among::Contacts => Owned::Contacts,
            Among::Companies => Owned::Companies,
        }
    }
}

/// Computes a workspace's pairs anew from its records: for writers that
/// bypass the triggers (the scale seed's bulk load on PostgreSQL).
pub async fn rebuild<C: ConnectionTrait>(conn: &C, workspace: Uuid) -> CoreResult<()> {
    let backend = conn.get_database_backend();
    for among in Among::ALL {
        let table = among.table();
        let pairs = pairs_table(table);
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            for_backend(
                backend,
                &format!(r#"DELETE FROM "{pairs}" WHERE "workspace_id" = ?"#),
            ),
            [Value::from(workspace)],
        ))
        .await?;
        let insert = format!(
            r#"INSERT INTO "{pairs}" ({}) {}"#,
            pairs_columns(backend, table),
            pairs_select(backend, table, r#""a"."workspace_id" = ?"#)
        );
        // The workspace once per branch of the select.
        let bound = vec![Value::from(workspace); branches(backend, table).len()];
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            for_backend(backend, &insert),
            bound,
        ))
        .await?;
    }
    Ok(())
}

/// A candidate pair: `record` is the older, `duplicate` the newer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub record: Uuid,
    pub duplicate: Uuid,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

impl Candidate {
    /// The opaque cursor of this pair's place in the order.
    pub fn cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}:{}", self.score, self.record, self.duplicate))
    }
}

/// A page of candidates, and whether more follow.
#[derive(Debug, Clone)]
pub struct CandidatePage {
    pub candidates: Vec<Candidate>,
    pub has_next: bool,
}

/// Largest page.
pub const MAX_PAGE: u64 = 100;

/// The `first` candidates after cursor `after` (MANAGER and ADMIN: the
/// pairs name records a narrowed read scope might hide).
pub async fn candidates<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    among: Among,
    first: u64,
    after: Option<&str>,
) -> CoreResult<CandidatePage> {
    if !matches!(actor.role, Role::Admin | Role::Manager) {
        return Err(CoreError::Forbidden(format!(
            "the {:?} role may not list duplicates (MANAGER and ADMIN may)",
            actor.role
        )));
    }
    if first > MAX_PAGE {
        return Err(CoreError::bad_input("first", format!("at most {MAX_PAGE}")));
    }
    let after = after.map(decode_cursor).transpose()?;
    let backend = conn.get_database_backend();
    let table = among.table();
    let reasons = reasons(backend, table);
    let flags: Vec<String> = reasons
        .iter()
        .map(|r| format!(r#""{}""#, r.column()))
        .collect();
    let cursor = if after.is_some() {
        r#"AND ("score" < ? OR ("score" = ? AND ("record_id" > ? OR ("record_id" = ? AND "duplicate_id" > ?))))"#
    } else {
        ""
    };
    // A narrowed reader's pairs join two records it reads, each read by
    // its key as the pairs are walked.
    let (read, owners) = match owned_sql(actor, among.area(), "r") {
        Some((owned, owners)) => (
            format!(
                r#"AND EXISTS (SELECT 1 FROM "{table}" AS r WHERE r."workspace_id" = ? AND r."id" = "record_id" AND {owned}) AND EXISTS (SELECT 1 FROM "{table}" AS r WHERE r."workspace_id" = ? AND r."id" = "duplicate_id" AND {owned})"#
            ),
            owners,
        ),
        None => (String::new(), Vec::new()),
    };
    let sql = format!(
        r#"SELECT "record_id" AS "record", "duplicate_id" AS "duplicate", {flags}, "score" FROM "{pairs}" WHERE "workspace_id" = ? {cursor} {read} ORDER BY "score" DESC, "record_id", "duplicate_id" LIMIT ?"#,
        flags = flags.join(", "),
        pairs = pairs_table(table),
    );
    let mut values: Vec<Value> = vec![actor.workspace_id.into()];
    if let Some((score, record, duplicate)) = after {
        values.extend([
            score.into(),
            score.into(),
            record.into(),
            record.into(),
            duplicate.into(),
        ]);
    }
    // Each record read names the workspace too: on Citus, the one shard.
    if !read.is_empty() {
        for _ in 0..2 {
            values.push(actor.workspace_id.into());
            values.extend(owners.iter().cloned());
        }
    }
    values.push(Value::from(first as i64 + 1));
    let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
    let mut candidates = Vec::new();
    for row in conn.query_all_raw(statement).await? {
        let mut found = Vec::new();
        for reason in &reasons {
            if row.try_get::<i32>("", reason.column())? > 0 {
                found.push(*reason);
            }
        }
        candidates.push(Candidate {
            record: row.try_get("", "record")?,
            duplicate: row.try_get("", "duplicate")?,
            score: row.try_get("", "score")?,
            reasons: found,
        });
    }
    let has_next = candidates.len() as u64 > first;
    candidates.truncate(first as usize);
    Ok(CandidatePage {
        candidates,
        has_next,
    })
}

fn decode_cursor(cursor: &str) -> CoreResult<(i32, Uuid, Uuid)> {
    let refused = || CoreError::bad_input("after", "not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let mut parts = text.split(':');
    let (Some(score), Some(record), Some(duplicate), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused());
    };
    Ok((
        score.parse().map_err(|_| refused())?,
        record.parse().map_err(|_| refused())?,
        duplicate.parse().map_err(|_| refused())?,
    ))
}
