//! The Citus cluster of `--citus`: a coordinator and two workers on this
//! machine, each a PostgreSQL 15 with the extension loaded and the same
//! settings as the single node. A database starts with one worker; the
//! second is added and the shards rebalanced onto it while the benchmark
//! runs, as the README's scaling guide does it.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};

use crate::procs::Postgres;
use crate::sql::Db;

pub struct Cluster {
    pub coordinator: (Db, Postgres),
    workers: Vec<(Db, Postgres)>,
}

impl Cluster {
    /// Starts the three nodes with `settings` (the single node's).
    pub fn start(run_dir: &Path, settings: &[&str]) -> Result<Self> {
        let library = "/usr/lib/postgresql/15/lib/citus.so";
        if !Path::new(library).exists() {
            bail!("--citus needs Citus for PostgreSQL 15 ({library}): ../shared/citus/install.sh");
        }
        let mut settings = settings.to_vec();
        // Citus first, as it requires; the rest as on the single node.
        settings.push("shared_preload_libraries=citus,pg_stat_statements,auto_explain");
        let mut nodes = Vec::new();
        for name in ["coordinator", "worker1", "worker2"] {
            let pg = Postgres::start_with(&run_dir.join(name), &settings)?;
            let db = Db {
                port: pg.port,
                csv_log: pg.csv_log(),
            };
            db.psql("postgres", "CREATE ROLE rapport LOGIN")?;
            nodes.push((db, pg));
        }
        let coordinator = nodes.remove(0);
        Ok(Self {
            coordinator,
            workers: nodes,
        })
    }

    /// A database `name` owned by `rapport` on every node, with the
    /// extension, and the coordinator and the first worker in its metadata.
    pub fn create_database(&self, name: &str) -> Result<()> {
        for (db, _) in std::iter::once(&self.coordinator).chain(&self.workers) {
            db.psql("postgres", &format!("CREATE DATABASE {name} OWNER rapport"))?;
            db.psql(name, "CREATE EXTENSION citus")?;
        }
        let (coordinator, pg) = &self.coordinator;
        coordinator.psql(
            name,
            &format!(
                "SELECT citus_set_coordinator_host('127.0.0.1', {})",
                pg.port
            ),
        )?;
        self.add_worker(name, 0)
    }

    fn add_worker(&self, name: &str, which: usize) -> Result<()> {
        self.coordinator.0.psql(
            name,
            &format!(
                "SELECT citus_add_node('127.0.0.1', {})",
                self.workers[which].1.port
            ),
        )?;
        Ok(())
    }

    /// Adds the second worker and moves shard groups onto it until both
    /// hold as many (`citus_rebalance_start`, copying with writes blocked
    /// shard by shard: logical replication would need `wal_level=logical`);
    /// returns the seconds it took and the shards moved.
    pub fn add_second_worker(&self, name: &str) -> Result<(f64, String)> {
        let started = Instant::now();
        self.add_worker(name, 1)?;
        let coordinator = &self.coordinator.0;
        coordinator.psql(
            name,
            "SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes')",
        )?;
        coordinator.psql(name, "SELECT citus_rebalance_wait()")?;
        let placements = coordinator.psql(
            name,
            "SELECT string_agg(nodeport || ': ' || n, ', ' ORDER BY nodeport) FROM \
             (SELECT nodeport, count(*) AS n FROM pg_dist_shard_placement GROUP BY nodeport) p",
        )?;
        Ok((started.elapsed().as_secs_f64(), placements))
    }

    /// The server's client refuses the self-signed certificate the
    /// extension turns on; the nodes talk over loopback.
    pub fn url(&self, name: &str) -> String {
        format!(
            "{}?sslmode=disable",
            self.coordinator.1.url_of("rapport", name)
        )
    }

    /// Drops database `name` on every node.
    pub fn drop_database(&self, name: &str) -> Result<()> {
        for (db, _) in std::iter::once(&self.coordinator).chain(&self.workers) {
            db.psql(
                "postgres",
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )?;
        }
        Ok(())
    }

    /// What the database takes on the nodes in its metadata, the
    /// coordinator included (each shard, even an empty one, has its own
    /// files and index pages).
    pub fn size(&self, name: &str) -> Result<String> {
        self.coordinator.0.psql(
            name,
            "SELECT pg_size_pretty(pg_database_size(current_database()) + sum(result::bigint)) \
             FROM run_command_on_workers('SELECT pg_database_size(current_database())')",
        )
    }
}
