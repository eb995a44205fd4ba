//! `Idempotency-Key`: a retried POST replays the first response instead of
//! running again. Keys are scoped to the actor; the same key with another
//! request body is refused; a duplicate arriving while the first still runs
//! waits for it and replays its response.
//!
//! The response is stored after the mutation's own transaction commits, not
//! inside it: if the process dies in between, the key stays "running" and a
//! retry answers CONFLICT (look, then use a new key) rather than risk
//! running the mutation twice. Keys are kept 24 hours.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::graphql::{Outcome, refused};
use crate::app::AppState;
use crate::auth::Actor;

/// How long a stored response is replayed.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);
/// How often a duplicate checks whether the first request finished.
const POLL: Duration = Duration::from_millis(25);

/// What to do with a request carrying a key.
pub enum Claim {
    /// The first of its key: run it, then [`record`] the outcome.
    Run(Uuid),
    /// A retry: answer what the first answered.
    Replay(Outcome),
    /// Refused (key reused for another request, or the first never finished).
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

/// Claims `key` for this request, or finds what became of its first use.
pub async fn claim(state: &AppState, actor: &Actor, key: &str, body: &[u8]) -> Claim {
    let who = match actor.api_key_id {
        Some(id) => format!("key:{id}"),
        None => format!("member:{}", actor.member_id),
    };
    let hash: String = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let now = Utc::now();
    let id = Uuid::now_v7();
    let row = idempotency_key::ActiveModel {
        id: Set(id),
        workspace_id: Set(actor.workspace_id),
        actor: Set(who.clone()),
        key: Set(key.to_owned()),
        request_hash: Set(hash.clone()),
        status: Set(None),
        response: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(&state.db).await {
        Ok(_) => return Claim::Run(id),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
        Err(error) => {
            tracing::error!(%error, "idempotency key not stored");
            return Claim::Refused(internal());
        }
    }
    let wait = Duration::from_millis(state.config.request_timeout_ms) + Duration::from_secs(1);
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let first = idempotency_key::Entity::find()
            .filter(idempotency_key::Column::WorkspaceId.eq(actor.workspace_id))
            .filter(idempotency_key::Column::Actor.eq(&who))
            .filter(idempotency_key::Column::Key.eq(key))
            .one(&state.db)
            .await;
        let first = match first {
            Ok(Some(first)) => first,
            Ok(None) => return Claim::Refused(internal()),
            Err(error) => {
                tracing::error!(%error, "idempotency key unreadable");
                return Claim::Refused(internal());
            }
        };
        if first.request_hash != hash {
            return Claim::Refused(refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "IDEMPOTENCY_KEY_REUSED",
                "this Idempotency-Key was used for another request",
            ));
        }
        if let (Some(status), Some(body)) = (first.status, first.response) {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            return Claim::Replay(Outcome { status, body });
        }
        if tokio::time::Instant::now() >= deadline {
            return Claim::Refused(refused(
                StatusCode::CONFLICT,
                "CONFLICT",
                "the first request with this Idempotency-Key has not finished: check its effect, then retry with a new key",
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Stores the outcome of the request that claimed row `id`.
pub async fn record(state: &AppState, id: Uuid, outcome: &Outcome) {
    let change = idempotency_key::ActiveModel {
        id: Set(id),
        status: Set(Some(i32::from(outcome.status.as_u16()))),
        response: Set(Some(outcome.body.clone())),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Err(error) = change.update(&state.db).await {
        tracing::error!(%error, "idempotent response not stored; retries will get CONFLICT");
    }
}

/// Deletes stored responses past the retention; returns how many went.
pub async fn prune(db: &sea_orm::DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
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
