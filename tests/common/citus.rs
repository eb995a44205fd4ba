//! A throwaway Citus cluster per test binary: a coordinator and two
//! workers, each a [`PgCluster`] on its own loopback port with
//! `shared_preload_libraries = citus` (issue 22). Citus is not in
//! Debian's archive: `.ci/run` installs the build in `../shared/citus/`.
//!
//! Missing Citus (no `citus.so` in PostgreSQL 15's library directory) is a
//! skip locally and a failure under `CI=true`, as `postgres::missing` rules.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::postgres::{PgCluster, State, find_bindir, start_cluster};

/// The coordinator, where Rapport connects, and the two workers that hold
/// the shards.
pub struct CitusCluster {
    pub coordinator: PgCluster,
    pub workers: [PgCluster; 2],
}

static CITUS: OnceLock<State<CitusCluster>> = OnceLock::new();

/// Starts the three nodes once per test process.
#[track_caller]
pub fn cluster() -> Option<&'static CitusCluster> {
    CITUS.get_or_init(start).ready()
}

/// PostgreSQL 15's library directory, where `install.sh` puts `citus.so`.
fn library_dir() -> PathBuf {
    let from_pg_config = find_bindir()
        .map(|bin| bin.join("pg_config"))
        .and_then(|pg_config| Command::new(pg_config).arg("--pkglibdir").output().ok())
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    from_pg_config.unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/lib"))
}

fn start() -> State<CitusCluster> {
    let library = library_dir();
    if !library.join("citus.so").exists() {
        return State::Missing(format!(
            "Citus for PostgreSQL 15 (no citus.so in {}; `.ci/run` installs it from ../shared/citus)",
            library.display()
        ));
    }
    let mut nodes = Vec::new();
    for _ in 0..3 {
        match start_cluster(false, "-c shared_preload_libraries=citus") {
            State::Ready(node) => nodes.push(node),
            State::Missing(what) => return State::Missing(what),
            State::Failed(msg) => return State::Failed(msg),
        }
    }
    let (Some(second), Some(first), Some(coordinator)) = (nodes.pop(), nodes.pop(), nodes.pop())
    else {
        return State::Failed("three nodes were not started".into());
    };
    State::Ready(CitusCluster {
        coordinator,
        workers: [first, second],
    })
}

impl CitusCluster {
    /// A fresh database on every node, with the extension, the workers
    /// added to the coordinator's: its name, and its URL on the coordinator.
    #[track_caller]
    pub fn create_database(&self) -> (String, String) {
        // One at a time: adding the workers to two new databases at once
        // propagates the same role to a worker twice, and one of the two
        // fails ("tuple concurrently updated").
        static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let name = format!("c_{}", uuid::Uuid::now_v7().simple());
        for node in self.nodes() {
            node.create_named_database(&name, None);
            node.psql(&name, "CREATE EXTENSION citus");
        }
        let coordinator = self.coordinator.port();
        let mut sql = format!("SELECT citus_set_coordinator_host('127.0.0.1', {coordinator});");
        for worker in &self.workers {
            sql.push_str(&format!(
                "SELECT citus_add_node('127.0.0.1', {});",
                worker.port()
            ));
        }
        self.coordinator.psql(&name, &sql);
        // Four shards per table instead of 32: the same routing with two
        // workers, and a schema that distributes in a few seconds.
        self.coordinator.psql(
            "postgres",
            &format!("ALTER DATABASE {name} SET citus.shard_count = 4"),
        );
        // `CREATE EXTENSION citus` turns TLS on with a self-signed
        // certificate, which the server's client refuses: the nodes talk
        // over loopback, so the test connects without it.
        let url = format!("{}?sslmode=disable", self.coordinator.url(&name));
        (name, url)
    }

    /// Runs `sql` on the coordinator's database `db`.
    #[track_caller]
    pub fn psql(&self, db: &str, sql: &str) -> String {
        self.coordinator.psql(db, sql)
    }

    /// The coordinator's server log.
    pub fn log_file(&self) -> std::path::PathBuf {
        self.coordinator.log_file()
    }

    fn nodes(&self) -> impl Iterator<Item = &PgCluster> {
        std::iter::once(&self.coordinator).chain(self.workers.iter())
    }
}
