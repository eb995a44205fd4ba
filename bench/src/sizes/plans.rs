//! The plans behind each row: `auto_explain` (loaded with the cluster)
//! logs every statement with `EXPLAIN (ANALYZE, BUFFERS)` while it is
//! switched on; each read runs once more with it on, and the statements of
//! that run are cut out of the server's CSV log into one file per operation.
//! A statement cancelled by the time limit has no analysed plan: its text,
//! and its plan without ANALYZE (its logged parameters put in), are kept
//! instead.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::sql::{Db, cast_for, parse_params};

/// The cluster's settings: `auto_explain` loaded (off until switched on:
/// its settings stay out of the command line, which would override them),
/// and the parameters of a failed statement in its log entry.
pub const SETTINGS: &[&str] = &[
    "shared_preload_libraries=pg_stat_statements,auto_explain",
    "log_parameter_max_length_on_error=-1",
];

/// Switches plan logging on (every statement, analysed, with buffers) or off.
pub fn log_plans(db: &Db, on: bool) -> Result<()> {
    let settings: &[&str] = if on {
        &[
            "ALTER SYSTEM SET auto_explain.log_min_duration = 0",
            "ALTER SYSTEM SET auto_explain.log_analyze = on",
            "ALTER SYSTEM SET auto_explain.log_buffers = on",
            "ALTER SYSTEM SET auto_explain.log_timing = on",
            "ALTER SYSTEM SET auto_explain.log_nested_statements = on",
            "ALTER SYSTEM SET auto_explain.log_format = 'text'",
        ]
    } else {
        &["ALTER SYSTEM SET auto_explain.log_min_duration = -1"]
    };
    for statement in settings {
        db.psql("postgres", statement)?;
    }
    db.psql("postgres", "SELECT pg_reload_conf()")?;
    // Backends read the new settings before their next statement; give
    // the reload signal a moment to reach them.
    std::thread::sleep(Duration::from_millis(300));
    Ok(())
}

/// The plans (and cancellations) logged for `role` after byte `from`, in
/// database `database`.
pub fn since(db: &Db, database: &str, role: &str, from: u64) -> Result<String> {
    // The logging collector writes asynchronously.
    std::thread::sleep(Duration::from_millis(400));
    let bytes = std::fs::read(&db.csv_log)?;
    let tail = &bytes[(from as usize).min(bytes.len())..];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(tail);
    let mut out = String::new();
    for record in reader.records() {
        let record = record?;
        // csvlog columns: 1 user_name, 11 error_severity, 13 message,
        // 18 context (with the parameters), 19 query.
        let field = |i| record.get(i).unwrap_or("");
        if field(1) != role {
            continue;
        }
        let message = field(13);
        if message.starts_with("duration:") && message.contains("plan:") {
            out.push_str(message);
            out.push_str("\n\n");
        } else if field(11) == "ERROR" {
            let (query, context) = (field(19), field(18));
            out.push_str(&format!(
                "{}: {message}\nstatement: {query}\n{context}\n",
                field(11)
            ));
            let params = context
                .find("parameters: ")
                .map(|at| parse_params(&context[at..]))
                .unwrap_or_default();
            let plan = db
                .psql(database, &format!("EXPLAIN {}", inline(query, &params)))
                .unwrap_or_else(|e| format!("no plan: {e:#}"));
            out.push_str(&format!(
                "Its plan without ANALYZE (it did not finish):\n{plan}\n\n"
            ));
        }
    }
    Ok(out)
}

/// `sql` with each `$n` replaced by its value as a literal (cast to the
/// type it looks like, as the statement bound it), NULL when missing.
fn inline(sql: &str, params: &[Option<String>]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut in_quote = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            in_quote = !in_quote;
        }
        if in_quote || c != '$' || !chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
            out.push(c);
            continue;
        }
        let mut end = i + 1;
        while let Some((j, d)) = chars.peek().copied() {
            if !d.is_ascii_digit() {
                break;
            }
            end = j + 1;
            chars.next();
        }
        let n: usize = sql[i + 1..end].parse().unwrap_or(0);
        match params.get(n.wrapping_sub(1)) {
            Some(Some(v)) => {
                out.push_str(&format!("'{}'{}", v.replace('\'', "''"), cast_for(v)));
            }
            _ => out.push_str("NULL"),
        }
    }
    out
}

/// Writes `text` to `dir/name`.
pub fn keep(dir: &Path, name: &str, text: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_literals_outside_quotes() {
        let params = vec![Some("1".to_string()), None, Some("it's".to_string())];
        assert_eq!(
            inline("SELECT $1, '$2', $2, $3", &params),
            "SELECT '1'::bigint, '$2', NULL, 'it''s'"
        );
    }
}
