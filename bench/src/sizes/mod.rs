//! `rapport-bench --sizes 10000,100000,1000000`: how each operation of
//! issue 21 scales with the workspace. For each size a fresh PostgreSQL
//! database is seeded with `rapport seed --scale N` (then vacuumed, as
//! autovacuum would), Rapport (release) and PostGraphile serve it, and each
//! operation is timed: warm-up, then the median of five, one client. Then
//! every read runs once more with `auto_explain` on and its plans are kept
//! in `bench/target/sizes/plans/<size>/`. SQLite gets the same table at the
//! sizes of `--sqlite` (100,000 unless told), without PostGraphile.
//!
//! `--citus` measures each PostgreSQL size on a Citus cluster too (a
//! coordinator and two workers on this machine): seeded with one worker,
//! the second added and the shards rebalanced, then the same operations,
//! and the ratio of each to the single node's. `--tenants K` seeds K small
//! workspaces beside the large one (on both) and measures a load spread
//! over them: with one worker and with two on Citus.

mod citus;
mod disk;
mod measure;
mod ops;
mod plans;
mod serve;
mod spread;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::procs::{self, Postgres};
use crate::sql::Db;
use citus::Cluster;
use measure::{Outcome, thousands};
use ops::Op;
use serve::Servers;
use table::Table;

/// What to measure.
pub struct Sizes {
    pub postgres: Vec<u64>,
    pub sqlite: Vec<u64>,
    /// Each PostgreSQL size on Citus too.
    pub citus: bool,
    /// Small workspaces beside the large one, and a load spread over them.
    pub tenants: u32,
}

/// Contacts in each small workspace of `--tenants`.
pub const TENANT_CONTACTS: u64 = 100;

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
    /// "PostgreSQL", "Citus" or "SQLite".
    kind: &'static str,
    label: String,
    contacts: u64,
    url: String,
    /// The database (on the coordinator, on Citus) and its name.
    postgres: Option<(&'a Db, String)>,
    /// PostGraphile's URL of the same database (single-node PostgreSQL).
    peer: Option<String>,
    /// Small workspaces beside the large one.
    tenants: u32,
}

/// Medians of one column, by row, to compare columns.
type Medians = std::collections::HashMap<String, f64>;

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
            let settings = settings.clone();
            move || Postgres::start_with(&run_dir, &settings)
        })
        .await??;
        let db = Db {
            port: pg.port,
            csv_log: pg.csv_log(),
        };
        let cluster = if sizes.citus {
            let run_dir = run_dir.clone();
            let settings = settings.clone();
            Some(tokio::task::spawn_blocking(move || Cluster::start(&run_dir, &settings)).await??)
        } else {
            None
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
                kind: "PostgreSQL",
                label: thousands(contacts),
                contacts,
                url: pg.url_of("rapport", &name),
                postgres: Some((&db, name.clone())),
                peer: Some(pg.url_of("peer", &name)),
                tenants: sizes.tenants,
            };
            let single =
                measure(&servers, &subject, &operations, &mut table, &mut runs, &dir).await;
            db.psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )?;
            let single = single?;
            eprintln!(
                "[{:>6.1}s] PostgreSQL at {} done",
                started.elapsed().as_secs_f64(),
                thousands(contacts)
            );
            if let Some(cluster) = &cluster {
                let on_citus = Subject {
                    kind: "Citus",
                    label: thousands(contacts),
                    contacts,
                    url: cluster.url(&name),
                    postgres: Some((&cluster.coordinator.0, name.clone())),
                    peer: None,
                    tenants: sizes.tenants,
                };
                cluster.create_database(&name)?;
                let medians = on_citus_cluster(
                    &servers,
                    (cluster, &on_citus),
                    &operations,
                    &mut table,
                    &mut runs,
                    &dir,
                )
                .await;
                cluster.drop_database(&name)?;
                let medians = medians?;
                let ratio = table.column(format!("Citus ÷ one node, {}", on_citus.label));
                for (row, citus) in &medians {
                    if let Some(one) = single.get(row) {
                        table.set(row, ratio, format!("{:.2}", citus / one));
                    }
                }
                eprintln!(
                    "[{:>6.1}s] Citus at {} done",
                    started.elapsed().as_secs_f64(),
                    thousands(contacts)
                );
            }
        }
    }
    for &contacts in &sizes.sqlite {
        let subject = Subject {
            kind: "SQLite",
            label: thousands(contacts),
            contacts,
            url: serve::sqlite_url(&run_dir, contacts),
            postgres: None,
            peer: None,
            tenants: sizes.tenants,
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
        "Data-size table ({:.0} s): median of {} after a warm-up ({} requests or {} s, whichever ends first), one client; \
         \"timeout\" = past the 10 s limit; spread rows: {} clients for 15 s; a ratio of a spread row is of requests per second.\n\n{}",
        started.elapsed().as_secs_f64(),
        measure::RUNS,
        measure::WARM_UPS,
        measure::WARM_UP_BOUND.as_secs(),
        spread::CLIENTS,
        table.render()
    );
    println!("\n{rendered}");
    std::fs::write(dir.join("table.md"), &rendered)?;
    if let Some(out) = out {
        std::fs::write(&out, &rendered).with_context(|| format!("write {}", out.display()))?;
    }
    Ok(())
}

