//! Talking to the throwaway cluster with its own tools: psql for setup and
//! pg_stat_statements, the CSV log for the exact statements (with their
//! parameters) a request ran, pgbench for the raw-SQL limit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::procs::PG_BIN;

#[derive(Clone)]
pub struct Db {
    pub port: u16,
    pub csv_log: PathBuf,
}

impl Db {
    /// Runs SQL as the superuser on database `db`; returns unaligned rows.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String> {
        let out = Command::new(format!("{PG_BIN}/psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .context("psql")?;
        if !out.status.success() {
            bail!(
                "psql failed on {sql:.200}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    pub fn psql_file(&self, db: &str, file: &Path) -> Result<()> {
        let out = Command::new(format!("{PG_BIN}/psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                db,
                "-f",
            ])
            .arg(file)
            .output()
            .context("psql")?;
        if !out.status.success() {
            bail!(
                "psql -f {} failed: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    pub fn reset_statements(&self) -> Result<()> {
        self.psql("rapport", "SELECT pg_stat_statements_reset()")
            .map(|_| ())
    }

    /// Statement calls per normalised query for one role since the last reset.
    pub fn statements_of(&self, role: &str) -> Result<BTreeMap<String, u64>> {
        let rows = self.psql(
            "rapport",
            &format!(
                "SELECT calls, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements \
                 WHERE toplevel AND userid = '{role}'::regrole AND dbid = (SELECT oid FROM pg_database WHERE datname = 'rapport') \
                 ORDER BY calls DESC"
            ),
        )?;
        let mut map = BTreeMap::new();
        for line in rows.lines() {
            if let Some((calls, query)) = line.split_once('|') {
                *map.entry(query.to_string()).or_insert(0) += calls.parse::<u64>().unwrap_or(0);
            }
        }
        Ok(map)
    }

    /// Turns statement logging (with parameters, in the CSV log) on or off.
    pub fn log_all(&self, on: bool) -> Result<()> {
        if on {
            self.psql("rapport", "ALTER SYSTEM SET log_statement = 'all'")?;
        } else {
            self.psql("rapport", "ALTER SYSTEM RESET log_statement")?;
        }
        self.psql("rapport", "SELECT pg_reload_conf()")?;
        std::thread::sleep(std::time::Duration::from_millis(300));
        Ok(())
    }

    pub fn log_len(&self) -> u64 {
        std::fs::metadata(&self.csv_log)
            .map(|m| m.len())
            .unwrap_or(0)
    }

    /// The statements `role` executed, with their parameters, logged after
    /// byte `from` of the CSV log.
    pub fn logged_statements(&self, role: &str, from: u64) -> Result<Vec<Logged>> {
        let bytes = std::fs::read(&self.csv_log)?;
        let tail = &bytes[(from as usize).min(bytes.len())..];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(tail);
        let mut out = Vec::new();
        for record in reader.records() {
            let record = record?;
            // csvlog columns: 1 user_name, 13 message, 14 detail (0-based).
            let (user, message, detail) = (
                record.get(1).unwrap_or(""),
                record.get(13).unwrap_or(""),
                record.get(14).unwrap_or(""),
            );
            if user != role {
                continue;
            }
            let sql = if let Some(rest) = message.strip_prefix("statement: ") {
                rest
            } else if let Some(rest) = message.strip_prefix("execute ") {
                match rest.split_once(": ") {
                    Some((_, sql)) => sql,
                    None => continue,
                }
            } else {
                continue;
            };
            out.push(Logged {
                sql: sql.to_string(),
                params: parse_params(detail),
            });
        }
        Ok(out)
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub sql: String,
    /// `$1`, `$2`, … in order; `None` for NULL.
    pub params: Vec<Option<String>>,
}

/// Parses `parameters: $1 = 'a', $2 = NULL, $3 = 'it''s'`.
pub fn parse_params(detail: &str) -> Vec<Option<String>> {
    let Some(list) = detail.strip_prefix("parameters: ") else {
        return Vec::new();
    };
    let mut params = Vec::new();
    let b = list.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // `$n = `
        let Some(eq) = list[i..].find(" = ") else {
            break;
        };
        i += eq + 3;
        if list[i..].starts_with("NULL") {
            params.push(None);
            i += 4;
        } else if b.get(i) == Some(&b'\'') {
            i += 1;
            let mut value = String::new();
            loop {
                let Some(q) = list[i..].find('\'') else {
                    i = b.len();
                    break;
                };
                value.push_str(&list[i..i + q]);
                i += q + 1;
                if b.get(i) == Some(&b'\'') {
                    value.push('\'');
                    i += 1;
                } else {
                    break;
                }
            }
            params.push(Some(value));
        } else {
            break;
        }
        // `, `
        i += 2;
    }
    params
}

/// The statement for a pgbench script: each `$n` becomes the pgbench
/// variable `:s{index}p{n}` (its value passed with `-D`), so pgbench binds
/// it as a parameter of a prepared statement, as Rapport does, and the
/// server plans it the same way (custom, then maybe generic plans). The
/// log does not say the types Rapport bound, so the obvious ones are
/// restored with a cast (an integer bound for `$1 AS "_in"` must compare
/// with integers; a UUID array for `= ANY($3)`); any other parameter takes
/// its type from where it stands, as an untyped one would.
pub fn parameterize(logged: &Logged, index: usize) -> (String, Vec<(String, String)>) {
    let sql = &logged.sql;
    let mut out = String::new();
    let mut vars = Vec::new();
    let mut in_quote = false;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            in_quote = !in_quote;
        }
        if !in_quote && c == '$' && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
            let mut j = i + 1;
            while let Some((k, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                j = k + 1;
                chars.next();
            }
            let n: usize = sql[i + 1..j].parse().unwrap_or(0);
            match logged.params.get(n.wrapping_sub(1)) {
                Some(Some(v)) => {
                    let name = format!("s{index}p{n}");
                    out.push_str(&format!(":{name}{}", cast_for(v)));
                    if !vars.iter().any(|(k, _)| *k == name) {
                        vars.push((name, v.clone()));
                    }
                }
                Some(None) => out.push_str("NULL"),
                None => out.push_str(&sql[i..j]),
            }
            continue;
        }
        out.push(c);
    }
    // One statement per line in the script.
    (out.replace(['\n', '\r'], " "), vars)
}

pub fn cast_for(v: &str) -> &'static str {
    let is_uuid = |s: &str| {
        s.len() == 36
            && s.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            })
    };
    let is_int = !v.is_empty()
        && v.len() < 19
        && v.strip_prefix('-')
            .unwrap_or(v)
            .chars()
            .all(|c| c.is_ascii_digit());
    if is_int {
        "::bigint"
    } else if matches!(v, "t" | "f" | "true" | "false") {
        "::boolean"
    } else if is_uuid(v) {
        "::uuid"
    } else if v.starts_with('{')
        && v.ends_with('}')
        && v.len() > 2
        && v[1..v.len() - 1].split(',').all(is_uuid)
    {
        "::uuid[]"
    } else {
        ""
    }
}

