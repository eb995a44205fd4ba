//! A Rapport server as a real child process (the binary Cargo built for this
//! package), for tests of what only processes show: two instances sharing
//! Redis, restarts, SIGTERM.
#![allow(dead_code)]

use super::JsonAnswer;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The signing secret every test process shares, so tokens from one work on all.
pub const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl ServerProcess {
    /// Starts `rapport serve --no-demo` on 127.0.0.1:0 with `env` added, and
    /// returns once it logged the address it serves on.
    pub fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        Self::start_with_args(database_url, &["serve", "--no-demo"], env)
    }

    /// Like [`Self::start`], with the command line `args` instead.
    pub fn start_with_args(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rapport"));
        command
            .args(args)
            .env("DATABASE_URL", database_url)
            .env("RAPPORT_BIND", "127.0.0.1:0")
            .env("RAPPORT_JWT_SECRET", SECRET)
            .env("RAPPORT_LOG_FORMAT", "json")
            .env("RAPPORT_RATE_LIMIT_PER_MINUTE", "1000000")
            .env("RUST_LOG", "info,sea_orm=warn,sqlx=warn")
            .env_remove("REDIS_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("rapport binary starts");
        let stderr = child.stderr.take().expect("stderr");
        let (address_tx, address_rx) = mpsc::channel();
        let pid = child.id();
        // Reads the log for the address, then keeps draining it (echoed to
        // the test's output) so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[rapport {pid}] {line}");
                let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if let Some(address) = entry["fields"]["address"].as_str() {
                    let _ = address_tx.send(address.to_owned());
                }
            }
        });
        let address = address_rx
            .recv_timeout(START_TIMEOUT)
            .expect("the server logs its address");
        Self {
            child,
            base: format!("http://{address}"),
        }
    }

    /// POSTs a GraphQL request signed with `token`; the whole answer.
    pub async fn graphql(
        &self,
        token: &str,
        query: &str,
        variables: serde_json::Value,
    ) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&serde_json::json!({ "query": query, "variables": variables }))
            .answer()
            .await
    }

    /// Whether the process is still running (it has not exited or crashed).
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM, as an orchestrator stopping the instance would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to exit; panics if it has not within `bound`.
    pub fn wait_exit(&mut self, bound: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + bound;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit in {bound:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
