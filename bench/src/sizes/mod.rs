//! `rapport-bench --sizes 10000,100000,1000000`: how each operation of
//! issue 21 scales with the workspace. For each size a fresh PostgreSQL
//! database is seeded with `rapport seed --scale N` (then vacuumed, as
//! autovacuum would), Rapport (release) and PostGraphile serve it, and each
//! operation is timed: warm-up, then the median of five, one client. Then
//! every read runs once more with `auto_explain` on and its plans are kept
//! in `bench/target/sizes/plans/<size>/`. SQLite gets the same table at the
//! sizes of `--sqlite` (100,000 unless told), without PostGraphile.

mod disk;
mod measure;
mod ops;
mod plans;
mod serve;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::procs::{self, Postgres};
use crate::sql::Db;
use measure::{Outcome, thousands};
use ops::Op;
use serve::Servers;
use table::Table;

/// What to measure.
pub struct Sizes {
    pub postgres: Vec<u64>,
    pub sqlite: Vec<u64>,
}

/// Parses `10000,100000` (or `none`).
pub fn parse_list(text: &str) -> Option<Vec<u64>> {
    if text == "none" {
        return Some(Vec::new());
    }
    text.split(',')
        .map(|n| n.trim().replace('_', "").parse().ok())
        .collect()
}

/// One database being measured.
struct Subject<'a> {
    label: String,
    contacts: u64,
    url: String,
    /// The cluster and database name, on PostgreSQL.
    postgres: Option<(&'a Db, &'a Postgres, String)>,
}

pub async fn run(sizes: Sizes, out: Option<PathBuf>, run_dir: PathBuf) -> Result<()> {
    let started = Instant::now();
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = bench.parent().context("bench/ has no parent")?;
    let bin = std::env::var_os("RAPPORT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/rapport"));
    if !bin.exists() {
        bail!(
            "{} is missing: cargo build --release --bin rapport",
            bin.display()
        );
    }
    let plugin = bench.join("peer/node_modules/postgraphile-plugin-connection-filter");
    if !sizes.postgres.is_empty() && !plugin.exists() {
        bail!("PostGraphile's filter plugin is not installed: (cd bench/peer && npm ci)");
    }
    let dir = bench.join("target/sizes");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("logs"))?;
    std::fs::create_dir_all(&run_dir)?;
    let servers = Servers {
        bin,
        bench: bench.clone(),
        logs: dir.join("logs"),
        secret: format!(
            "size-bench-secret-{}-0123456789abcdef0123456789",
            std::process::id()
        ),
        run_dir: run_dir.clone(),
    };
    let operations = ops::all();
    let mut table = Table::new(
        [
            "seed --scale: rows, time (rows/s)".to_string(),
            "database size".to_string(),
        ]
        .into_iter()
        .chain(operations.iter().map(|op| op.label.to_string())),
    );
    let mut runs = std::fs::File::create(dir.join("runs.csv"))?;
    writeln!(runs, "database,contacts,contender,operation,run,ms")?;
    eprintln!(
        "[{:>6.1}s] results in {}",
        started.elapsed().as_secs_f64(),
        dir.display()
    );

    if !sizes.postgres.is_empty() {
        let mut settings = plans::SETTINGS.to_vec();
        // As in the measurements.
        settings.extend(["shared_buffers=2GB", "max_wal_size=8GB"]);
        let pg = tokio::task::spawn_blocking({
            let run_dir = run_dir.clone();
            move || Postgres::start_with(&run_dir, &settings)
        })
        .await??;
        let db = Db {
            port: pg.port,
            csv_log: pg.csv_log(),
        };
        db.psql("postgres", "CREATE ROLE rapport LOGIN")?;
        db.psql("postgres", "CREATE ROLE peer LOGIN SUPERUSER")?;
        // Lets the seed check foreign keys once instead of row by row.
        db.psql(
            "postgres",
            "GRANT SET ON PARAMETER session_replication_role TO rapport",
        )?;
        // The same limit as Rapport's requests, so both answer "timeout".
        db.psql("postgres", "ALTER ROLE peer SET statement_timeout = '10s'")?;
        for &contacts in &sizes.postgres {
            let name = format!("s{contacts}");
            db.psql("postgres", &format!("CREATE DATABASE {name} OWNER rapport"))?;
            let subject = Subject {
                label: thousands(contacts),
                contacts,
                url: pg.url_of("rapport", &name),
                postgres: Some((&db, &pg, name.clone())),
            };
            let measured =
                measure(&servers, &subject, &operations, &mut table, &mut runs, &dir).await;
            db.psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )?;
            measured?;
            eprintln!(
                "[{:>6.1}s] PostgreSQL at {} done",
                started.elapsed().as_secs_f64(),
                thousands(contacts)
            );
        }
    }
    for &contacts in &sizes.sqlite {
        let subject = Subject {
            label: thousands(contacts),
            contacts,
            url: serve::sqlite_url(&run_dir, contacts),
            postgres: None,
        };
        measure(&servers, &subject, &operations, &mut table, &mut runs, &dir).await?;
        let _ = std::fs::remove_file(run_dir.join(format!("s{contacts}.db")));
        eprintln!(
            "[{:>6.1}s] SQLite at {} done",
            started.elapsed().as_secs_f64(),
            thousands(contacts)
        );
    }
    let rendered = format!(
        "Data-size table ({:.0} s): median of {} after a warm-up, one client; \"timeout\" = past the 10 s limit.\n\n{}",
        started.elapsed().as_secs_f64(),
        measure::RUNS,
        table.render()
    );
    println!("\n{rendered}");
    std::fs::write(dir.join("table.md"), &rendered)?;
    if let Some(out) = out {
        std::fs::write(&out, &rendered).with_context(|| format!("write {}", out.display()))?;
    }
    Ok(())
}

