//! A throwaway Redis Cluster: six `redis-server` nodes on free loopback
//! ports joined by `redis-cli --cluster create` as three masters with one
//! replica each. A node is judged failed after one second, so killing a
//! master promotes its replica within a few seconds.
//!
//! Missing `redis-server` or `redis-cli`: panics under `CI=true`, otherwise
//! warns and returns `None` (see [`super::postgres::missing`]).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use super::postgres::{find_program, missing};
use super::redis::{self, RedisServer};

/// How long a node may be silent before the others fail it over.
const NODE_TIMEOUT_MS: u64 = 1000;
const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct RedisCluster {
    /// `None` once killed.
    nodes: Vec<Option<RedisServer>>,
    cli: PathBuf,
}

/// Starts and forms the cluster; answers once every slot is served.
pub fn start() -> Option<RedisCluster> {
    let dirs = [PathBuf::from("/usr/bin"), PathBuf::from("/usr/local/bin")];
    let cli = find_program("redis-cli", &dirs)
        .or_else(|| missing("redis-cli (Debian: apt-get install -y redis-tools)"))?;
    let mut nodes = Vec::new();
    for _ in 0..6 {
        nodes.push(Some(redis::start_cluster_node(NODE_TIMEOUT_MS)?));
    }
    let cluster = RedisCluster { nodes, cli };
    let addresses: Vec<String> = cluster
        .ports()
        .iter()
        .map(|port| format!("127.0.0.1:{port}"))
        .collect();
    let out = Command::new(&cluster.cli)
        .args(["--cluster", "create"])
        .args(&addresses)
        .args(["--cluster-replicas", "1", "--cluster-yes"])
        .output()
        .expect("redis-cli runs");
    assert!(
        out.status.success(),
        "redis-cli --cluster create failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    cluster.wait_until_served();
    cluster.wait_until_replicated();
    Some(cluster)
}

impl RedisCluster {
    /// The ports of the nodes still running.
    fn ports(&self) -> Vec<u16> {
        self.nodes.iter().flatten().map(RedisServer::port).collect()
    }

    /// A seed URL (the first live node).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.ports()[0])
    }

    /// `redis-cli -p PORT ARGS…`, its output.
    pub fn cli(&self, port: u16, args: &[&str]) -> String {
        let out = Command::new(&self.cli)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The port of the master serving `key`'s slot now, asked of a live node.
    pub fn master_of(&self, key: &str) -> u16 {
        self.live_master_of(key).expect("a master serves the slot")
    }

    /// Like [`Self::master_of`]; `None` while no live master serves it (a
    /// failover under way).
    fn live_master_of(&self, key: &str) -> Option<u16> {
        let any = self.ports()[0];
        let slot: u16 = self
            .cli(any, &["cluster", "keyslot", key])
            .trim()
            .parse()
            .expect("a slot");
        self.cli(any, &["cluster", "nodes"])
            .lines()
            .find_map(|line| serving(line, slot))
    }

    /// SIGKILLs the node on `port`.
    pub fn kill9(&mut self, port: u16) {
        for node in &mut self.nodes {
            if node.as_ref().is_some_and(|n| n.port() == port)
                && let Some(mut node) = node.take()
            {
                node.kill9();
            }
        }
    }

    /// Waits until a master other than the node on `killed` serves `key`'s
    /// slot (the replica was promoted) and every slot is served; answers its port.
    pub fn wait_for_failover(&self, killed: u16, key: &str) -> u16 {
        let taken_over = || self.live_master_of(key).filter(|port| *port != killed);
        self.wait_until("promote a replica", || taken_over().is_some());
        self.wait_until_served();
        taken_over().expect("a promoted master serves the slot")
    }

    /// Waits until every live node says `cluster_state:ok` (every slot has a
    /// live master: after a kill, once the replica is promoted).
    pub fn wait_until_served(&self) {
        self.wait_until("serve every slot", || {
            self.ports().iter().all(|port| {
                self.cli(*port, &["cluster", "info"])
                    .lines()
                    .any(|line| line.trim() == "cluster_state:ok")
            })
        });
    }

    /// Waits until every replica's link to its master is up.
    fn wait_until_replicated(&self) {
        self.wait_until("sync its replicas", || {
            self.ports().iter().all(|port| {
                let info = self.cli(*port, &["info", "replication"]);
                !info.contains("role:slave") || info.contains("master_link_status:up")
            })
        });
    }

    /// Polls `done` every 100 ms; panics if the cluster does not `what`
    /// within [`READY_TIMEOUT`].
    fn wait_until(&self, what: &str, done: impl Fn() -> bool) {
        let started = Instant::now();
        while !done() {
            assert!(
                started.elapsed() < READY_TIMEOUT,
                "the Redis cluster did not {what} within {READY_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The port in a `CLUSTER NODES` line, if it is a live master serving `slot`.
fn serving(line: &str, slot: u16) -> Option<u16> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let flags = fields.get(2)?;
    if !flags.split(',').any(|f| f == "master") || flags.contains("fail") {
        return None;
    }
    let serves = fields.iter().skip(8).any(|range| {
        let (low, high) = range.split_once('-').unwrap_or((range, range));
        matches!((low.parse::<u16>(), high.parse::<u16>()), (Ok(l), Ok(h)) if (l..=h).contains(&slot))
    });
    if !serves {
        return None;
    }
    let address = fields.get(1)?.split('@').next()?;
    address.rsplit(':').next()?.parse().ok()
}
