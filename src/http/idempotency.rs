//! `Idempotency-Key`: a retried POST replays the first response instead of
//! running again. Keys are scoped to the actor; the same key with another
//! request body is refused.
//!
//! The key's row is written in the transaction of the request's first
//! committed write (the core's `store::claim`), so it exists exactly when a write of
//! the request committed:
//! - no row: nothing was written (the request failed, timed out before its
//!   commit, or the process died): the retry runs;
//! - a row with a response: the retry gets that response (unless the
//!   sender's role changed since, see [`role_changed`]);
//! - a row without a response: the write committed and its request is still
//!   finishing, or stopped before its response was stored; the retry waits
//!   for it up to the request time limit, then answers
//!   `IDEMPOTENCY_RESPONSE_LOST`: the write happened, read the records.
//!
//! Duplicates sent at the same time race to commit; the loser rolls back and
//! answers with the winner's response. Keys are kept 24 hours.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::answer::{Outcome, refused};
use crate::auth::Actor;
use crate::state::AppState;
use rapport_core::store::claim::{Claim, Progress};

/// How long a stored response is replayed.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);
/// How often a duplicate checks whether the first request finished.
const POLL: Duration = Duration::from_millis(25);

/// What to do with a request carrying a key.
pub enum Lookup {
    /// Nothing committed under this key yet: run the request in the claim's
    /// scope, then [`finish`].
    Run(Arc<Claim>),
    /// A retry: answer what the first answered.
    Replay(Outcome),
    /// Refused (key reused for another request, role changed, or the
    /// response of the committed write was lost).
    Refused(Outcome),
}

/// The key, if it is 1 to 255 visible ASCII characters.
pub fn parse_key(value: &HeaderValue) -> Result<&str, &'static str> {
    let key = value
        .to_str()
        .map_err(|_| "Idempotency-Key must be visible ASCII")?;
    let valid = !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(key)
    } else {
        Err("Idempotency-Key must be 1 to 255 visible ASCII characters")
    }
}

/// Finds what became of `key`'s earlier uses, or a fresh claim to run with.
pub async fn lookup(state: &AppState, actor: &Actor, key: &str, body: &[u8]) -> Lookup {
    let hash: String = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let claim = Claim::new(
        actor.workspace_id,
        sender(actor),
        key.to_owned(),
        hash,
        role_name(actor),
    );
    match find(state, &claim).await {
        Ok(None) => Lookup::Run(claim),
        Ok(Some(_)) => settled(state, &claim).await,
        Err(outcome) => Lookup::Refused(outcome),
    }
}

/// The answer to a request that ran with `claim`, and whether it is a
/// replay: its own outcome, stored for retries when one of its writes
/// committed; or, when another request with the key committed first, that
/// request's answer.
pub async fn finish(state: &AppState, claim: &Claim, outcome: Outcome) -> (Outcome, bool) {
    match claim.progress() {
        Progress::Committed(id) if outcome.status == StatusCode::SERVICE_UNAVAILABLE => {
            // Timed out (or lost the database) after the write committed:
            // that answer is not the write's outcome, so it is not replayed.
            record(state, claim.workspace_id, id, &lost()).await;
            let answer = refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                "the request's write committed, but its response could not be completed in time: read the records it changed",
            );
            (answer, false)
        }
        Progress::Committed(id) => {
            record(state, claim.workspace_id, id, &outcome).await;
            (outcome, false)
        }
        Progress::Lost => match settled(state, claim).await {
            Lookup::Replay(first) => (first, true),
            Lookup::Refused(refusal) => (refusal, false),
            Lookup::Run(_) => (internal(), false),
        },
        // Nothing committed (or the commit never confirmed, after a timeout:
        // then the row exists only if it did commit, and a retry finds it).
        Progress::Open | Progress::Staked(_) => (outcome, false),
    }
}

