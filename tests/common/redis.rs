//! A throwaway `redis-server` per call to [`start()`], on a free loopback port,
//! with persistence disabled (`--save '' --appendonly no`) and its working dir /
//! log in a private temp dir.
//!
//! * [`start()`] returns only once the server answers `PING` over raw TCP.
//! * [`RedisServer::kill9`] simulates a crash (SIGKILL); [`RedisServer::restart`]
//!   brings a fresh (empty) server back on the *same* port, again waiting for PING.
//! * `Drop` kills the server and removes its temp dir. In case the value is
//!   never dropped (kept in a `static`, process killed, `panic=abort`), a small
//!   watchdog shell per server does both once the test process is gone.
//!
//! Missing `redis-server`: panics under `CI=true`, otherwise warns loudly on
//! stderr and returns `None` (see [`super::postgres::missing`]). A server that is
//! installed but fails to start always panics, printing its log.
#![allow(dead_code)]

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::postgres::{find_program, free_port, missing};
use super::tls::TlsFiles;

const READY_TIMEOUT: Duration = Duration::from_secs(15);

pub struct RedisServer {
    port: u16,
    /// `None` after `kill9` until `restart`.
    child: Option<Child>,
    watchdog: Option<Child>,
    binary: PathBuf,
    dir: tempfile::TempDir,
    /// A TLS port besides the plain one (which readiness checks use), and
    /// its certificate.
    tls: Option<(u16, TlsFiles)>,
    /// More options (a cluster node's).
    extra: Vec<String>,
}

/// Starts a fresh redis-server on a free loopback port:
/// `--port P --bind 127.0.0.1 --save '' --appendonly no --daemonize no`.
/// `None` (after a loud warning) when redis-server is missing and CI is not
/// "true"; panics under `CI=true` or if it is installed but fails to start.
#[track_caller]
pub fn start() -> Option<RedisServer> {
    start_with(None)
}

/// Like [`start`], also listening with TLS (certificate `files`) on a
/// second port: [`RedisServer::tls_url`].
#[track_caller]
pub fn start_tls(files: &TlsFiles) -> Option<RedisServer> {
    start_with(Some(files.clone()))
}

/// Like [`start`], as a node of a Redis Cluster not yet formed (see
/// `redis_cluster.rs`); a node is judged failed after `node_timeout_ms`.
#[track_caller]
pub fn start_cluster_node(node_timeout_ms: u64) -> Option<RedisServer> {
    let extra = [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        &node_timeout_ms.to_string(),
        // A replica syncs at once and may always take over: the tests kill
        // masters seconds after the cluster forms.
        "--repl-diskless-sync-delay",
        "0",
        "--cluster-replica-validity-factor",
        "0",
    ];
    start_full(None, extra.iter().map(|a| (*a).to_owned()).collect())
}

#[track_caller]
fn start_with(tls: Option<TlsFiles>) -> Option<RedisServer> {
    start_full(tls, Vec::new())
}

#[track_caller]
fn start_full(tls: Option<TlsFiles>, extra: Vec<String>) -> Option<RedisServer> {
    let dirs = [
        PathBuf::from("/usr/bin"),
        PathBuf::from("/usr/local/bin"),
        PathBuf::from("/usr/sbin"),
    ];
    let Some(binary) = find_program("redis-server", &dirs) else {
        return missing("redis-server (Debian: apt-get install -y redis-server)");
    };
    let dir = tempfile::Builder::new()
        .prefix("rapport-redis-")
        .tempdir()
        .expect("could not create temp dir for redis");
    let mut server = RedisServer {
        port: 0,
        child: None,
        watchdog: None,
        binary,
        dir,
        tls: tls.map(|files| (0, files)),
        extra,
    };
    // The probed port may be grabbed by someone else before redis binds it.
    let mut last_err = String::new();
    for _ in 0..5 {
        server.port = free_port();
        if let Some((port, _)) = &mut server.tls {
            *port = free_port();
        }
        match server.spawn_and_wait() {
            Ok(()) => return Some(server),
            Err(e) => {
                let retry = e.contains("already in use");
                last_err = e;
                if !retry {
                    break;
                }
            }
        }
    }
    panic!("{last_err}");
}

