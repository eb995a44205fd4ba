//! Builds the server: state, schema, router and listener. `main` and the
//! integration tests start the same [`App`].

use rapport_core::store::across::across_workspaces;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::{ListenerExt, TapIo};
use sea_orm::DatabaseConnection;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{TokenKeys, load_or_create_secret};
use crate::config::Config;
use crate::events::{Bus, Feed, LocalBus, RedisBus, ShardedBus, outbox};
use crate::graphql::{self, RapportSchema};
use crate::metrics::Metrics;
use crate::{db, http};
use rapport_core::Core;
use rapport_core::access::Lockout;
use rapport_core::access::shared_counters::SharedCounters;
use rapport_core::redis_link::{self, Topology};

use crate::services::Services;
pub use crate::state::AppState;

/// How often old events are pruned from the outbox.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// A bound, ready-to-serve server.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    /// The shared state, for tools and tests (issuing tokens, seeding).
    pub state: AppState,
    /// The schema, for tools and tests.
    pub schema: RapportSchema,
}

impl App {
    /// Connects and migrates the database, loads the signing secret and binds `config.bind`.
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        // Bound first, so that a port the OS chose is the one web form
        // snippets post to when no public URL is set.
        let listener = TcpListener::bind(config.bind).await?;
        if config.public_url.is_none() {
            config.public_url = Some(format!("http://{}", listener.local_addr()?));
        }
        let state = AppState::connect(config).await?;
        // Only servers deliver webhooks; tools that connect (import, export) do not.
        crate::webhooks::worker::start(&state).await?;
        tokio::spawn(import_runner(&state).await?.run(state.shutdown.clone()));
        let schema = graphql::build(Some(state.services.clone()));
        let router = http::router(state.clone(), schema.clone());
        Ok(Self {
            listener,
            router,
            state,
            schema,
        })
    }

    /// The address actually bound (the port is chosen by the OS for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes (or [`AppState::shutdown`] is
    /// cancelled); then stops accepting, lets HTTP requests finish, closes
    /// websockets with 1012 and returns within the configured grace period.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let stop = self.state.shutdown.clone();
        let grace = Duration::from_secs(u64::from(self.state.config.shutdown_grace_seconds));
        let signal = {
            let stop = stop.clone();
            async move {
                tokio::select! {
                    () = shutdown => stop.cancel(),
                    () = stop.cancelled() => {}
                }
            }
        };
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(without_delay(self.listener), service)
            .with_graceful_shutdown(signal)
            .into_future();
        let mut serve = std::pin::pin!(serve);
        // `biased`: once the stop is signalled, axum's serve future finishes
        // soon after (it does not wait for upgraded websockets), and both
        // branches are ready; an unbiased select picked the serve branch at
        // random and skipped closing and awaiting the websockets.
        tokio::select! {
            biased;
            () = stop.cancelled() => {}
            result = &mut serve => return result,
        }
        tracing::info!("stopping: finishing requests and closing websockets");
        let websockets = self.state.websockets.clone();
        websockets.close();
        let drained = tokio::time::timeout(grace, async move {
            let served = serve.await;
            websockets.wait().await;
            served
        })
        .await;
        match drained {
            Ok(served) => served,
            Err(_) => {
                tracing::warn!(?grace, "grace period over; exiting with work in flight");
                Ok(())
            }
        }
    }
}

