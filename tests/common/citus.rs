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

/// A database [sealed](CitusCluster::seal_template) to be copied: its name,
/// and each node's settings of it (`name = 'value'`), in the nodes' order.
pub struct CitusTemplate {
    name: String,
    settings: Vec<Vec<String>>,
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
        let url = self.url(&name);
        (name, url)
    }

    /// Makes `template`, a database [`create_database`](Self::create_database)
    /// made, a template on every node: nothing may connect to it any more,
    /// and the sessions Citus keeps in it (each node's maintenance daemon and
    /// its connections to the other nodes) are ended, since PostgreSQL
    /// clones only a database nobody is in.
    #[track_caller]
    pub fn seal_template(&self, template: &str) -> CitusTemplate {
        for node in self.nodes() {
            node.psql(
                "postgres",
                &format!("ALTER DATABASE {template} WITH ALLOW_CONNECTIONS false"),
            );
        }
        for node in self.nodes() {
            node.psql(
                "postgres",
                &format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{template}' AND pid <> pg_backend_pid()"
                ),
            );
        }
        // A copy does not take the template's own settings (`ALTER DATABASE
        // … SET`, which the migrations make for the sessions the coordinator
        // opens on the workers): each node's are read here, once, and set
        // again on every copy.
        let settings = self
            .nodes()
            .map(|node| {
                node.psql(
                    "postgres",
                    &format!(
                        "SELECT unnest(setconfig) FROM pg_db_role_setting s \
                         JOIN pg_database d ON d.oid = s.setdatabase \
                         WHERE d.datname = '{template}' AND s.setrole = 0"
                    ),
                )
                .lines()
                .filter_map(|setting| setting.split_once('='))
                .map(|(key, value)| format!("{key} = '{value}'"))
                .collect()
            })
            .collect();
        CitusTemplate {
            name: template.to_owned(),
            settings,
        }
    }

    /// A copy of a sealed `template` on every node under one new name: its
    /// name, and its URL on the coordinator. The coordinator's copy finds
    /// its shards in the workers' copies, since Citus connects to a worker's
    /// database of the coordinator's name.
    #[track_caller]
    pub fn clone_database(&self, template: &CitusTemplate) -> (String, String) {
        let name = format!("c_{}", uuid::Uuid::now_v7().simple());
        for (node, settings) in self.nodes().zip(&template.settings) {
            node.create_named_database(&name, Some(&template.name));
            // From `postgres`, where Citus does not step in: the copy is not
            // a distributed database to it (its record names the template's oid).
            for setting in settings {
                node.psql("postgres", &format!("ALTER DATABASE {name} SET {setting}"));
            }
        }
        let url = self.url(&name);
        (name, url)
    }

    /// Drops `name` on every node (`WITH (FORCE)`: the sessions of a test's
    /// server and of Citus go with it). A test's copy is some 80 MB over
    /// the three nodes, and the suite makes hundreds.
    #[track_caller]
    pub fn drop_database(&self, name: &str) {
        for node in self.nodes() {
            node.drop_database(name);
        }
    }

    /// The URL of the coordinator's database `name`. `CREATE EXTENSION
    /// citus` turns TLS on with a self-signed certificate, which the
    /// server's client refuses: the nodes talk over loopback, so the test
    /// connects without it.
    fn url(&self, name: &str) -> String {
        format!("{}?sslmode=disable", self.coordinator.url(name))
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
