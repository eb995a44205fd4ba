//! A throwaway PostgreSQL 15 cluster per test binary, started from the locally
//! installed server binaries (no Docker, no Rust postgres client).
//!
//! * [`cluster()`] starts one cluster per test *process* (lazily, thread-safe via
//!   `OnceLock`) on a free loopback port, in a fresh temp directory owned by the
//!   `postgres` OS user. PostgreSQL refuses to run as root, so when the tests run
//!   as root every server-side binary is run through `runuser -u postgres --`.
//! * Durability is switched off (`fsync`, `synchronous_commit`,
//!   `full_page_writes`) for speed; `max_connections=300` so many parallel tests
//!   with their own pools fit.
//! * Rust statics are never dropped, so a detached watchdog shell polls the test
//!   process id and, once the test process is gone, stops the cluster
//!   (`pg_ctl -m immediate stop`) and removes the directory.
//! * [`PgCluster::create_database`] gives every test its own database
//!   (`t_<uuid>`), optionally cloned from a template (e.g. a migrated one).
//!
//! Missing binaries: under `CI=true` this is a hard failure (panic); locally a
//! loud warning is printed to stderr and `None` is returned so the caller can
//! skip. Binaries that exist but fail (initdb/start errors) always panic.
//! [`missing`] implements that rule and is shared with `redis.rs`.
#![allow(dead_code)]

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A running PostgreSQL cluster owned by this test process.
#[derive(Debug)]
pub struct PgCluster {
    port: u16,
    /// Temp root (owned by postgres): holds `data/`, the socket and `postgres.log`.
    dir: PathBuf,
    data_dir: PathBuf,
    bindir: PathBuf,
    psql: PathBuf,
    admin_url: String,
    /// The certificates of a cluster that takes TLS connections only.
    tls: Option<super::tls::TlsFiles>,
}

/// True when running under CI (`CI=true`; `1`/`yes` accepted too).
pub fn is_ci() -> bool {
    std::env::var("CI")
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
        .unwrap_or(false)
}

/// Reports a missing external dependency (`what`, e.g. "redis-server").
///
/// Under `CI=true` this panics (a CI run must never silently skip); otherwise it
/// warns and returns `None`, so callers can write `return missing("...");` or
/// `let Some(x) = ... else { return };`. The banner is written straight to the
/// process' stderr (once per `what`), bypassing libtest's output capture so the
/// skip is visible in a normal `cargo test` run; every call additionally
/// `eprintln!`s a (captured) one-liner.
#[track_caller]
pub fn missing<T>(what: &str) -> Option<T> {
    if is_ci() {
        panic!("CI=true but {what} is not available: integration tests must not be skipped in CI.");
    }
    static WARNED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let first = {
        let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
        let first = !warned.iter().any(|w| w == what);
        if first {
            warned.push(what.to_string());
        }
        first
    };
    if first {
        // `std::io::stderr()` is not captured by the test harness (only the
        // print macros are), so this shows up even without `--nocapture`.
        let _ = writeln!(
            std::io::stderr(),
            "\n##########################################################################\n\
             ## SKIPPING TESTS: {what} is not available.\n\
             ## (With CI=true this is a failure.)\n\
             ##########################################################################\n"
        );
    }
    eprintln!("SKIPPED: {what} is not available");
    None
}

/// A throwaway server started once per test process: a cluster here, the
/// Citus nodes in `citus.rs`.
pub(crate) enum State<T = PgCluster> {
    Ready(T),
    /// Binaries / OS user missing: skip locally, panic under CI.
    Missing(String),
    /// Binaries present but the server could not be started: always panic.
    Failed(String),
}

impl<T> State<T> {
    /// The server, or `None` when it is missing outside CI ([`missing`]);
    /// panics when it failed to start.
    #[track_caller]
    pub(crate) fn ready(&self) -> Option<&T> {
        match self {
            State::Ready(server) => Some(server),
            State::Missing(what) => missing(what),
            State::Failed(msg) => panic!("{msg}"),
        }
    }
}

static CLUSTER: OnceLock<State> = OnceLock::new();
static TLS_CLUSTER: OnceLock<State> = OnceLock::new();

