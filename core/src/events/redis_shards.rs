//! The bus on a Redis Cluster: sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`).
//!
//! Classic pub/sub on a cluster copies every message to every node. Sharded
//! pub/sub keeps a channel on the shard that owns its slot, so each message
//! crosses one shard. Events go on [`SHARDS`] channels, `rapport:{shard-N}`
//! (the braces are the hash tag that picks the slot); a workspace's events
//! always take the same one, so they stay in order on one shard. Each
//! process subscribes to every channel through one cluster connection,
//! which keeps one connection per shard, not per workspace.
//!
//! The client follows `MOVED` and failovers and subscribes again by itself;
//! every (re)subscription is reported as [`BusMessage::Resync`], so the
//! [`Feed`](super::Feed) reads whatever was published meanwhile from the
//! outbox, as with a single Redis.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use entity::event;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{ProtocolVersion, PushInfo, PushKind, Value};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::bus::{Bus, BusMessage, LocalBus};
use super::redis_bus::{MAX_BACKOFF, Outgoing, Queue, REDIS_TIMEOUT, deliver, publish_loop};
use crate::metrics::Metrics;
use crate::redis_link::cluster_builder;

/// How often a lost subscription is taken again.
const RESUBSCRIBE_EVERY: Duration = Duration::from_millis(250);

/// Channels events are spread over: enough to reach every shard of a
/// cluster of a few dozen masters.
pub const SHARDS: u32 = 64;

/// The channel of a workspace's events.
pub fn channel(workspace_id: Uuid) -> String {
    // The low bits of a UUIDv7 are random.
    let shard = (workspace_id.as_u128() % u128::from(SHARDS)) as u32;
    shard_channel(shard)
}

fn shard_channel(shard: u32) -> String {
    format!("rapport:{{shard-{shard}}}")
}

/// Sharded pub/sub, delivering to this process through a [`LocalBus`].
pub struct ShardedBus {
    outgoing: Outgoing,
    subscribed: Arc<AtomicBool>,
}

impl ShardedBus {
    /// Starts connecting, subscribing and publishing. The cluster need not be
    /// up: the task keeps trying, and `/readyz` says so meanwhile.
    pub fn start(
        url: &str,
        capacity: usize,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let (pushes, incoming) = mpsc::unbounded_channel();
        let client = cluster_builder(url, REDIS_TIMEOUT)
            .use_protocol(ProtocolVersion::RESP3)
            .push_sender(pushes)
            .build()?;
        let (outgoing, queue) = Outgoing::new(capacity, metrics.clone());
        let subscribed = Arc::new(AtomicBool::new(false));
        let link = Link {
            local: outgoing.local.clone(),
            subscribed: subscribed.clone(),
            metrics,
            shutdown,
        };
        tokio::spawn(link.run(client, queue, incoming));
        Ok(Self {
            outgoing,
            subscribed,
        })
    }
}

impl Bus for ShardedBus {
    fn publish(&self, events: &[event::Model]) {
        self.outgoing.publish(events, |e| channel(e.workspace_id));
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.outgoing.local.subscribe()
    }

    fn is_ready(&self) -> bool {
        self.subscribed.load(Ordering::Relaxed)
    }

    fn name(&self) -> &'static str {
        "redis-cluster"
    }
}

/// What the connection task shares with the bus.
struct Link {
    local: Arc<LocalBus>,
    subscribed: Arc<AtomicBool>,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
}

impl Link {
    async fn run(
        self,
        client: ClusterClient,
        queue: Queue,
        mut incoming: mpsc::UnboundedReceiver<PushInfo>,
    ) {
        let Some(mut connection) = self.connect(&client).await else {
            return;
        };
        tokio::spawn(publish_loop(
            connection.clone(),
            "SPUBLISH",
            queue,
            self.metrics.clone(),
        ));
        let mut retry = tokio::time::interval(RESUBSCRIBE_EVERY);
        loop {
            tokio::select! {
                push = incoming.recv() => match push {
                    Some(push) => self.on_push(push),
                    None => return,
                },
                // The client resubscribes a node it reconnects to, but a
                // failover moves the slots to another node, which only a
                // command routed there discovers: subscribe again until
                // every channel is taken (repeating one is harmless).
                _ = retry.tick(), if !self.subscribed.load(Ordering::Relaxed) => {
                    if subscribe_all(&mut connection).await.is_ok() {
                        self.subscribed.store(true, Ordering::Relaxed);
                        tracing::info!("subscribed to the Redis cluster's shards again");
                        self.local.deliver(BusMessage::Resync);
                    }
                }
                () = self.shutdown.cancelled() => return,
            }
        }
    }

    /// Connects and subscribes to every channel, retrying until it can (or
    /// the server stops).
    async fn connect(&self, client: &ClusterClient) -> Option<ClusterConnection> {
        let mut backoff = Duration::from_millis(50);
        let mut warned = false;
        loop {
            let attempt = async {
                let mut connection = client.get_async_connection().await?;
                subscribe_all(&mut connection).await?;
                redis::RedisResult::Ok(connection)
            };
            match tokio::time::timeout(REDIS_TIMEOUT * 4, attempt).await {
                Ok(Ok(connection)) => {
                    self.subscribed.store(true, Ordering::Relaxed);
                    tracing::info!(
                        channels = SHARDS,
                        "subscribed to the Redis cluster's shards"
                    );
                    self.local.deliver(BusMessage::Resync);
                    return Some(connection);
                }
                Ok(Err(error)) if !warned => {
                    warned = true;
                    tracing::warn!(%error, "cannot subscribe to the Redis cluster; retrying");
                }
                Err(_) if !warned => {
                    warned = true;
                    tracing::warn!("the Redis cluster does not answer; retrying");
                }
                _ => {}
            }
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = self.shutdown.cancelled() => return None,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    fn on_push(&self, push: PushInfo) {
        match push.kind {
            PushKind::SMessage => match push.data.get(1) {
                Some(Value::BulkString(payload)) => deliver(&self.local, payload),
                _ => tracing::warn!("a sharded message without a payload; ignored"),
            },
            // A node was reconnected and resubscribed by the client:
            // anything published meanwhile is in the outbox only.
            PushKind::SSubscribe => self.local.deliver(BusMessage::Resync),
            // Subscribed again below, wherever the slots now are.
            PushKind::Disconnection if self.subscribed.swap(false, Ordering::Relaxed) => {
                tracing::warn!("lost a Redis cluster connection; the client reconnects");
            }
            _ => {}
        }
    }
}

/// `SSUBSCRIBE` to every channel, one command each (a command's channels
/// must share a slot); each is routed to the node serving its slot now.
async fn subscribe_all(connection: &mut ClusterConnection) -> redis::RedisResult<()> {
    for shard in 0..SHARDS {
        connection.ssubscribe(shard_channel(shard)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_keeps_one_channel_and_workspaces_spread() {
        let ids: Vec<Uuid> = (0..1000).map(|_| Uuid::now_v7()).collect();
        assert_eq!(channel(ids[0]), channel(ids[0]));
        let used: std::collections::HashSet<String> = ids.iter().map(|id| channel(*id)).collect();
        assert_eq!(used.len(), SHARDS as usize);
        assert!(channel(ids[0]).starts_with("rapport:{shard-"));
    }
}
