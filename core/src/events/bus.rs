//! The bus: how committed events travel from the writer to every server
//! process. Delivery may reorder or lose events (Redis pub/sub is
//! at-most-once); the [`Feed`](super::Feed) above it restores order and fills
//! gaps from the outbox.

use std::sync::Arc;

use entity::event;
use tokio::sync::broadcast;

/// What a bus delivers to this process.
#[derive(Debug, Clone)]
pub enum BusMessage {
    /// A committed event, decoded once and shared by every local reader.
    Event(Arc<event::Model>),
    /// The transport may have lost events (it reconnected): whoever reads the
    /// bus must check the outbox for what it missed.
    Resync,
}

/// Where committed events go.
pub trait Bus: Send + Sync + 'static {
    /// Publishes committed events. Never blocks the writer: a transport that
    /// is down drops the message, and readers recover it from the outbox.
    fn publish(&self, events: &[event::Model]);
    /// A receiver of every message delivered from now on.
    fn subscribe(&self) -> broadcast::Receiver<BusMessage>;
    /// Whether the transport is connected (for `/readyz`).
    fn is_ready(&self) -> bool;
    /// The transport's name, for logs and `/readyz`.
    fn name(&self) -> &'static str;
}

/// An in-process bus over a tokio broadcast channel, for one server process.
pub struct LocalBus {
    sender: broadcast::Sender<BusMessage>,
}

impl LocalBus {
    /// A bus whose receivers may fall `capacity` messages behind.
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity).0,
        }
    }

    /// Delivers `message` to this process's readers.
    pub fn deliver(&self, message: BusMessage) {
        // No receivers is normal: nobody is subscribed.
        let _ = self.sender.send(message);
    }
}

impl Bus for LocalBus {
    fn publish(&self, events: &[event::Model]) {
        for e in events {
            self.deliver(BusMessage::Event(Arc::new(e.clone())));
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.sender.subscribe()
    }

    fn is_ready(&self) -> bool {
        true
    }

    fn name(&self) -> &'static str {
        "local"
    }
}
