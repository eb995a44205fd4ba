//! `rapport-bench`: one run, one machine, one table. See BENCHMARKS.md.
//!
//! Starts a throwaway PostgreSQL 15 and Redis, migrates with Rapport's own
//! migrations, seeds the deterministic dataset (bench/seed.sql), starts
//! Rapport (release build) and PostGraphile v4 on the same database, runs
//! the workloads in alternating rounds, checks every response, and prints
//! the table. Everything it started is stopped when it ends.

mod http;
mod procs;
mod report;
mod sizes;
mod sql;
mod workloads;
mod ws;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::http::Target;
use crate::procs::{Postgres, Registry};
use crate::report::Report;
use crate::sql::Db;

/// Sizes and durations of one run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub quick: bool,
    pub round: Duration,
    pub rounds: usize,
    pub warmup: Duration,
    pub fanout: Vec<usize>,
    pub fanout_events: usize,
    pub cross_events: usize,
    pub cross_subscribers: usize,
    pub statement_requests: usize,
    pub only: String,
}

impl Plan {
    fn new(quick: bool, only: String) -> Self {
        if quick {
            Plan {
                quick,
                round: Duration::from_secs(3),
                rounds: 1,
                warmup: Duration::from_secs(2),
                fanout: vec![1_000, 2_000],
                fanout_events: 1,
                cross_events: 1_000,
                cross_subscribers: 5,
                statement_requests: 5,
                only,
            }
        } else {
            Plan {
                quick,
                round: Duration::from_secs(10),
                rounds: 3,
                warmup: Duration::from_secs(5),
                fanout: vec![1_000, 5_000, 10_000],
                fanout_events: 3,
                cross_events: 10_000,
                cross_subscribers: 10,
                statement_requests: 20,
                only,
            }
        }
    }

    pub fn runs(&self, workload: char) -> bool {
        self.only.is_empty() || self.only.contains(workload)
    }
}

/// Everything the workloads need.
pub struct Ctx {
    pub plan: Plan,
    pub bench: PathBuf,
    pub logs: PathBuf,
    pub run_dir: PathBuf,
    pub rapport_bin: PathBuf,
    pub db: Db,
    pub pg: Postgres,
    pub redis_port: u16,
    pub secret: String,
    pub token: String,
    /// Ticket ids (UUIDs) the lookups pick from.
    pub ticket_ids: Vec<String>,
    pub report: Report,
    pub started: Instant,
    /// The cluster's postmaster (its backends and parallel workers are its children).
    pub postmaster: i32,
}

/// A running Rapport process.
pub struct Rapport {
    pub pid: i32,
    pub target: Target,
}

/// A running PostGraphile (master and its cluster workers).
pub struct Peer {
    pub pid: i32,
    pub target: Target,
}

impl Ctx {
    fn rapport_env(&self, cmd: &mut Command, redis: bool) {
        cmd.env("DATABASE_URL", self.pg.url("rapport"))
            .env("RAPPORT_JWT_SECRET", &self.secret)
            .env("RAPPORT_BIND", "127.0.0.1:0")
            .env("RAPPORT_LOG_FORMAT", "json")
            .env("RAPPORT_RATE_LIMIT_PER_MINUTE", "100000000")
            .env("RAPPORT_MAX_COMPLEXITY", "100000000")
            .env("RAPPORT_SHUTDOWN_GRACE_SECONDS", "2")
            .env("RAPPORT_NO_DEMO", "1")
            .env_remove("REDIS_URL")
            .env_remove("RUST_LOG");
        if redis {
            cmd.env(
                "REDIS_URL",
                format!("redis://127.0.0.1:{}", self.redis_port),
            );
        }
    }