/// Runs pgbench with a custom script; returns transactions per second.
pub fn pgbench(
    db: &Db,
    script: &Path,
    vars: &[(String, String)],
    clients: usize,
    seconds: u64,
    log: &Path,
) -> Result<f64> {
    let mut cmd = Command::new(format!("{PG_BIN}/pgbench"));
    for (name, value) in vars {
        // One argument may hold at most 128 KiB (MAX_ARG_STRLEN).
        if name.len() + value.len() + 3 >= 128 * 1024 {
            bail!(
                "parameter {name} is {} bytes, too long for pgbench -D",
                value.len()
            );
        }
        cmd.arg(format!("-D{name}={value}"));
    }
    let out = cmd
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &db.port.to_string(),
            "-U",
            "postgres",
            "-n",
            "-M",
            "prepared",
        ])
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(2).to_string(),
            "-T",
            &seconds.to_string(),
        ])
        .arg("-f")
        .arg(script)
        .arg("rapport")
        .output()
        .context("pgbench")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::write(log, &text);
    if !out.status.success() {
        bail!("pgbench failed: {text:.2000}");
    }
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| {
            l["tps = ".len()..]
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .context("no tps in pgbench output")?;
    if let Some(failed) = text
        .lines()
        .find(|l| l.contains("number of failed transactions"))
        && !failed.contains(": 0 ")
    {
        bail!("pgbench: {failed}");
    }
    Ok(tps)
}