/// Starts (once per test process) a cluster on a free loopback port in a temp dir
/// owned by postgres, with `-c fsync=off -c synchronous_commit=off
/// -c full_page_writes=off -c max_connections=300 -c listen_addresses=127.0.0.1 -k <dir>`.
///
/// Returns `None` (after an `eprintln!` warning) when the binaries are missing and
/// CI is not "true"; panics under `CI=true`. Panics (every call) if the binaries
/// exist but the cluster fails to start, printing the server log.
#[track_caller]
pub fn cluster() -> Option<&'static PgCluster> {
    CLUSTER.get_or_init(|| start_cluster(false, "")).ready()
}

/// A second cluster, like [`cluster`], that accepts only TLS connections
/// over TCP (`hostssl` alone in `pg_hba.conf`), with a certificate for
/// `localhost` and 127.0.0.1 signed by a throwaway CA ([`PgCluster::tls`]).
#[track_caller]
pub fn tls_cluster() -> Option<&'static PgCluster> {
    TLS_CLUSTER.get_or_init(|| start_cluster(true, "")).ready()
}

impl PgCluster {
    /// `postgres://postgres@127.0.0.1:PORT/NAME` (trust auth, no password).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{}", self.port, db)
    }

    /// URL of the `postgres` maintenance database.
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The CA and server certificate of a [`tls_cluster`].
    pub fn tls(&self) -> Option<&super::tls::TlsFiles> {
        self.tls.as_ref()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Path of the server log (useful when debugging a failing test).
    pub fn log_file(&self) -> PathBuf {
        self.dir.join("postgres.log")
    }

    /// Creates a fresh, uniquely named database (`t_<uuid v7 simple>`), optionally
    /// `TEMPLATE <template>`, and returns its URL.
    ///
    /// Note: `CREATE DATABASE ... TEMPLATE x` fails with "source database "x" is
    /// being accessed by other users" if any session is still connected to the
    /// template (the server waits up to ~5 s for disconnecting backends). Close
    /// every pool/connection to the template (e.g. after running migrations)
    /// before cloning it; that is the caller's responsibility.
    #[track_caller]
    pub fn create_database(&self, template: Option<&str>) -> String {
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let sql = match template {
            Some(t) => format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(&name),
                quote_ident(t)
            ),
            None => format!("CREATE DATABASE {}", quote_ident(&name)),
        };
        self.psql("postgres", &sql);
        self.url(&name)
    }

    /// Creates a database with exactly this name (e.g. a template to migrate once).
    #[track_caller]
    pub fn create_named_database(&self, name: &str, template: Option<&str>) -> String {
        let sql = match template {
            Some(t) => format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(name),
                quote_ident(t)
            ),
            None => format!("CREATE DATABASE {}", quote_ident(name)),
        };
        self.psql("postgres", &sql);
        self.url(name)
    }

    /// `DROP DATABASE IF EXISTS <name> WITH (FORCE)` (terminates its sessions).
    #[track_caller]
    pub fn drop_database(&self, name: &str) {
        self.psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name)),
        );
    }

    /// Runs `sql` in database `db` with `psql -v ON_ERROR_STOP=1` (unaligned,
    /// tuples only) and returns stdout. Panics with psql's stderr on failure.
    #[track_caller]
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(&self.psql)
            .args(["-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .args([
                "-U",
                "postgres",
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .env("PGCONNECT_TIMEOUT", "10")
            // TLS when the server offers it (a `tls_cluster` requires it).
            .env("PGSSLMODE", "prefer")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .env_remove("PGOPTIONS")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("failed to run {}: {e}", self.psql.display()));
        if !out.status.success() {
            panic!(
                "psql failed ({}) on db {db:?} running {sql:?}:\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Double-quotes an SQL identifier.
fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default()
}

/// Looks for `name` in `dirs`, then on PATH.
pub(crate) fn find_program(name: &str, dirs: &[PathBuf]) -> Option<PathBuf> {
    dirs.iter()
        .cloned()
        .chain(path_dirs())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

/// Bindir holding initdb + pg_ctl + postgres: `pg_config --bindir`, else
/// `/usr/lib/postgresql/15/bin`, else the first PATH entry that has them all.
pub(crate) fn find_bindir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    let pg_config = Command::new("pg_config")
        .arg("--bindir")
        .stderr(Stdio::null())
        .output();
    if let Some(out) = pg_config.ok().filter(|o| o.status.success()) {
        let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !s.is_empty() {
            candidates.push(PathBuf::from(s));
        }
    }
    candidates.push(PathBuf::from("/usr/lib/postgresql/15/bin"));
    for d in path_dirs() {
        // /usr/local/bin/pg_ctl may be a symlink into the real bindir; pg_ctl finds
        // `postgres` relative to its resolved path, so canonicalize.
        if let Some(parent) = std::fs::canonicalize(d.join("pg_ctl"))
            .ok()
            .and_then(|r| r.parent().map(Path::to_path_buf))
        {
            candidates.push(parent);
        }
    }
    candidates.into_iter().find(|d| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| is_executable(&d.join(b)))
    })
}