/// Seeds, serves and measures one database; its columns go into `table`.
async fn measure(
    servers: &Servers,
    subject: &Subject<'_>,
    operations: &[Op],
    table: &mut Table,
    runs: &mut std::fs::File,
    dir: &Path,
) -> Result<()> {
    let kind = if subject.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let file_label = format!("{}-{}", kind.to_lowercase(), subject.contacts);
    disk::check_room(
        &servers.run_dir,
        subject.contacts,
        subject.postgres.is_some(),
    )?;
    eprintln!("  {kind} at {} contacts: seeding…", subject.label);
    let (rows, seconds) = servers.seed(&subject.url, subject.contacts, &file_label)?;
    let ours = table.column(format!("Rapport on {kind}, {}", subject.label));
    let seeded = format!(
        "{} in {:.1} s ({}/s)",
        thousands(rows),
        seconds,
        thousands((rows as f64 / seconds.max(1e-9)) as u64)
    );
    eprintln!("    seeded {seeded}");
    table.set("seed --scale: rows, time (rows/s)", ours, seeded);
    let mut workspace = String::new();
    let mut theirs = None;
    if let Some((db, _, name)) = &subject.postgres {
        let vacuumed = Instant::now();
        db.psql(name, "VACUUM ANALYZE")?;
        eprintln!(
            "    VACUUM ANALYZE in {:.1} s",
            vacuumed.elapsed().as_secs_f64()
        );
        let size = db.psql(
            name,
            "SELECT pg_size_pretty(pg_database_size(current_database()))",
        )?;
        table.set("database size", ours, size);
        workspace = db.psql(name, "SELECT id FROM workspace")?;
        theirs = Some(table.column(format!("PostGraphile, {}", subject.label)));
    } else if let Some(path) = subject
        .url
        .strip_prefix("sqlite://")
        .and_then(|u| u.split('?').next())
    {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        table.set(
            "database size",
            ours,
            format!("{} MB", thousands(bytes >> 20)),
        );
    }
    let token = servers.token(&subject.url)?;
    let (rapport_pid, rapport) = servers.rapport(&subject.url, &token, &file_label).await?;
    let fixture = serve::fixture(&rapport, workspace).await?;
    let peer = match &subject.postgres {
        Some((_, pg, name)) => Some(servers.peer(&pg.url_of("peer", name), &file_label).await?),
        None => None,
    };
    let cancel_peer = || {
        if let Some((db, ..)) = &subject.postgres {
            let _ = db.psql(
                "postgres",
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE usename = 'peer' AND state = 'active'",
            );
        }
    };
    let nothing = || {};
    for op in operations {
        let ours_outcome =
            measure::median(&rapport, &op.rapport, op.rapport_expect, &fixture, &nothing).await;
        record(runs, kind, subject.contacts, "rapport", op, &ours_outcome)?;
        let mut line = format!("    {:<45} Rapport {:>12}", op.label, ours_outcome.cell());
        table.set(op.label, ours, ours_outcome.cell());
        if let (Some((query, expect)), Some((_, target)), Some(column)) = (&op.peer, &peer, theirs)
        {
            let outcome = measure::median(target, query, *expect, &fixture, &cancel_peer).await;
            record(runs, kind, subject.contacts, "postgraphile", op, &outcome)?;
            line.push_str(&format!("   PostGraphile {:>12}", outcome.cell()));
            table.set(op.label, column, outcome.cell());
        }
        eprintln!("{line}");
    }
    if let Some((db, _, name)) = &subject.postgres {
        let folder = dir.join("plans").join(subject.contacts.to_string());
        plans::log_plans(db, true)?;
        let captured = capture(
            (db, name),
            &folder,
            operations,
            &fixture,
            &rapport,
            peer.as_ref().map(|p| &p.1),
        )
        .await;
        plans::log_plans(db, false)?;
        captured?;
        eprintln!("    plans in {}", folder.display());
    }
    if let Some((pid, _)) = peer {
        procs::stop(pid);
    }
    procs::stop(rapport_pid);
    Ok(())
}