/// On Citus: seeded with one worker, the spread load measured; the second
/// worker added and the shards rebalanced; then every operation and the
/// spread load again. The medians of the two-worker column, by row.
async fn on_citus_cluster(
    servers: &Servers,
    (cluster, subject): (&Cluster, &Subject<'_>),
    operations: &[Op],
    table: &mut Table,
    runs: &mut std::fs::File,
    dir: &Path,
) -> Result<Medians> {
    let one = table.column(format!("Rapport on Citus, 1 worker, {}", subject.label));
    let workspace = prepare(servers, subject, table, one)?;
    let name = subject
        .postgres
        .as_ref()
        .map(|(_, name)| name.as_str())
        .unwrap_or_default();
    table.set("database size", one, cluster.size(name)?);
    serve_and_measure(servers, subject, &[], &workspace, table, one, runs, dir).await?;
    eprintln!("    adding the second worker and rebalancing…");
    let (seconds, placements) = cluster.add_second_worker(name)?;
    eprintln!("    rebalanced in {seconds:.1} s (shards per port: {placements})");
    let two = table.column(format!("Rapport on Citus, 2 workers, {}", subject.label));
    table.set(
        "add a worker and rebalance: time (shards per node)",
        two,
        format!("{seconds:.1} s ({placements})"),
    );
    table.set("database size", two, cluster.size(name)?);
    serve_and_measure(
        servers, subject, operations, &workspace, table, two, runs, dir,
    )
    .await
}

/// Seeds, serves and measures one database; its column goes into `table`.
/// The medians, by row.
async fn measure(
    servers: &Servers,
    subject: &Subject<'_>,
    operations: &[Op],
    table: &mut Table,
    runs: &mut std::fs::File,
    dir: &Path,
) -> Result<Medians> {
    let ours = table.column(format!("Rapport on {}, {}", subject.kind, subject.label));
    let workspace = prepare(servers, subject, table, ours)?;
    serve_and_measure(
        servers, subject, operations, &workspace, table, ours, runs, dir,
    )
    .await
}

/// Seeds the large workspace and the small ones, vacuums; returns the
/// large workspace's id (on PostgreSQL).
fn prepare(
    servers: &Servers,
    subject: &Subject<'_>,
    table: &mut Table,
    ours: usize,
) -> Result<String> {
    let kind = subject.kind;
    let file_label = format!("{}-{}", kind.to_lowercase(), subject.contacts);
    disk::check_room(
        &servers.run_dir,
        subject.contacts,
        subject.postgres.is_some(),
    )?;
    eprintln!("  {kind} at {} contacts: seeding…", subject.label);
    let scale = subject.contacts.to_string();
    let seeded = seeded_cell(servers.seed(&subject.url, &["--scale", &scale], &file_label)?);
    eprintln!("    seeded {seeded}");
    table.set("seed --scale: rows, time (rows/s)", ours, seeded);
    if subject.tenants > 0 {
        let (small, count) = (TENANT_CONTACTS.to_string(), subject.tenants.to_string());
        let args = ["--scale", &small, "--workspaces", &count, "--append"];
        let seeded =
            seeded_cell(servers.seed(&subject.url, &args, &format!("{file_label}-tenants"))?);
        eprintln!("    {count} small workspaces seeded: {seeded}");
        let row = format!("seed --scale {small} --workspaces {count}: rows, time (rows/s)");
        table.set(&row, ours, seeded);
    }
    let mut workspace = String::new();
    if let Some((db, name)) = &subject.postgres {
        let vacuumed = Instant::now();
        db.psql(name, "VACUUM ANALYZE")?;
        eprintln!(
            "    VACUUM ANALYZE in {:.1} s",
            vacuumed.elapsed().as_secs_f64()
        );
        // On Citus the coordinator holds no rows: the caller asks the cluster.
        if kind != "Citus" {
            let size = db.psql(
                name,
                "SELECT pg_size_pretty(pg_database_size(current_database()))",
            )?;
            table.set("database size", ours, size);
        }
        workspace = db.psql(
            name,
            &format!(
                "SELECT id FROM workspace WHERE name = 'Scale {}'",
                subject.contacts
            ),
        )?;
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
    Ok(workspace)
}

fn seeded_cell((rows, seconds): (u64, f64)) -> String {
    format!(
        "{} in {:.1} s ({}/s)",
        thousands(rows),
        seconds,
        thousands((rows as f64 / seconds.max(1e-9)) as u64)
    )
}

/// Serves the seeded database and measures `operations` (and the spread
/// load, with tenants) into column `ours`; the medians, by row.
#[allow(clippy::too_many_arguments)]
async fn serve_and_measure(
    servers: &Servers,
    subject: &Subject<'_>,
    operations: &[Op],
    workspace: &str,
    table: &mut Table,
    ours: usize,
    runs: &mut std::fs::File,
    dir: &Path,
) -> Result<Medians> {
    let kind = subject.kind;
    let file_label = format!("{}-{}-{ours}", kind.to_lowercase(), subject.contacts);
    let mut medians = Medians::new();
    let token = servers.token(&subject.url)?;
    let (rapport_pid, rapport) = servers.rapport(&subject.url, &token, &file_label).await?;
    let fixture = serve::fixture(&rapport, workspace.to_owned()).await?;
    let peer = match (&subject.peer, operations.is_empty()) {
        (Some(url), false) => Some(servers.peer(url, &file_label).await?),
        _ => None,
    };
    let theirs = peer
        .as_ref()
        .map(|_| table.column(format!("PostGraphile, {}", subject.label)));
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
        if let Outcome::Ms(ms, _) = ours_outcome {
            medians.insert(op.label.to_owned(), ms);
        }
        if let (Some((query, expect)), Some((_, target)), Some(column)) = (&op.peer, &peer, theirs)
        {
            let outcome = measure::median(target, query, *expect, &fixture, &cancel_peer).await;
            record(runs, kind, subject.contacts, "postgraphile", op, &outcome)?;
            line.push_str(&format!("   PostGraphile {:>12}", outcome.cell()));
            table.set(op.label, column, outcome.cell());
        }
        eprintln!("{line}");
    }
    if subject.tenants > 0 {
        let tokens = servers.tokens(&subject.url, &spread::admins(subject.tenants))?;
        for (row, query, expect) in spread::loads(subject.tenants) {
            let (cell, per_second) = spread::run(&rapport, &tokens, query, expect).await?;
            eprintln!("    {row}: {cell}");
            table.set(&row, ours, cell);
            medians.insert(row, per_second);
        }
    }
    if let (Some((db, name)), false) = (&subject.postgres, operations.is_empty()) {
        let folder =
            dir.join("plans")
                .join(format!("{}-{}", kind.to_lowercase(), subject.contacts));
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
    Ok(medians)
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
