//! Builds the server: state, schema, router and listener. `main` and the
//! integration tests start the same [`App`].

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::{TokenKeys, load_or_create_secret};
use crate::config::Config;
use crate::events::{Bus, LocalBus};
use crate::graphql::{self, RapportSchema};
use crate::metrics::Metrics;
use crate::{db, http};

/// Events a slow subscriber may fall behind before it must catch up from the outbox.
const BUS_CAPACITY: usize = 4096;

/// What every request handler and resolver shares.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Where committed events are published.
    pub bus: Arc<dyn Bus>,
    /// Process counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Signs and verifies bearer tokens.
    pub keys: TokenKeys,
    /// The configuration the server started with.
    pub config: Arc<Config>,
}

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
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let state = AppState::connect(config).await?;
        let schema = graphql::build(Some(state.clone()));
        let router = http::router(state.clone(), schema.clone());
        let listener = TcpListener::bind(state.config.bind).await?;
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

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

impl AppState {
    /// Connects, migrates and loads the secret, without binding a port.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        let secret = load_or_create_secret(&config)?;
        let metrics = Arc::new(Metrics::default());
        let db = db::connect(&config.database_url, config.db_pool_size, metrics.clone()).await?;
        db::migrate(&db).await?;
        Ok(Self {
            db,
            bus: Arc::new(LocalBus::new(BUS_CAPACITY)),
            metrics,
            keys: TokenKeys::new(secret),
            config: Arc::new(config),
        })
    }

    /// A bearer token for `actor`, valid for the configured lifetime.
    pub fn issue_token(&self, actor: &crate::auth::Actor) -> String {
        self.keys.issue(
            actor,
            chrono::Duration::hours(i64::from(self.config.token_ttl_hours)),
        )
    }
}
