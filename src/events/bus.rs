//! The bus that carries committed events to subscribers in this process.

use std::sync::Arc;

use entity::event;
use tokio::sync::broadcast;

/// Where committed events go. `LocalBus` serves one process; a Redis-backed
/// bus (for several instances) implements the same trait.
pub trait Bus: Send + Sync + 'static {
    /// Publishes committed events, in order.
    fn publish(&self, events: &[event::Model]);
    /// A receiver of every event published from now on.
    fn subscribe(&self) -> broadcast::Receiver<Arc<event::Model>>;
}

/// An in-process bus over a tokio broadcast channel. A receiver that falls
/// behind gets `Lagged` and must catch up from the outbox.
pub struct LocalBus {
    sender: broadcast::Sender<Arc<event::Model>>,
}

impl LocalBus {
    /// A bus whose receivers may fall `capacity` events behind.
    pub fn new(capacity: usize) -> Self {
        Self {
            sender: broadcast::channel(capacity).0,
        }
    }
}

impl Bus for LocalBus {
    fn publish(&self, events: &[event::Model]) {
        for e in events {
            // No receivers is normal: nobody is subscribed.
            let _ = self.sender.send(Arc::new(e.clone()));
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<event::Model>> {
        self.sender.subscribe()
    }
}
