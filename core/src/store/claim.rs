//! The `Idempotency-Key` claim a request's writes commit with.
//!
//! A request sent with a key runs inside [`scope`]. Its first transaction to
//! commit also inserts the key's row ([`stake`], called by the one commit
//! path in `write`), so the row exists exactly when a write of the request
//! committed: a request that died, timed out or failed before committing
//! left nothing behind, and its retry simply runs. Two requests with the
//! same key racing to commit meet on the row's unique index; the second
//! fails, rolls back, and then replays the first's response.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::Utc;
use entity::idempotency_key;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set, SqlErr};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

/// Who claims which key for which request.
#[derive(Debug)]
pub struct Claim {
    pub workspace_id: Uuid,
    /// `member:<uuid>` or `key:<uuid>`.
    pub actor: String,
    pub key: String,
    /// Hex SHA-256 of the request body.
    pub request_hash: String,
    /// The sender's role while the request runs.
    pub role: String,
    progress: Mutex<Progress>,
}

/// Where the claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// No write has committed yet.
    Open,
    /// The row is written in a transaction that has not confirmed its commit.
    Staked(Uuid),
    /// A write committed with the row.
    Committed(Uuid),
    /// Another request with the key committed first; this one wrote nothing.
    Lost,
}

impl Claim {
    pub fn new(
        workspace_id: Uuid,
        actor: String,
        key: String,
        request_hash: String,
        role: String,
    ) -> Arc<Self> {
        Arc::new(Self {
            workspace_id,
            actor,
            key,
            request_hash,
            role,
            progress: Mutex::new(Progress::Open),
        })
    }

    pub fn progress(&self) -> Progress {
        *self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, progress: Progress) {
        *self.progress.lock().unwrap_or_else(PoisonError::into_inner) = progress;
    }
}

tokio::task_local! {
    static CURRENT: Arc<Claim>;
}

/// Runs `work` (the request's execution) with `claim` for its writes.
pub async fn scope<F: Future>(claim: Arc<Claim>, work: F) -> F::Output {
    CURRENT.scope(claim, work).await
}

/// Whether the running request carries a key (its writes must run in a
/// transaction, to hold the claim).
pub fn in_scope() -> bool {
    CURRENT.try_with(|_| ()).is_ok()
}

/// Writes the key's row in `txn` unless an earlier transaction of this
/// request committed it. Returns the row to confirm with [`committed`] once
/// `txn` has committed. A key already committed by another request fails
/// the write with `CONFLICT` (and `txn` rolls back when dropped).
pub async fn stake(txn: &DatabaseTransaction) -> CoreResult<Option<Uuid>> {
    let Ok(claim) = CURRENT.try_with(Arc::clone) else {
        return Ok(None);
    };
    if matches!(claim.progress(), Progress::Committed(_) | Progress::Lost) {
        return Ok(None);
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    let row = idempotency_key::ActiveModel {
        id: Set(id),
        workspace_id: Set(claim.workspace_id),
        actor: Set(claim.actor.clone()),
        key: Set(claim.key.clone()),
        request_hash: Set(claim.request_hash.clone()),
        status: Set(None),
        response: Set(None),
        role: Set(Some(claim.role.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match row.insert(txn).await {
        Ok(_) => {
            claim.set(Progress::Staked(id));
            Ok(Some(id))
        }
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            claim.set(Progress::Lost);
            Err(CoreError::Conflict(
                "another request with this Idempotency-Key committed first".into(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Confirms that the transaction holding `staked` committed.
pub fn committed(staked: Option<Uuid>) {
    let Some(id) = staked else { return };
    let _ = CURRENT.try_with(|claim| claim.set(Progress::Committed(id)));
}