fn running_as_root() -> bool {
    // /proc/self is owned by the process' effective uid.
    match std::fs::metadata("/proc/self") {
        Ok(m) => m.uid() == 0,
        Err(_) => Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false),
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("could not bind 127.0.0.1:0 to pick a free port")
}

/// How to run server binaries: directly, or via `runuser -u postgres --` as root.
struct Runner {
    runuser: Option<PathBuf>,
    cwd: PathBuf,
}

impl Runner {
    fn cmd(&self, program: &Path) -> Command {
        let mut c = match &self.runuser {
            Some(ru) => {
                let mut c = Command::new(ru);
                c.args(["-u", "postgres", "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        // The test's cwd may not be readable by the postgres user.
        c.current_dir(&self.cwd)
            .stdin(Stdio::null())
            .env("LC_ALL", "C");
        c
    }

    /// Shell-prefix equivalent of `cmd` for the watchdog script.
    fn shell_prefix(&self) -> String {
        match &self.runuser {
            Some(ru) => format!("{} -u postgres -- ", sh_quote(&ru.to_string_lossy())),
            None => String::new(),
        }
    }
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn output_text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Starts a cluster as [`cluster`] describes; `extra` adds server options
/// (e.g. Citus's `-c shared_preload_libraries=citus`).
pub(crate) fn start_cluster(tls: bool, extra: &str) -> State {
    let t0 = Instant::now();
    let Some(bindir) = find_bindir() else {
        return State::Missing(
            "PostgreSQL 15 server binaries (initdb/pg_ctl/postgres; looked at `pg_config --bindir`, \
             /usr/lib/postgresql/15/bin and PATH)"
                .into(),
        );
    };
    let Some(psql) = find_program("psql", &[bindir.clone(), PathBuf::from("/usr/bin")]) else {
        return State::Missing("psql (PostgreSQL client)".into());
    };
    let root = running_as_root();
    let runuser = if root {
        let Some(ru) = find_program(
            "runuser",
            &[PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")],
        ) else {
            return State::Missing(
                "runuser (needed to run PostgreSQL as the postgres user when tests run as root)"
                    .into(),
            );
        };
        let has_user = Command::new("id")
            .args(["-u", "postgres"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !has_user {
            return State::Missing(
                "the `postgres` OS user (tests run as root; PostgreSQL refuses to)".into(),
            );
        }
        Some(ru)
    } else {
        None
    };

    // Fresh temp root, owned by postgres when we are root.
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "rapport-pg-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000
    ));
    if let Err(e) = std::fs::create_dir(&dir) {
        return State::Failed(format!("could not create {}: {e}", dir.display()));
    }
    let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    if root {
        match Command::new("chown")
            .arg("postgres:postgres")
            .arg(&dir)
            .status()
        {
            Ok(s) if s.success() => {}
            other => {
                return State::Failed(format!(
                    "chown postgres {} failed: {other:?}",
                    dir.display()
                ));
            }
        }
    }
    let runner = Runner {
        runuser,
        cwd: dir.clone(),
    };
    let data_dir = dir.join("data");
    let log = dir.join("postgres.log");
    let pg_ctl = bindir.join("pg_ctl");

    // Watchdog first, so the directory is removed even if startup fails below.
    spawn_watchdog(&runner, &pg_ctl, &data_dir, &dir);

    let out = runner
        .cmd(&bindir.join("initdb"))
        .arg("-D")
        .arg(&data_dir)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-instructions",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return State::Failed(format!(
                "initdb failed ({}):\n{}",
                o.status,
                output_text(&o)
            ));
        }
        Err(e) => return State::Failed(format!("could not run initdb: {e}")),
    }
    let t_initdb = t0.elapsed();
    // Each log line names its database, so that a test reading the plans
    // `auto_explain` logs reads its own database's (tests run side by side).
    let conf = data_dir.join("postgresql.conf");
    let named = std::fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .and_then(|mut file| {
            use std::io::Write;
            writeln!(file, "log_line_prefix = '%m [%p] %d '")
        });
    if let Err(e) = named {
        return State::Failed(format!("{}: {e}", conf.display()));
    }
    let (tls_files, tls_opts) = if tls {
        match require_tls(&runner, &dir, &data_dir) {
            Ok(Some(found)) => found,
            Ok(None) => return State::Missing("openssl (to make test certificates)".into()),
            Err(e) => return State::Failed(e),
        }
    } else {
        (None, String::new())
    };

    // The port is free when probed but may be taken before postgres binds it:
    // retry with a new port when the log says so.
    let mut last_err = String::new();
    for _attempt in 0..5 {
        let port = free_port();
        let opts = format!(
            "-p {port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=300 -c listen_addresses=127.0.0.1 -k {}{tls_opts} {extra}",
            sh_quote(&dir.to_string_lossy())
        );
        let _ = std::fs::remove_file(&log);
        let out = runner
            .cmd(&pg_ctl)
            .arg("-D")
            .arg(&data_dir)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(&opts)
            .args(["-w", "-t", "60", "start"])
            .output();
        let o = match out {
            Ok(o) => o,
            Err(e) => return State::Failed(format!("could not run pg_ctl: {e}")),
        };
        if o.status.success() {
            eprintln!(
                "[test postgres] cluster ready on 127.0.0.1:{port} in {:?} (initdb {:?}), dir {}",
                t0.elapsed(),
                t_initdb,
                dir.display()
            );
            return State::Ready(PgCluster {
                port,
                dir: dir.clone(),
                data_dir,
                bindir,
                psql,
                admin_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
                tls: tls_files,
            });
        }
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        last_err = format!(
            "pg_ctl start failed ({}) on port {port}:\n{}\n--- {} ---\n{}",
            o.status,
            output_text(&o),
            log.display(),
            log_text
        );
        if !log_text.contains("already in use") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    State::Failed(last_err)
}

/// Makes the cluster's certificates in `dir/tls` (readable by the postgres
/// user, the key its own) and lets TCP clients in only over TLS: the
/// server options that turn TLS on, and the files.
fn require_tls(
    runner: &Runner,
    dir: &Path,
    data_dir: &Path,
) -> Result<Option<(Option<super::tls::TlsFiles>, String)>, String> {
    let tls_dir = dir.join("tls");
    std::fs::create_dir(&tls_dir).map_err(|e| format!("create {}: {e}", tls_dir.display()))?;
    let Some(files) = super::tls::make_in(&tls_dir)? else {
        return Ok(None);
    };
    std::fs::set_permissions(&files.key, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("chmod key: {e}"))?;
    if runner.runuser.is_some() {
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&tls_dir)
            .status();
        if !matches!(chown, Ok(s) if s.success()) {
            return Err(format!("chown postgres {} failed", tls_dir.display()));
        }
    }
    let hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\n";
    std::fs::write(data_dir.join("pg_hba.conf"), hba).map_err(|e| format!("pg_hba.conf: {e}"))?;
    let opts = format!(
        " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
        sh_quote(&files.cert.to_string_lossy()),
        sh_quote(&files.key.to_string_lossy())
    );
    Ok(Some((Some(files), opts)))
}

/// Detached shell that waits for this test process to exit, then stops the
/// cluster and removes its directory.
fn spawn_watchdog(runner: &Runner, pg_ctl: &Path, data_dir: &Path, dir: &Path) {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
         {prefix}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; \
         rm -rf {dir}",
        pid = std::process::id(),
        prefix = runner.shell_prefix(),
        pg_ctl = sh_quote(&pg_ctl.to_string_lossy()),
        data = sh_quote(&data_dir.to_string_lossy()),
        dir = sh_quote(&dir.to_string_lossy()),
    );
    if let Err(e) = super::spawn_detached(script) {
        eprintln!(
            "[test postgres] WARNING: could not spawn cleanup watchdog ({e}); {} will leak",
            dir.display()
        );
    }
}

/// A server log's length: where what runs next is logged. Its size, not
/// its text: a log holds every test's statements and plans, hundreds of
/// megabytes by the end of a run.
pub fn log_len(file: &Path) -> u64 {
    std::fs::metadata(file).map_or(0, |m| m.len())
}

/// What server log `file` holds past byte `offset`: only that tail is read.
pub fn log_since(file: &Path, offset: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(file).expect("server log");
    file.seek(SeekFrom::Start(offset)).expect("seek");
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("server log read");
    String::from_utf8_lossy(&bytes).into_owned()
}
