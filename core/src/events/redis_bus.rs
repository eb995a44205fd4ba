//! The bus across server processes: Redis pub/sub.
//!
//! Each process keeps ONE subscriber connection (a pattern subscription to
//! `rapport:*`), whatever the number of its websocket clients, and one
//! multiplexed connection for publishing. Pub/sub is at-most-once, so the
//! bus never pretends otherwise: it reports every (re)subscription as
//! [`BusMessage::Resync`] and the [`Feed`](super::Feed) reads what was missed
//! from the outbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use entity::event;
use futures_util::StreamExt;
use redis::aio::{ConnectionLike, ConnectionManagerConfig};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::bus::{Bus, BusMessage, LocalBus};
use crate::metrics::Metrics;

/// Messages waiting to be published; past this, new ones are dropped (the
/// outbox still has them) rather than growing memory while Redis is away.
const PUBLISH_QUEUE: usize = 16_384;
/// How long one connection attempt or command may take.
pub(super) const REDIS_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest pause between reconnection attempts.
pub(super) const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// The channel an event is published on.
pub fn channel(e: &event::Model) -> String {
    format!("rapport:{}:{}", e.workspace_id, e.topic)
}

/// Redis pub/sub, delivering to this process through a [`LocalBus`].
pub struct RedisBus {
    outgoing: Outgoing,
    subscribed: Arc<AtomicBool>,
}

/// Messages for a publishing task: an event's channel and its JSON.
pub(super) type Queue = mpsc::Receiver<(String, Vec<u8>)>;

/// The publishing side both Redis buses share: each committed event is
/// encoded once and queued for the task that publishes it, and delivered
/// to this process at once.
pub(super) struct Outgoing {
    pub(super) local: Arc<LocalBus>,
    queue: mpsc::Sender<(String, Vec<u8>)>,
    metrics: Arc<Metrics>,
}

impl Outgoing {
    /// The side, and the queue its publishing task reads.
    pub(super) fn new(capacity: usize, metrics: Arc<Metrics>) -> (Self, Queue) {
        let (queue, queued) = mpsc::channel(PUBLISH_QUEUE);
        let local = Arc::new(LocalBus::new(capacity));
        let outgoing = Self {
            local,
            queue,
            metrics,
        };
        (outgoing, queued)
    }

    /// Queues `events`, each on the channel `channel` names.
    pub(super) fn publish(
        &self,
        events: &[event::Model],
        channel: impl Fn(&event::Model) -> String,
    ) {
        for e in events {
            // Encoded once; every process decodes it once for all its readers.
            let bytes = match serde_json::to_vec(e) {
                Ok(bytes) => bytes,
                Err(error) => {
                    tracing::error!(%error, seq = e.seq, "event not encodable");
                    continue;
                }
            };
            if self.queue.try_send((channel(e), bytes)).is_err() {
                Metrics::inc(&self.metrics.events_dropped);
            }
        }
        // Readers in this process need not wait for the round trip; the copy
        // that comes back through Redis is dropped as a duplicate.
        self.local.publish(events);
    }
}

impl RedisBus {
    /// Starts the publisher and the subscriber tasks. Redis need not be up:
    /// both keep retrying, and `/readyz` says so meanwhile.
    pub fn start(
        url: &str,
        capacity: usize,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let (outgoing, queue) = Outgoing::new(capacity, metrics.clone());
        let subscribed = Arc::new(AtomicBool::new(false));
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(MAX_BACKOFF);
        let publisher = client.get_connection_manager_lazy(config)?;
        tokio::spawn(publish_loop(publisher, "PUBLISH", queue, metrics));
        tokio::spawn(subscribe_loop(
            client,
            outgoing.local.clone(),
            subscribed.clone(),
            shutdown,
        ));
        Ok(Self {
            outgoing,
            subscribed,
        })
    }
}

impl Bus for RedisBus {
    fn publish(&self, events: &[event::Model]) {
        self.outgoing.publish(events, channel);
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.outgoing.local.subscribe()
    }

    fn is_ready(&self) -> bool {
        self.subscribed.load(Ordering::Relaxed)
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}

/// Publishes what is queued with `command` (`PUBLISH`, or `SPUBLISH` on a
/// cluster). A failure drops the message (the outbox keeps the event) and
/// is logged once until publishing works again.
pub(super) async fn publish_loop<C: ConnectionLike>(
    mut connection: C,
    command: &'static str,
    mut queue: Queue,
    metrics: Arc<Metrics>,
) {
    let mut failing = false;
    while let Some((channel, bytes)) = queue.recv().await {
        let sent: redis::RedisResult<i64> = redis::cmd(command)
            .arg(&channel)
            .arg(bytes)
            .query_async(&mut connection)
            .await;
        match sent {
            Ok(_) if failing => {
                failing = false;
                tracing::info!(command, "publishing to Redis again");
            }
            Ok(_) => {}
            Err(error) => {
                Metrics::inc(&metrics.events_dropped);
                if !failing {
                    failing = true;
                    tracing::warn!(%error, command, "publishing to Redis failed; subscribers will read the outbox");
                }
            }
        }
    }
}

async fn subscribe_loop(
    client: redis::Client,
    local: Arc<LocalBus>,
    subscribed: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_millis(50);
    let mut warned = false;
    loop {
        match subscribe(&client).await {
            Ok(pubsub) => {
                subscribed.store(true, Ordering::Relaxed);
                tracing::info!("subscribed to Redis");
                warned = false;
                backoff = Duration::from_millis(50);
                // Anything published while we were away is in the outbox only.
                local.deliver(BusMessage::Resync);
                let mut messages = pubsub.into_on_message();
                loop {
                    tokio::select! {
                        message = messages.next() => match message {
                            Some(message) => deliver(&local, message.get_payload_bytes()),
                            None => break,
                        },
                        () = shutdown.cancelled() => return,
                    }
                }
                subscribed.store(false, Ordering::Relaxed);
                tracing::warn!("lost the Redis subscription; reconnecting");
            }
            Err(error) if !warned => {
                warned = true;
                tracing::warn!(%error, "cannot subscribe to Redis; retrying");
            }
            Err(_) => {}
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.cancelled() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn subscribe(client: &redis::Client) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = tokio::time::timeout(REDIS_TIMEOUT, client.get_async_pubsub()).await??;
    tokio::time::timeout(REDIS_TIMEOUT, pubsub.psubscribe("rapport:*")).await??;
    Ok(pubsub)
}

pub(super) fn deliver(local: &LocalBus, payload: &[u8]) {
    match serde_json::from_slice::<event::Model>(payload) {
        Ok(e) => local.deliver(BusMessage::Event(Arc::new(e))),
        Err(error) => tracing::warn!(%error, "undecodable event on Redis; ignored"),
    }
}