impl RedisServer {
    /// `redis://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `rediss://localhost:PORT`, the TLS port of a [`start_tls`] server.
    pub fn tls_url(&self) -> Option<String> {
        self.tls
            .as_ref()
            .map(|(port, _)| format!("rediss://localhost:{port}"))
    }

    /// True while the process we started is alive (not killed / exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Sends `PING` over raw TCP; true iff the reply is `+PONG`.
    pub fn ping(&self) -> bool {
        ping(self.port)
    }

    /// SIGKILLs the server (simulated crash) and reaps it. Idempotent.
    pub fn kill9(&mut self) {
        // Watchdog first, so it can never act on a reaped (reusable) pid.
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
    }

    /// Kills the current server (if still running) and starts a fresh, empty one
    /// on the same port; returns once it answers PING. Panics on failure.
    #[track_caller]
    pub fn restart(&mut self) {
        self.kill9();
        // A SIGKILLed listener frees the port immediately (redis uses SO_REUSEADDR),
        // but retry briefly in case the kernel is slow to release it.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.spawn_and_wait() {
                Ok(()) => return,
                Err(e) if e.contains("already in use") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("redis restart on port {} failed: {e}", self.port),
            }
        }
    }

    /// The TLS port and certificate options, if any.
    fn tls_args(&self) -> Vec<String> {
        let Some((port, files)) = &self.tls else {
            return Vec::new();
        };
        let path = |p: &PathBuf| p.to_string_lossy().into_owned();
        vec![
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            path(&files.cert),
            "--tls-key-file".into(),
            path(&files.key),
            "--tls-ca-cert-file".into(),
            path(&files.ca),
            "--tls-auth-clients".into(),
            "no".into(),
        ]
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("redis.log")
    }

    /// Spawns redis on `self.port` and waits until it answers PING.
    /// On failure the process is killed and the error contains the log.
    fn spawn_and_wait(&mut self) -> Result<(), String> {
        let log_path = self.log_path();
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("open {}: {e}", log_path.display()))?;
        let log_offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        let log_err: File = log.try_clone().map_err(|e| e.to_string())?;
        let mut child = Command::new(&self.binary)
            .arg("--port")
            .arg(self.port.to_string())
            .args([
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ])
            .arg("--dir")
            .arg(self.dir.path())
            .args(self.tls_args())
            .args(&self.extra)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|e| format!("could not spawn {}: {e}", self.binary.display()))?;

        let read_log = || {
            let all = std::fs::read(&log_path).unwrap_or_default();
            String::from_utf8_lossy(all.get(log_offset as usize..).unwrap_or(&all)).into_owned()
        };
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "redis-server exited early ({status}) on port {}; log:\n{}",
                    self.port,
                    read_log()
                ));
            }
            if ping(self.port) {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "redis-server did not answer PING on port {} within {READY_TIMEOUT:?}; log:\n{}",
                    self.port,
                    read_log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.watchdog = spawn_watchdog(child.id(), self.dir.path());
        self.child = Some(child);
        Ok(())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Raw-TCP `PING` → `+PONG`.
fn ping(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let _ = s.set_write_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 64];
    let mut n = 0;
    while n < 7 {
        match s.read(&mut buf[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    buf[..n].starts_with(b"+PONG")
}

/// Once this test process is gone, SIGKILLs `redis_pid` (if still alive) and
/// removes the temp dir: covers servers that are never dropped (`static`,
/// killed test process, `panic=abort`). `kill9`/`Drop` kill the watchdog first.
fn spawn_watchdog(redis_pid: u32, dir: &std::path::Path) -> Option<Child> {
    let script = format!(
        "r={r}; while kill -0 {me} 2>/dev/null; do \
           if [ -n \"$r\" ] && ! kill -0 $r 2>/dev/null; then r=; fi; sleep 1; done; \
         if [ -n \"$r\" ]; then kill -9 $r 2>/dev/null; fi; rm -rf '{dir}'",
        me = std::process::id(),
        r = redis_pid,
        dir = dir.to_string_lossy().replace('\'', "'\\''"),
    );
    super::spawn_detached(script).ok()
}
