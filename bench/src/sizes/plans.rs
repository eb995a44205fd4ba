//! The plans behind each row: `auto_explain` (loaded with the cluster)
//! logs every statement with `EXPLAIN (ANALYZE, BUFFERS)` while it is
//! switched on; each read runs once more with it on, and the statements of
//! that run are cut out of the server's CSV log into one file per operation.
//! A statement cancelled by the time limit has no plan: its text and the
//! cancellation are kept instead.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::sql::Db;

/// The cluster's settings that load `auto_explain`, switched off.
pub const SETTINGS: &[&str] = &[
    "shared_preload_libraries=pg_stat_statements,auto_explain",
    "auto_explain.log_min_duration=-1",
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

/// The plans (and cancellations) logged for `role` after byte `from`.
pub fn since(db: &Db, role: &str, from: u64) -> Result<String> {
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
        // csvlog columns: 1 user_name, 11 error_severity, 13 message, 19 query.
        let field = |i| record.get(i).unwrap_or("");
        if field(1) != role {
            continue;
        }
        let message = field(13);
        if message.starts_with("duration:") && message.contains("plan:") {
            out.push_str(message);
            out.push_str("\n\n");
        } else if field(11) == "ERROR" {
            out.push_str(&format!(
                "{}: {message}\nstatement (no plan: it did not finish): {}\n\n",
                field(11),
                field(19)
            ));
        }
    }
    Ok(out)
}

/// Writes `text` to `dir/name`.
pub fn keep(dir: &Path, name: &str, text: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(name), text)?;
    Ok(())
}
