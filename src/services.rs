//! What GraphQL resolvers share: the core, the event feed, credentials and
//! the configuration. The HTTP and websocket doors hold more (see
//! `state::AppState`); resolvers see only this, so nothing under `graphql`
//! depends on the doors or on how the server is assembled.

use std::sync::Arc;

use rapport_core::Core;
use rapport_core::events::{Feed, subscriber};

use crate::auth::lockout::Lockout;
use crate::auth::password::Passwords;
use crate::auth::{Directory, Refused, TokenError, TokenKeys};
use crate::config::Config;

/// The shared pieces every resolver and door reads.
#[derive(Clone)]
pub struct Services {
    /// The CRM itself: database, event bus, counters and numbering queue.
    /// `Services` dereferences to it, so `services.db` is the core's pool.
    pub core: Core,
    /// This process's ordered stream of events, which subscriptions read.
    pub feed: Arc<Feed>,
    /// The members and API keys behind credentials, cached.
    pub directory: Arc<Directory>,
    /// Failed logins per account and client address.
    pub lockout: Arc<Lockout>,
    /// Argon2 hashing, a bounded number at once.
    pub passwords: Arc<Passwords>,
    /// Signs and verifies bearer tokens.
    pub keys: TokenKeys,
    /// The configuration the server started with.
    pub config: Arc<Config>,
}

/// Resolvers and doors reach the core's pieces as fields of what they hold.
impl std::ops::Deref for Services {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.core
    }
}

impl Services {
    /// The actor behind a credential: `Bearer <token>`, `Bearer rpk_…` (an
    /// API key), or either without the `Bearer ` prefix; or why it stands
    /// for no one (invalid, expired, revoked, deactivated…, also logged). An
    /// error when the database could not be asked (a credential not in the
    /// cache during an outage): that is `UNAVAILABLE`, not a refusal.
    pub async fn authenticate(
        &self,
        credential: &str,
    ) -> Result<Result<crate::auth::Actor, Refused>, sea_orm::DbErr> {
        let credential = credential
            .strip_prefix("Bearer ")
            .or_else(|| credential.strip_prefix("bearer "))
            .unwrap_or(credential)
            .trim();
        let actor = if credential.starts_with(crate::auth::directory::KEY_PREFIX) {
            self.directory.actor_for_key(credential).await?
        } else {
            match self.keys.verify(credential) {
                Ok(claims) => {
                    self.directory
                        .actor_for_member(claims.sub, claims.ws)
                        .await?
                }
                Err(TokenError::Expired) => Err(Refused::TokenExpired),
                Err(reason) => {
                    tracing::info!(%reason, "refused bearer token");
                    Err(Refused::InvalidToken)
                }
            }
        };
        if let Err(refused) = actor {
            tracing::info!(reason = refused.reason(), "refused credential");
        }
        Ok(actor)
    }

    /// What a subscription stream reads from.
    pub fn event_source(&self) -> subscriber::Source {
        subscriber::Source {
            db: self.db.clone(),
            feed: self.feed.clone(),
            metrics: self.metrics.clone(),
        }
    }

    /// A bearer token for `actor`, valid for the configured lifetime.
    pub fn issue_token(&self, actor: &crate::auth::Actor) -> String {
        self.keys.issue(
            actor,
            chrono::Duration::hours(i64::from(self.config.token_ttl_hours)),
        )
    }
}