impl AppState {
    /// Connects, migrates and loads the secret, without binding a port.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        rapport_core::tls::install_ring();
        let secret = load_or_create_secret(&config)?;
        let trusted_proxies =
            crate::http::TrustedProxies::parse(&config.trusted_proxies, config.forwarded_header)
                .map_err(|e| anyhow::anyhow!("RAPPORT_TRUSTED_PROXIES: {e}"))?;
        let metrics = Arc::new(Metrics::default());
        let db = db::connect(&config, metrics.clone()).await?;
        let citus = db::migrate(&config, &db).await?;
        let shutdown = CancellationToken::new();
        let buffer = config.event_buffer.max(1);
        let redis = match &config.redis_url {
            Some(url) => Some(redis_link::topology(url, &config.redis_cluster).await),
            None => None,
        };
        let bus: Arc<dyn Bus> = match (&config.redis_url, redis) {
            (Some(url), Some(Topology::Cluster)) => Arc::new(ShardedBus::start(
                url,
                buffer,
                metrics.clone(),
                shutdown.clone(),
            )?),
            (Some(url), _) => Arc::new(RedisBus::start(
                url,
                buffer,
                metrics.clone(),
                shutdown.clone(),
            )?),
            _ => Arc::new(LocalBus::new(buffer)),
        };
        let feed = Feed::start(
            db.clone(),
            bus.as_ref(),
            buffer,
            metrics.clone(),
            shutdown.clone(),
        );
        let directory = crate::auth::Directory::start(db.clone(), bus.as_ref(), shutdown.clone());
        tokio::spawn(prune_outbox(
            db.clone(),
            config.event_retention_hours,
            shutdown.clone(),
        ));
        let sweep_every = Duration::from_secs(config.trigger_sweep_seconds.max(1));
        let subscription_slots =
            Arc::new(crate::ws::Slots::new(config.max_subscriptions_per_member));
        // With Redis, the rate limit and the login lockout count across
        // every instance.
        let shared_counters = match (&config.redis_url, redis) {
            (Some(url), Some(topology)) => Some(SharedCounters::connect(url, topology)?),
            _ => None,
        };
        let rate_limiter = Arc::new(crate::http::RateLimiter::new(
            config.rate_limit_per_minute,
            shared_counters.clone(),
        ));
        let form_limiter = Arc::new(crate::http::RateLimiter::new(
            config.form_submissions_per_minute,
            shared_counters.clone(),
        ));
        let lockout = shared_counters.map_or_else(Lockout::default, Lockout::shared);
        let documents = Arc::new(crate::http::persisted::Documents::new(&config, redis)?);
        let files = rapport_core::files::Files::open(&config.files)?;
        tracing::debug!(store = %files.describe, "document files");
        let passwords =
            crate::auth::password::Passwords::new(config.max_concurrent_password_checks);
        let services = Services {
            core: Core {
                citus,
                ..Core::new(db, bus, metrics.clone(), files)
            },
            feed,
            directory,
            lockout: Arc::new(lockout),
            passwords: Arc::new(passwords),
            keys: TokenKeys::new(secret),
            config: Arc::new(config),
        };
        let state = Self {
            services,
            shutdown,
            websockets: TaskTracker::new(),
            trusted_proxies: Arc::new(trusted_proxies),
            rate_limiter,
            form_limiter,
            shared_subscriptions: Arc::new(crate::ws::Hub::new(metrics.clone())),
            subscription_slots,
            documents,
        };
        tokio::spawn(rapport_core::rules::triggers::sweep_periodically(
            state.core.clone(),
            state.config.clock.clone(),
            sweep_every,
            state.shutdown.clone(),
        ));
        Ok(state)
    }
}

/// `listener` with TCP_NODELAY on every connection it accepts. Without it, a
/// websocket message written while the previous one is not yet acknowledged
/// waits for the client's delayed ACK (up to 40 ms): events sent 2 ms apart
/// reached subscribers 18 ms late at the median.
fn without_delay(listener: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    listener.tap_io(set_nodelay)
}

fn set_nodelay(tcp: &mut TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY on a connection");
    }
}

/// Connections of the import runner's own pool: one job runs at a time.
const IMPORT_POOL_SIZE: u32 = 2;

/// This server's import job runner: it claims jobs under a name of its own.
/// Like webhook delivery it has a small pool of its own, so its polling
/// neither waits behind requests nor counts in `rapport_db_statements_total`.
async fn import_runner(state: &AppState) -> anyhow::Result<rapport_core::import::jobs::Runner> {
    let mut config = (*state.config).clone();
    config.db_pool_size = IMPORT_POOL_SIZE;
    let db = crate::db::connect(&config, Arc::new(Metrics::default())).await?;
    Ok(rapport_core::import::jobs::Runner {
        core: Core {
            db,
            ..state.core.clone()
        },
        me: format!("rapport-{}", uuid::Uuid::now_v7().simple()),
        every: Duration::from_millis(state.config.import_poll_ms.max(10)),
        lease: Duration::from_secs(state.config.import_lease_seconds.max(1)),
    })
}

/// Deletes outbox rows older than the retention and idempotency keys older
/// than a day, now and then every hour.
async fn prune_outbox(db: DatabaseConnection, retention_hours: u32, shutdown: CancellationToken) {
    let retention = chrono::Duration::hours(i64::from(retention_hours));
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let before = chrono::Utc::now() - retention;
        let pruned = across_workspaces(&db, async |txn| outbox::prune(txn, before).await).await;
        match pruned {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned old events from the outbox"),
            Err(error) => tracing::warn!(%error, "cannot prune the outbox"),
        }
        let pruned = across_workspaces(&db, async |txn| {
            crate::http::prune_idempotency_keys(txn).await
        });
        if let Err(error) = pruned.await {
            tracing::warn!(%error, "cannot prune idempotency keys");
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    use super::*;

    #[tokio::test]
    async fn accepted_connections_send_without_delay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let mut listener = without_delay(listener);
        let client = TcpStream::connect(address);
        let ((accepted, _), client) = tokio::join!(listener.accept(), client);
        client.expect("connected");
        assert!(accepted.nodelay().expect("the option is readable"));
    }
}
