//! What the HTTP and websocket doors share: the [`Services`] resolvers see,
//! plus the server's own machinery (shutdown, websocket tracking, rate
//! limits, proxies, shared subscriptions). `app` builds it.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::http::client_address::TrustedProxies;
use crate::http::rate_limit::RateLimiter;
use crate::services::Services;
use crate::ws::shared::Hub;
use crate::ws::slots::Slots;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// What resolvers see; `AppState` dereferences to it (and through it
    /// to the core), so `state.db` and `state.config` read as before.
    pub services: Services,
    /// Cancelled when the server begins to stop: websockets close with 1012.
    pub shutdown: CancellationToken,
    /// The websocket connections, awaited (within the grace period) on stop.
    pub websockets: TaskTracker,
    /// The proxies whose forwarding header names the client.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Requests per minute per member or client address.
    pub rate_limiter: Arc<RateLimiter>,
    /// Web form submissions per minute per client address.
    pub form_limiter: Arc<RateLimiter>,
    /// Identical live subscriptions, executed once for all their subscribers.
    pub shared_subscriptions: Arc<Hub>,
    /// Operations each member runs over websockets, bounded.
    pub subscription_slots: Arc<Slots>,
    /// Documents registered by hash (automatic persisted queries) and the trusted manifest.
    pub documents: Arc<crate::http::persisted::Documents>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}
