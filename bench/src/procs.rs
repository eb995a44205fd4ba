//! The processes a run starts: a throwaway PostgreSQL cluster, Redis,
//! Rapport instances and PostGraphile. Every process is remembered here and
//! stopped when the run ends, by the id we started it with, whatever
//! happened (error, Ctrl-C): see [`Registry::stop_all`].

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};

pub const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// Everything started, newest last; stopped newest first.
static REGISTRY: Mutex<Vec<Started>> = Mutex::new(Vec::new());

enum Started {
    /// A child in its own process group (we kill the group: PostGraphile's
    /// cluster workers are its children).
    Group { pid: i32, name: String },
    /// A PostgreSQL cluster, stopped with `pg_ctl stop`.
    Postgres { data: PathBuf },
}

pub struct Registry;

impl Registry {
    /// Stops everything this run started, newest first.
    pub fn stop_all() {
        let started: Vec<Started> = {
            let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
            registry.drain(..).rev().collect()
        };
        for s in started {
            match s {
                Started::Group { pid, name } => stop_group(pid, &name),
                Started::Postgres { data } => {
                    let _ = as_postgres(&format!("{PG_BIN}/pg_ctl"))
                        .args([
                            "-D",
                            &data.to_string_lossy(),
                            "-m",
                            "fast",
                            "-w",
                            "-t",
                            "20",
                            "stop",
                        ])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                }
            }
        }
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

fn reap(pid: i32) -> bool {
    let mut status = 0;
    // SAFETY: waitpid on our own child id, non-blocking.
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    r == pid || (r == -1 && !alive(pid))
}

/// SIGTERM to the process group we created, then SIGKILL after 5 s.
fn stop_group(pid: i32, name: &str) {
    let tree = crate::report::tree_jiffies(pid);
    let reaped = crate::report::reaped_jiffies();
    stop_group_now(pid, name);
    // What the group used but did not come back to us through the leader.
    let came_back = crate::report::reaped_jiffies().saturating_sub(reaped);
    crate::report::ORPHANED_JIFFIES.fetch_add(
        tree.saturating_sub(came_back),
        std::sync::atomic::Ordering::Relaxed,
    );
}

fn stop_group_now(pid: i32, name: &str) {
    // SAFETY: signalling the process group whose leader we spawned.
    unsafe { libc::kill(-pid, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if reap(pid) {
            // The leader is gone; make sure no member of its group lingers.
            std::thread::sleep(Duration::from_millis(100));
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("  {name} (pid {pid}) did not stop on SIGTERM; killing its group");
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let _ = reap(pid);
}

/// Stops one process started with [`spawn`] (and forgets it).
pub fn stop(pid: i32) {
    let name = {
        let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
        let at = registry
            .iter()
            .position(|s| matches!(s, Started::Group { pid: p, .. } if *p == pid));
        match at.map(|i| registry.remove(i)) {
            Some(Started::Group { name, .. }) => name,
            _ => return,
        }
    };
    stop_group(pid, &name);
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A command run as the `postgres` user when we are root (PostgreSQL
/// refuses root), as ourselves otherwise.
pub fn as_postgres(program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

/// Runs a command to completion; its output goes to `log`.
pub fn run(mut cmd: Command, what: &str, log: &Path) -> Result<()> {
    let out = File::options().create(true).append(true).open(log)?;
    let status = cmd
        .stdout(out.try_clone()?)
        .stderr(out)
        .status()
        .with_context(|| format!("{what}: cannot start"))?;
    if !status.success() {
        bail!("{what} failed ({status}); see {}", log.display());
    }
    Ok(())
}

/// Starts a long-running process in its own process group, stdout and stderr
/// to `log`, and registers it for stopping.
pub fn spawn(mut cmd: Command, name: &str, log: &Path) -> Result<Child> {
    let out = File::create(log)?;
    cmd.stdout(out.try_clone()?)
        .stderr(out)
        .stdin(Stdio::null());
    cmd.process_group(0);
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {name}"))?;
    REGISTRY
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Started::Group {
            pid: child.id() as i32,
            name: name.to_string(),
        });
    Ok(child)
}

pub struct Postgres {
    pub port: u16,
    pub data: PathBuf,
}

impl Postgres {
    /// initdb + start, with pg_stat_statements and a CSV log we can read
    /// statements (with their parameters) back from.
    pub fn start(dir: &Path) -> Result<Self> {
        Self::start_with(dir, &[])
    }

    /// [`Self::start`] with more settings (`name=value`, after the usual
    /// ones, so they win).
    pub fn start_with(dir: &Path, settings: &[&str]) -> Result<Self> {
        let data = dir.join("pgdata");
        fs::create_dir_all(&data)?;
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres", &dir.to_string_lossy()])
                .status()?;
            if !status.success() {
                bail!("chown postgres {} failed", dir.display());
            }
        }
        let log = dir.join("initdb.log");
        let mut initdb = as_postgres(&format!("{PG_BIN}/initdb"));
        initdb.args([
            "-D",
            &data.to_string_lossy(),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run(initdb, "initdb", &log)?;
        let port = free_port()?;
        let options = [
            format!("-p {port}"),
            format!("-k {}", data.display()),
            "-c listen_addresses=127.0.0.1".into(),
            "-c shared_preload_libraries=pg_stat_statements".into(),
            "-c pg_stat_statements.track=all".into(),
            "-c pg_stat_statements.track_utility=on".into(),
            "-c max_connections=300".into(),
            "-c shared_buffers=512MB".into(),
            "-c logging_collector=on".into(),
            "-c log_destination=csvlog".into(),
            "-c log_directory=log".into(),
            "-c log_filename=postgresql".into(),
            "-c log_rotation_size=0".into(),
            "-c log_rotation_age=0".into(),
            // What PostgreSQL did in the background, to compare with slow requests.
            "-c log_checkpoints=on".into(),
            "-c log_autovacuum_min_duration=0".into(),
        ]
        .into_iter()
        // Settings for experiments, e.g. BENCH_PG_SETTINGS="synchronous_commit=off".
        .chain(settings.iter().map(|setting| format!("-c {setting}")))
        .chain(
            std::env::var("BENCH_PG_SETTINGS")
                .unwrap_or_default()
                .split_whitespace()
                .map(|setting| format!("-c {setting}")),
        )
        .collect::<Vec<_>>()
        .join(" ");
        let mut pg_ctl = as_postgres(&format!("{PG_BIN}/pg_ctl"));
        pg_ctl.args([
            "-D",
            &data.to_string_lossy(),
            "-l",
            &data.join("startup.log").to_string_lossy(),
            "-o",
            &options,
            "-w",
            "-t",
            "60",
            "start",
        ]);
        // Registered first, so a half-started cluster is stopped too.
        REGISTRY
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Started::Postgres { data: data.clone() });
        run(pg_ctl, "pg_ctl start", &dir.join("pg_ctl.log"))?;
        Ok(Self { port, data })
    }

    /// The CSV server log (statements with their parameters, when enabled).
    pub fn csv_log(&self) -> PathBuf {
        self.data.join("log").join("postgresql.csv")
    }

    pub fn url(&self, user: &str) -> String {
        self.url_of(user, "rapport")
    }

    /// The URL of database `db` for `user`.
    pub fn url_of(&self, user: &str, db: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/{db}", self.port)
    }
}

/// Starts redis-server without persistence on a free port.
pub fn start_redis(dir: &Path) -> Result<u16> {
    let port = free_port()?;
    let mut cmd = Command::new("redis-server");
    cmd.args([
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
        "--dir",
        &dir.to_string_lossy(),
        "--loglevel",
        "warning",
    ]);
    spawn(cmd, "redis-server", &dir.join("redis.log"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("redis-server did not listen on {port}")
}

/// The resident memory of a process and all its descendants, in bytes.
pub fn rss_tree(pid: i32) -> u64 {
    let mut total = 0;
    let mut todo = vec![pid];
    let all: Vec<(i32, i32)> = fs::read_dir("/proc")
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
                .filter_map(|p| Some((p, parent_of(p)?)))
                .collect()
        })
        .unwrap_or_default();
    while let Some(p) = todo.pop() {
        total += rss(p);
        todo.extend(
            all.iter()
                .filter(|(_, parent)| *parent == p)
                .map(|(c, _)| *c),
        );
    }
    total
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(1)?.parse().ok()
}

fn rss(pid: i32) -> u64 {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Waits for a line of a log file to satisfy `find`, returning its result.
pub fn wait_for_log<T>(
    log: &Path,
    timeout: Duration,
    child: &mut Child,
    find: impl Fn(&str) -> Option<T>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(f) = File::open(log) {
            for line in BufReader::new(f).lines().map_while(|l| l.ok()) {
                if let Some(t) = find(&line) {
                    return Ok(t);
                }
            }
        }
        if let Some(status) = child.try_wait()? {
            return Err(anyhow!(
                "exited ({status}) before it was ready; see {}",
                log.display()
            ));
        }
        if Instant::now() > deadline {
            bail!("not ready after {timeout:?}; see {}", log.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Raises the open-files soft limit to the hard limit; returns (soft, hard).
pub fn raise_nofile() -> (u64, u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain get/setrlimit on our own process.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
    }
    (lim.rlim_cur, lim.rlim_max)
}
