//! One way to reach Redis whether `REDIS_URL` names a single server or a
//! Redis Cluster: the rate limits, the login lockout and persisted
//! documents send their commands through a [`RedisLink`], and the event bus
//! picks its pub/sub by the [`Topology`].
//!
//! On a cluster, `REDIS_URL` may list several seed nodes, comma-separated
//! (`redis://10.0.0.1:6379,redis://10.0.0.2:6379`); the client learns the
//! rest of the cluster from them and follows `MOVED` and failovers. Every
//! multi-key command Rapport sends keeps its keys under one hash tag, so
//! each runs on one node.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use tokio::sync::OnceCell;

/// What `REDIS_URL` points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// One server (or a primary with replicas behind one address).
    Node,
    /// A Redis Cluster: keys by slot, events on sharded pub/sub.
    Cluster,
}

/// `RAPPORT_REDIS_CLUSTER`: `true`, `false`, or `auto` (ask the server).
pub async fn topology(url: &str, setting: &str) -> Topology {
    match setting.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => return Topology::Cluster,
        "false" | "0" | "no" | "off" => return Topology::Node,
        _ => {}
    }
    // Several seed nodes can only be a cluster.
    if seeds(url).len() > 1 {
        return Topology::Cluster;
    }
    match cluster_enabled(url).await {
        Ok(true) => Topology::Cluster,
        Ok(false) => Topology::Node,
        Err(error) => {
            tracing::warn!(
                %error,
                "cannot ask Redis whether it is a cluster; using it as a single server \
                 (set RAPPORT_REDIS_CLUSTER=true for a cluster)"
            );
            Topology::Node
        }
    }
}

/// `INFO cluster` says `cluster_enabled:1`.
async fn cluster_enabled(url: &str) -> anyhow::Result<bool> {
    let client = redis::Client::open(url)?;
    let wait = Duration::from_secs(2);
    let mut connection =
        tokio::time::timeout(wait, client.get_multiplexed_async_connection()).await??;
    let info: String = tokio::time::timeout(
        wait,
        redis::cmd("INFO")
            .arg("cluster")
            .query_async(&mut connection),
    )
    .await??;
    Ok(info.lines().any(|line| line.trim() == "cluster_enabled:1"))
}

/// The seed nodes of `url` (comma-separated).
pub fn seeds(url: &str) -> Vec<String> {
    url.split(',')
        .map(str::trim)
        .filter(|seed| !seed.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A cluster client for `url`, each command answered within `timeout`.
pub fn cluster_builder(url: &str, timeout: Duration) -> ClusterClientBuilder {
    ClusterClientBuilder::new(seeds(url))
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .retries(2)
}

/// A connection for commands, to one server or a cluster. Made on first
/// use and remade after failures, so Redis need not be up at start.
#[derive(Clone)]
pub enum RedisLink {
    Node(ConnectionManager),
    Cluster(LazyCluster),
}

/// A cluster connection made on first use.
#[derive(Clone)]
pub struct LazyCluster {
    client: Arc<ClusterClient>,
    connection: Arc<OnceCell<ClusterConnection>>,
}

impl LazyCluster {
    async fn connection(&self) -> redis::RedisResult<ClusterConnection> {
        let connection = self
            .connection
            .get_or_try_init(|| self.client.get_async_connection())
            .await?;
        Ok(connection.clone())
    }
}

impl RedisLink {
    /// A link to `url` as `topology` says, each command answered within `timeout`.
    pub fn open(url: &str, topology: Topology, timeout: Duration) -> redis::RedisResult<Self> {
        Ok(match topology {
            Topology::Node => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(1);
                Self::Node(redis::Client::open(url)?.get_connection_manager_lazy(config)?)
            }
            Topology::Cluster => Self::Cluster(LazyCluster {
                client: Arc::new(cluster_builder(url, timeout).build()?),
                connection: Arc::default(),
            }),
        })
    }
}

impl ConnectionLike for RedisLink {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Node(connection) => connection.req_packed_command(cmd),
            Self::Cluster(lazy) => {
                Box::pin(async move { lazy.connection().await?.req_packed_command(cmd).await })
            }
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Node(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(lazy) => Box::pin(async move {
                let mut connection = lazy.connection().await?;
                connection
                    .req_packed_commands(pipeline, offset, count)
                    .await
            }),
        }
    }

    fn get_db(&self) -> i64 {
        0
    }
}