/// Runs each read once per contender with plan logging on, and keeps what
/// PostgreSQL logged for it.
async fn capture(
    (db, database): (&Db, &str),
    folder: &Path,
    operations: &[Op],
    fixture: &ops::Fixture,
    rapport: &crate::http::Target,
    peer: Option<&crate::http::Target>,
) -> Result<()> {
    for op in operations.iter().filter(|op| !op.write) {
        let mut contenders = vec![("rapport", rapport, &op.rapport, op.rapport_expect)];
        if let (Some(target), Some((query, expect))) = (peer, &op.peer) {
            contenders.push(("postgraphile", target, query, *expect));
        }
        for (who, target, query, expect) in contenders {
            let from = db.log_len();
            let answered = measure::run_once(target, query, expect, fixture).await;
            let role = if who == "rapport" { "rapport" } else { "peer" };
            let logged = plans::since(db, database, role, from)?;
            let text = format!(
                "{} — {who}, answered in {answered} (with plan logging on)\n\n{logged}",
                op.label
            );
            plans::keep(folder, &format!("{}.{who}.txt", op.key), &text)?;
        }
    }
    Ok(())
}

fn record(
    runs: &mut std::fs::File,
    database: &str,
    contacts: u64,
    contender: &str,
    op: &Op,
    outcome: &Outcome,
) -> Result<()> {
    match outcome {
        Outcome::Ms(_, times) => {
            for (i, ms) in times.iter().enumerate() {
                writeln!(
                    runs,
                    "{database},{contacts},{contender},{},{},{ms:.3}",
                    op.key,
                    i + 1
                )?;
            }
        }
        other => writeln!(
            runs,
            "{database},{contacts},{contender},{},,{}",
            op.key,
            other.cell().replace(',', ";")
        )?,
    }
    Ok(())
}