    /// Starts a Rapport process and waits until it serves.
    pub async fn start_rapport(&self, name: &str, redis: bool) -> Result<Rapport> {
        let log = self.logs.join(format!("{name}.log"));
        let mut cmd = Command::new(&self.rapport_bin);
        cmd.args(["serve", "--no-demo"]);
        self.rapport_env(&mut cmd, redis);
        let mut child = procs::spawn(cmd, name, &log)?;
        let pid = child.id() as i32;
        let log2 = log.clone();
        let addr = tokio::task::spawn_blocking(move || {
            procs::wait_for_log(&log2, Duration::from_secs(60), &mut child, |line| {
                let v: serde_json::Value = serde_json::from_str(line).ok()?;
                v.pointer("/fields/address")?.as_str().map(str::to_string)
            })
        })
        .await?
        .with_context(|| format!("{name} did not start"))?;
        let target = Target {
            name: "Rapport",
            addr,
            path: "/graphql".into(),
            bearer: Some(self.token.clone()),
        };
        wait_ready(&target, 1).await?;
        Ok(Rapport { pid, target })
    }

    /// Starts PostGraphile v4 (2 cluster workers, pg-pubsub) and waits until
    /// both workers answer.
    pub async fn start_peer(&self, name: &str) -> Result<Peer> {
        let port = procs::free_port()?;
        let log = self.logs.join(format!("{name}.log"));
        let peer = self.bench.join("peer");
        let mut cmd = Command::new("node");
        cmd.current_dir(&peer)
            .arg(peer.join("node_modules/postgraphile/cli.js"))
            .args(["--plugins", "@graphile/pg-pubsub"])
            .args(["-c", &self.pg.url("peer"), "-s", "public"])
            .args(["--simple-collections", "both", "--cluster-workers", "2"])
            .args(["--subscriptions", "--simple-subscriptions"])
            .args(["-n", "127.0.0.1", "-p", &port.to_string()])
            .args(["--disable-query-log", "--disable-graphiql"])
            .env("NODE_ENV", "production");
        let mut child = procs::spawn(cmd, name, &log)?;
        let target = Target {
            name: "PostGraphile",
            addr: format!("127.0.0.1:{port}"),
            path: "/graphql".into(),
            bearer: None,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("{name} exited ({status}); see {}", log.display());
            }
            if wait_ready(&target, 0).await.is_ok() {
                break;
            }
            if Instant::now() > deadline {
                bail!("{name} did not answer within 90 s; see {}", log.display());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Each cluster worker builds its schema on its own; wait until
        // requests stop failing (they are spread over both workers).
        wait_ready(&target, 20).await?;
        Ok(Peer {
            pid: child.id() as i32,
            target,
        })
    }
}

/// Succeeds once `{ __typename }` answers `ok_in_a_row` times in a row
/// (0: once, without retrying).
pub async fn wait_ready(target: &Target, ok_in_a_row: usize) -> Result<()> {
    let body = serde_json::json!({"query": "{ __typename }"});
    if ok_in_a_row == 0 {
        return http::post_once(target, &body).await.map(|_| ());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut streak = 0;
    while streak < ok_in_a_row {
        match http::post_once(target, &body).await {
            Ok(_) => streak += 1,
            Err(e) => {
                streak = 0;
                if Instant::now() > deadline {
                    return Err(e.context(format!("{} not ready", target.name)));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Ok(())
}

fn usage() -> ! {
    eprintln!(
        "usage: rapport-bench [--quick] [--only LETTERS] [--out FILE] [--keep]\n\
         \n  --quick       everything at reduced size and duration (a few minutes)\
         \n  --only abc    run only these workloads (a nested, b statements, c raw SQL,\
         \n                d lookup, e mutations, f fan-out, g cross-instance)\
         \n  --out FILE    also write the table (Markdown) to FILE\
         \n  --keep        keep the throwaway cluster directory\
         \n  --sizes LIST  the data-size table instead: each operation of issue 21 on a\
         \n                workspace seeded with `rapport seed --scale N` for each N of LIST\
         \n                (e.g. 10000,100000,1000000), beside PostGraphile\
         \n  --sqlite LIST with --sizes: the sizes measured on SQLite too (default\
         \n                100000; `none` for none)\
         \n  --citus       with --sizes: each PostgreSQL size on Citus too (a coordinator\
         \n                and two workers here; the second added and rebalanced in the run)\
         \n  --tenants K   with --sizes: K workspaces of 100 contacts beside the large one,\
         \n                and a load spread over them\n\
         \nEnvironment: RAPPORT_BIN (default <repo>/target/release/rapport)."
    );
    std::process::exit(2)
}

/// A list of sizes (`10000,100000` or `none`), or the usage.
fn list(arg: Option<String>) -> Vec<u64> {
    arg.as_deref()
        .and_then(sizes::parse_list)
        .unwrap_or_else(|| usage())
}

fn main() {
    let mut quick = false;
    let mut only = String::new();
    let mut out = None;
    let mut keep = false;
    let mut sizes = None;
    let mut sqlite = None;
    let mut citus = false;
    let mut tenants = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--only" => only = args.next().unwrap_or_else(|| usage()),
            "--out" => out = Some(PathBuf::from(args.next().unwrap_or_else(|| usage()))),
            "--keep" => keep = true,
            "--sizes" => sizes = Some(list(args.next())),
            "--sqlite" => sqlite = Some(list(args.next())),
            "--citus" => citus = true,
            "--tenants" => {
                tenants = args
                    .next()
                    .and_then(|k| k.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            _ => usage(),
        }
    }
    std::panic::set_hook(Box::new(|info| {
        eprintln!("panic: {info}");
        Registry::stop_all();
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    if sizes.is_none() && (sqlite.is_some() || citus || tenants > 0)
        || sizes.as_ref().is_some_and(Vec::is_empty) && sqlite.as_ref().is_none_or(Vec::is_empty)
    {
        usage();
    }
    let sizes = sizes.map(|postgres| sizes::Sizes {
        postgres,
        sqlite: sqlite.unwrap_or_else(|| vec![100_000]),
        citus,
        tenants,
    });
    let plan = Plan::new(quick, only);
    let run_dir = std::env::temp_dir().join(format!("rapport-bench-{}", std::process::id()));
    let dir = run_dir.clone();
    let code = runtime.block_on(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            r = async {
                match sizes {
                    Some(sizes) => sizes::run(sizes, out, dir).await,
                    None => run(plan, out, dir).await,
                }
            } => match r {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("\nbenchmark failed: {e:#}");
                    1
                }
            },
            _ = tokio::signal::ctrl_c() => { eprintln!("\ninterrupted"); 130 }
            _ = term.recv() => { eprintln!("\nterminated"); 143 }
        }
    });
    eprintln!("stopping everything the run started…");
    Registry::stop_all();
    if keep {
        eprintln!("kept {}", run_dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&run_dir);
    }
    runtime.shutdown_timeout(Duration::from_secs(2));
    std::process::exit(code);
}

async fn run(plan: Plan, out: Option<PathBuf>, run_dir: PathBuf) -> Result<()> {
    let started = Instant::now();
    let bench = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = bench
        .parent()
        .context("bench/ has no parent")?
        .to_path_buf();
    let rapport_bin = std::env::var_os("RAPPORT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/rapport"));
    if !rapport_bin.exists() {
        bail!(
            "{} is missing: cargo build --release --bin rapport",
            rapport_bin.display()
        );
    }
    if !bench.join("peer/node_modules/postgraphile").exists() {
        bail!("PostGraphile is not installed: (cd bench/peer && npm ci)");
    }
    let logs = bench.join("target/last-run");
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs)?;
    std::fs::create_dir_all(&run_dir)?;
    let cpu_start = report::cpu_snapshot(None);
    let mut report = Report::new(&plan);
    let (soft, hard) = procs::raise_nofile();
    report
        .machine
        .push(format!("open files limit: {soft} (hard {hard})"));
    eprintln!(
        "[{:>5.1}s] logs in {}",
        started.elapsed().as_secs_f64(),
        logs.display()
    );

    // PostgreSQL, Redis, schema, data.
    let pg = tokio::task::spawn_blocking({
        let run_dir = run_dir.clone();
        move || Postgres::start(&run_dir)
    })
    .await??;
    let db = Db {
        port: pg.port,
        csv_log: pg.csv_log(),
    };
    db.psql("postgres", "CREATE ROLE rapport LOGIN")?;
    db.psql("postgres", "CREATE ROLE peer LOGIN SUPERUSER")?;
    db.psql("postgres", "CREATE DATABASE rapport OWNER rapport")?;
    db.psql("rapport", "CREATE EXTENSION pg_stat_statements")?;
    let redis_port = procs::start_redis(&run_dir)?;
    eprintln!(
        "[{:>5.1}s] PostgreSQL on {}, Redis on {redis_port}",
        started.elapsed().as_secs_f64(),
        pg.port
    );
    let secret = format!(
        "bench-secret-{}-0123456789abcdef0123456789abcdef",
        std::process::id()
    );
    let mut ctx = Ctx {
        plan,
        bench: bench.clone(),
        logs: logs.clone(),
        run_dir: run_dir.clone(),
        rapport_bin,
        db,
        pg,
        redis_port,
        secret,
        token: String::new(),
        ticket_ids: Vec::new(),
        report,
        started,
        postmaster: 0,
    };
    ctx.postmaster = std::fs::read_to_string(ctx.pg.data.join("postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next()?.trim().parse::<i32>().ok())
        .unwrap_or(0);
    let mut migrate = Command::new(&ctx.rapport_bin);
    migrate.arg("migrate");
    ctx.rapport_env(&mut migrate, false);
    procs::run(migrate, "rapport migrate", &logs.join("migrate.log"))?;
    let t = Instant::now();
    ctx.db.psql_file("rapport", &bench.join("seed.sql"))?;
    ctx.db.psql_file("rapport", &bench.join("peer/peer.sql"))?;
    ctx.db.psql("rapport", "VACUUM ANALYZE")?;
    let counts = ctx.db.psql(
        "rapport",
        "SELECT (SELECT count(*) FROM company) || ' companies, ' || (SELECT count(*) FROM contact) || ' contacts, ' \
         || (SELECT count(*) FROM deal) || ' deals, ' || (SELECT count(*) FROM ticket) || ' tickets'",
    )?;
    eprintln!(
        "[{:>5.1}s] seeded {counts} in {:.1} s",
        started.elapsed().as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    ctx.report.dataset = counts;
    let mut token = Command::new(&ctx.rapport_bin);
    token.args(["token", "--email", "bench@rapport.test"]);
    ctx.rapport_env(&mut token, false);
    let output = token.output()?;
    if !output.status.success() {
        bail!(
            "rapport token failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    ctx.token = String::from_utf8_lossy(&output.stdout).trim().to_string();
    ctx.ticket_ids = ctx
        .db
        .psql(
            "rapport",
            "SELECT id FROM ticket WHERE deal_id IS NOT NULL ORDER BY md5(id::text) LIMIT 20000",
        )?
        .lines()
        .map(str::to_string)
        .collect();
    let versions = Report::versions(&ctx)?;
    ctx.report.machine.extend(versions);

    let result = workloads::all(&mut ctx).await;
    // PostgreSQL's log (checkpoints, autovacuum runs) goes with the run's
    // logs, to place slow stretches of the timelines beside what it did.
    let _ = std::fs::copy(ctx.pg.csv_log(), logs.join("postgresql.csv"));
    let postmaster = std::fs::read_to_string(ctx.pg.data.join("postmaster.pid"))
        .ok()
        .and_then(|s| s.lines().next()?.trim().parse::<i32>().ok());
    let foreign = report::foreign_cpu(cpu_start, report::cpu_snapshot(postmaster));
    ctx.report.machine.push(format!(
        "CPU used by processes outside this run, during the run: {foreign:.0}% of the machine"
    ));
    if foreign > 5.0 {
        ctx.report.note(format!(
            "other processes used {foreign:.0}% of the machine's CPU during this run: the figures are lower than on an idle machine."
        ));
    }
    ctx.report.total = ctx.started.elapsed();
    let table = ctx.report.render();
    println!("\n{table}");
    if let Some(out) = out {
        std::fs::write(&out, &table).with_context(|| format!("write {}", out.display()))?;
        eprintln!("table written to {}", out.display());
    }
    std::fs::write(logs.join("table.md"), &table)?;
    result
}