/// The answer for a key whose row exists (or is about to, for a request
/// that lost the race): the stored response once there is one.
async fn settled(state: &AppState, claim: &Claim) -> Lookup {
    let patience = Duration::from_millis(state.config.request_timeout_ms) + Duration::from_secs(1);
    let started = tokio::time::Instant::now();
    loop {
        let first = match find(state, claim).await {
            Ok(Some(first)) => first,
            // The winner's row is committed before the loser can see its own
            // insert fail, so a missing row is a fault, not a race.
            Ok(None) => return Lookup::Refused(internal()),
            Err(outcome) => return Lookup::Refused(outcome),
        };
        if first.request_hash != claim.request_hash {
            return Lookup::Refused(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used for another request",
            ));
        }
        if let (Some(status), Some(body)) = (first.status, first.response) {
            if role_changed(first.role.as_deref(), &claim.role) {
                return Lookup::Refused(refused(
                    StatusCode::CONFLICT,
                    "IDEMPOTENCY_ROLE_CHANGED",
                    "the request with this Idempotency-Key ran under another role, so its response is not replayed: read the records it changed",
                ));
            }
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            return Lookup::Replay(Outcome { status, body });
        }
        // The row is written at the commit, inside the first request's time
        // limit: past that limit from the commit, no response is coming.
        let age = (Utc::now() - first.created_at).to_std().unwrap_or_default();
        if age >= patience || started.elapsed() >= patience {
            return Lookup::Refused(lost());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether a response recorded under `recorded` must not be replayed to a
/// sender now acting as `current`: any change of role (a demotion would
/// replay fields the sender may no longer read; after a promotion the
/// stored answer would be missing what the sender may read now).
fn role_changed(recorded: Option<&str>, current: &str) -> bool {
    recorded.is_some_and(|recorded| recorded != current)
}

async fn find(state: &AppState, claim: &Claim) -> Result<Option<idempotency_key::Model>, Outcome> {
    idempotency_key::Entity::find()
        .filter(idempotency_key::Column::WorkspaceId.eq(claim.workspace_id))
        .filter(idempotency_key::Column::Actor.eq(&claim.actor))
        .filter(idempotency_key::Column::Key.eq(&claim.key))
        .one(&state.db)
        .await
        .map_err(|error| {
            tracing::error!(%error, "idempotency key unreadable");
            super::answer::unavailable_or(&error, internal)
        })
}

/// Stores the outcome of the request whose write committed row `id`.
/// By workspace and id: on Citus the one shard holding the row.
async fn record(state: &AppState, workspace_id: Uuid, id: Uuid, outcome: &Outcome) {
    let change = idempotency_key::ActiveModel {
        status: Set(Some(i32::from(outcome.status.as_u16()))),
        response: Set(Some(outcome.body.clone())),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    let stored = idempotency_key::Entity::update_many()
        .set(change)
        .filter(idempotency_key::Column::WorkspaceId.eq(workspace_id))
        .filter(idempotency_key::Column::Id.eq(id))
        .exec(&state.db)
        .await;
    if let Err(error) = stored {
        tracing::error!(%error, "idempotent response not stored; retries will get IDEMPOTENCY_RESPONSE_LOST");
    }
}

/// `member:<uuid>`, or `key:<uuid>` for an API key: whose keys these are.
fn sender(actor: &Actor) -> String {
    match actor.api_key_id {
        Some(id) => format!("key:{id}"),
        None => format!("member:{}", actor.member_id),
    }
}

fn role_name(actor: &Actor) -> String {
    sea_orm::ActiveEnum::to_value(&actor.role)
}

fn lost() -> Outcome {
    refused(
        StatusCode::CONFLICT,
        "IDEMPOTENCY_RESPONSE_LOST",
        "the request with this Idempotency-Key committed its write, but its response was not recorded (it timed out, or its server stopped): read the records it changed",
    )
}

/// Deletes stored responses past the retention; returns how many went.
pub async fn prune<C: sea_orm::ConnectionTrait>(db: &C) -> Result<u64, sea_orm::DbErr> {
    let result = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(Utc::now() - RETENTION))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

fn internal() -> Outcome {
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "the Idempotency-Key could not be checked",
    )
}
