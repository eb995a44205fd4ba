//! The database side of the seed: the task that owns the transaction and
//! writes the batches the generator sends it, with PostgreSQL's COPY (text
//! format) or SQLite's multi-row INSERTs.
//!
//! COPY runs in statements of at most [`COPY_ROWS`] rows: the foreign keys
//! are checked by triggers queued until the end of each statement, and one
//! statement for millions of rows would hold millions of queued checks in
//! memory.

use sea_orm::sqlx::{self, Postgres};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::draw;
use super::figures;
use super::references;
use super::row::{Cell, Table};

/// Rows per COPY statement.
const COPY_ROWS: usize = 50_000;

/// A batch of rows on its way to the database.
pub enum Batch {
    /// COPY text (PostgreSQL).
    Copy {
        table: &'static Table,
        text: Vec<u8>,
        rows: usize,
    },
    /// Values of a multi-row INSERT (SQLite).
    Insert {
        table: &'static Table,
        values: Vec<Value>,
        rows: usize,
    },
    /// Everything is written: compute the workspace's stored figures, commit.
    /// `analyze`: gather the planner's statistics first (see [`Sink::commit`]).
    Commit { workspace: Uuid, analyze: bool },
}

/// Writes the batches with COPY; commits on [`Batch::Commit`] only (a
/// generator that failed drops the channel, and the transaction rolls back).
/// With `deferred`, the foreign keys were not checked row by row: they are
/// checked once before the commit.
pub async fn copy_all(
    mut txn: sqlx::Transaction<'static, Postgres>,
    mut batches: mpsc::Receiver<Batch>,
    deferred: bool,
) -> anyhow::Result<()> {
    let mut next = batches.recv().await;
    loop {
        match next {
            Some(Batch::Copy { table, text, rows }) => {
                next = copy_statement(&mut txn, (table, text, rows), &mut batches).await?;
            }
            Some(Batch::Commit { workspace, analyze }) => {
                if deferred {
                    references::check(&mut txn).await?;
                }
                figures::refresh_postgres(txn, workspace, analyze)
                    .await?
                    .commit()
                    .await?;
                return Ok(());
            }
            Some(Batch::Insert { .. }) => anyhow::bail!("multi-row INSERTs are SQLite's"),
            None => anyhow::bail!("the seed stopped before it finished; nothing was written"),
        }
    }
}

/// One COPY statement: the first batch and those after it of the same
/// table, up to [`COPY_ROWS`] rows. Returns the batch that did not fit.
async fn copy_statement(
    connection: &mut sqlx::PgConnection,
    (table, text, mut rows): (&'static Table, Vec<u8>, usize),
    batches: &mut mpsc::Receiver<Batch>,
) -> anyhow::Result<Option<Batch>> {
    let statement = format!(
        "COPY \"{}\" ({}) FROM STDIN",
        table.name,
        quoted(table.columns)
    );
    let mut copy = connection.copy_in_raw(&statement).await?;
    copy.send(text.as_slice()).await?;
    let next = loop {
        let batch = batches.recv().await;
        match batch {
            Some(Batch::Copy {
                table: same,
                text,
                rows: more,
            }) if same.name == table.name && rows < COPY_ROWS => {
                copy.send(text.as_slice()).await?;
                rows += more;
            }
            other => break other,
        }
    };
    copy.finish().await?;
    Ok(next)
}

/// Writes the batches as multi-row INSERTs; commits on [`Batch::Commit`] only.
pub async fn insert_all(
    txn: DatabaseTransaction,
    mut batches: mpsc::Receiver<Batch>,
) -> anyhow::Result<()> {
    while let Some(batch) = batches.recv().await {
        match batch {
            Batch::Insert {
                table,
                values,
                rows,
            } => {
                let row = format!("({})", vec!["?"; table.columns.len()].join(", "));
                let sql = format!(
                    "INSERT INTO \"{}\" ({}) VALUES {}",
                    table.name,
                    quoted(table.columns),
                    vec![row; rows].join(", ")
                );
                txn.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    sql,
                    values,
                ))
                .await?;
            }
            Batch::Commit { workspace, analyze } => {
                // Without statistics SQLite picks the index that matches a
                // subquery's ORDER BY over the one that matches its key, so
                // each row's latest survey answer scanned the whole
                // workspace: 90 s for 10,000 contacts, 0.1 s after ANALYZE
                // (itself 0.3 s), and a 100,000 seed never finished.
                if analyze {
                    txn.execute_unprepared("ANALYZE").await?;
                }
                figures::refresh(&txn, workspace).await?;
                // The connection goes back to the pool with SQLite's default.
                txn.execute_unprepared("PRAGMA cache_size = -2000").await?;
                txn.commit().await?;
                return Ok(());
            }
            Batch::Copy { .. } => anyhow::bail!("COPY is PostgreSQL's"),
        }
    }
    anyhow::bail!("the seed stopped before it finished; nothing was written")
}

fn quoted(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value SeaORM would bind for the cell (so SQLite stores exactly what
/// the server's own writes store: the same id and time encodings).
pub fn value(cell: &Cell<'_>) -> Value {
    match *cell {
        Cell::Null => Value::String(None),
        Cell::Id(id) => Value::Uuid(Some(id)),
        Cell::Text(text) => Value::String(Some(text.to_owned())),
        Cell::Int(n) => Value::BigInt(Some(n)),
        Cell::Bool(b) => Value::Bool(Some(b)),
        Cell::At(ms) => Value::ChronoDateTimeUtc(Some(draw::at(ms))),
        Cell::Day(day) => Value::ChronoDate(Some(day)),
    }
}

/// A cell in COPY's text format.
pub fn encode(out: &mut Vec<u8>, cell: &Cell<'_>) {
    use std::io::Write;
    match *cell {
        Cell::Null => out.extend_from_slice(b"\\N"),
        Cell::Id(id) => {
            let mut text = [0u8; 36];
            out.extend_from_slice(id.hyphenated().encode_lower(&mut text).as_bytes());
        }
        Cell::Text(text) => {
            for byte in text.bytes() {
                match byte {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    _ => out.push(byte),
                }
            }
        }
        Cell::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Cell::Bool(b) => out.push(if b { b't' } else { b'f' }),
        Cell::At(ms) => {
            let t = draw::at(ms).naive_utc();
            let _ = write!(
                out,
                "{}.{:03}+00",
                t.format("%Y-%m-%d %H:%M:%S"),
                ms.rem_euclid(1000)
            );
        }
        Cell::Day(day) => {
            let _ = write!(out, "{}", day.format("%Y-%m-%d"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cell: Cell<'_>) -> String {
        let mut out = Vec::new();
        encode(&mut out, &cell);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn copy_text_escapes_what_copy_reads_specially() {
        assert_eq!(text(Cell::Text("a\tb\\c\nd")), "a\\tb\\\\c\\nd");
        assert_eq!(text(Cell::Null), "\\N");
        assert_eq!(text(Cell::Bool(true)), "t");
        assert_eq!(
            text(Cell::At(draw::START + 1_234)),
            "2023-12-01 00:00:01.234+00"
        );
    }
}
