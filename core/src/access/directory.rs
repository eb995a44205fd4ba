//! Who may act now: the members and API keys behind tokens, cached.
//!
//! A token proves who signed it in, not that they still may: an ADMIN can
//! deactivate a member, change their role or revoke a key, and the very next
//! request must see it. Reading the member on every request would cost a
//! statement each, so entries are cached and dropped whenever a member or
//! key changes: at once in the process that made the change, through the
//! event bus in the others, wholesale when the bus reconnects (it may have
//! lost a message) and every [`FORGET_EVERY`] as a last bound on staleness.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use entity::{api_key, member};
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Set};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Actor, Refused};
use crate::events::{Bus, BusMessage};

/// The longest a cached entry lives without being confirmed.
const FORGET_EVERY: Duration = Duration::from_secs(30);
/// Member events after which the member's websockets check their credential
/// again, on every instance (the instance that made the change does so at once).
const REVOKING: [&str; 2] = ["member.deactivated", "member.role_changed"];
/// How often a key's last use is written (per key, at most).
const LAST_USE_EVERY: chrono::Duration = chrono::Duration::minutes(1);
/// API keys start with this, so they are told from tokens at a glance.
pub const KEY_PREFIX: &str = "rpk_";

/// A credential that may have stopped working or changed role (a
/// deactivation, a role change, a revoked key): websockets using it check it
/// again and close (4403) unless it still stands for the same actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Member(Uuid),
    ApiKey(Uuid),
}

#[derive(Clone)]
struct MemberEntry {
    workspace_id: Uuid,
    role: entity::enums::Role,
    active: bool,
}

#[derive(Clone)]
struct KeyEntry {
    key: api_key::Model,
    last_use_written: Option<chrono::DateTime<Utc>>,
}

pub struct Directory {
    db: DatabaseConnection,
    members: RwLock<HashMap<Uuid, MemberEntry>>,
    keys: RwLock<HashMap<String, KeyEntry>>,
    revoked: broadcast::Sender<Revoked>,
    /// How many revocations were sent: a websocket about to deliver a result
    /// checks its credential again when this moved, so a result never goes
    /// out under a role the revocation (not yet read) took away.
    revisions: AtomicU64,
    /// Bumped under the cache's write lock each time entries are forgotten:
    /// a lookup that read the database before a forget (a deactivation
    /// committing meanwhile) must not put its stale row back afterwards.
    forgets: AtomicU64,
}

impl Directory {
    /// A directory reading `db`, kept current by the events on `bus`.
    pub fn start(db: DatabaseConnection, bus: &dyn Bus, shutdown: CancellationToken) -> Arc<Self> {
        let directory = Arc::new(Self {
            db,
            members: RwLock::default(),
            keys: RwLock::default(),
            revoked: broadcast::channel(256).0,
            revisions: AtomicU64::new(0),
            forgets: AtomicU64::new(0),
        });
        tokio::spawn(listen(directory.clone(), bus.subscribe(), shutdown));
        directory
    }

    /// Credentials revoked from now on.
    pub fn revocations(&self) -> broadcast::Receiver<Revoked> {
        self.revoked.subscribe()
    }

    /// The number of revocations so far (see [`Self::revocations`]).
    pub fn revision(&self) -> u64 {
        self.revisions.load(Ordering::Acquire)
    }

    fn revoke(&self, revoked: Revoked) {
        self.revisions.fetch_add(1, Ordering::AcqRel);
        let _ = self.revoked.send(revoked);
    }

    /// The actor member `member_id` of `workspace_id` stands for (the
    /// subject of a verified token): the member's current role, or why not
    /// (the member is gone, moved workspace or was deactivated); an error
    /// when the database could not be asked.
    pub async fn actor_for_member(
        &self,
        member_id: Uuid,
        workspace_id: Uuid,
    ) -> Result<Result<Actor, Refused>, DbErr> {
        let cached = self.read_members().get(&member_id).cloned();
        let entry = match cached {
            Some(entry) => entry,
            None => {
                let seen = self.forgets.load(Ordering::Acquire);
                let row = member::Entity::find_by_id(member_id)
                    .one(&self.db)
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "member lookup failed"))?;
                let Some(row) = row else {
                    return Ok(Err(Refused::NotAMember));
                };
                let entry = MemberEntry {
                    workspace_id: row.workspace_id,
                    role: row.role,
                    active: row.deactivated_at.is_none(),
                };
                let mut members = self.write_members();
                if self.forgets.load(Ordering::Acquire) == seen {
                    members.insert(row.id, entry.clone());
                }
                entry
            }
        };
        Ok(if entry.workspace_id != workspace_id {
            Err(Refused::NotAMember)
        } else if !entry.active {
            Err(Refused::MemberDeactivated)
        } else {
            Ok(Actor::member(entry.workspace_id, member_id, entry.role))
        })
    }

    /// The actor an API key stands for, with the lesser of the key's role
    /// and its creator's current one (a key never outranks its creator); or
    /// why not: an unknown or wrong key, a revoked one (said only when the
    /// secret matches), one whose creator was deactivated, or one whose role
    /// and its creator's have no lesser role.
    pub async fn actor_for_key(&self, presented: &str) -> Result<Result<Actor, Refused>, DbErr> {
        let Some(prefix) = key_prefix(presented) else {
            return Ok(Err(Refused::InvalidApiKey));
        };
        let cached = self.read_keys().get(prefix).cloned();
        let mut entry = match cached {
            Some(entry) => entry,
            None => {
                use sea_orm::{ColumnTrait, QueryFilter};
                let seen = self.forgets.load(Ordering::Acquire);
                let key = api_key::Entity::find()
                    .filter(api_key::Column::Prefix.eq(prefix))
                    .one(&self.db)
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "API key lookup failed"))?;
                let Some(key) = key else {
                    return Ok(Err(Refused::InvalidApiKey));
                };
                let entry = KeyEntry {
                    last_use_written: key.last_used_at,
                    key,
                };
                let mut keys = self.write_keys();
                if self.forgets.load(Ordering::Acquire) == seen {
                    keys.insert(prefix.to_owned(), entry.clone());
                }
                entry
            }
        };
        let matches = constant_time_eq(&hash_secret(presented), &entry.key.secret_hash);
        if !matches {
            return Ok(Err(Refused::InvalidApiKey));
        }
        if entry.key.revoked_at.is_some() {
            return Ok(Err(Refused::ApiKeyRevoked));
        }
        // The creator's current role, from the member cache: a role change
        // or deactivation drops that entry at once, here and, through the
        // bus, on every instance, so keys follow without caching it twice.
        let creator = match self
            .actor_for_member(entry.key.created_by, entry.key.workspace_id)
            .await?
        {
            Ok(creator) => creator,
            Err(Refused::MemberDeactivated) => return Ok(Err(Refused::ApiKeyCreatorDeactivated)),
            Err(_) => return Ok(Err(Refused::InvalidApiKey)),
        };
        let Some(role) = super::lesser_role(entry.key.role, creator.role) else {
            return Ok(Err(Refused::ApiKeyRoleUnusable));
        };
        self.note_use(&mut entry).await;
        Ok(Ok(Actor {
            workspace_id: entry.key.workspace_id,
            member_id: entry.key.created_by,
            role,
            api_key_id: Some(entry.key.id),
        }))
    }

    /// Records that the key was used, at most once a minute.
    async fn note_use(&self, entry: &mut KeyEntry) {
        let now = Utc::now();
        if entry
            .last_use_written
            .is_some_and(|at| now - at < LAST_USE_EVERY)
        {
            return;
        }
        let change = api_key::ActiveModel {
            id: Set(entry.key.id),
            last_used_at: Set(Some(now)),
            ..Default::default()
        };
        if let Err(error) = change.update(&self.db).await {
            tracing::warn!(%error, "cannot record an API key's use");
            return;
        }
        entry.last_use_written = Some(now);
        if let Some(cached) = self.write_keys().get_mut(&entry.key.prefix) {
            cached.last_use_written = Some(now);
        }
    }

    /// Drops what is cached about a member (after any change to it);
    /// `revoked` when their websockets must check their credential again
    /// (a deactivation or a role change).
    pub fn forget_member(&self, id: Uuid, revoked: bool) {
        {
            let mut members = self.write_members();
            members.remove(&id);
            self.forgets.fetch_add(1, Ordering::AcqRel);
        }
        if revoked {
            self.revoke(Revoked::Member(id));
        }
    }

    /// Drops what is cached about a key (after any change to it).
    pub fn forget_key(&self, id: Uuid, revoked: bool) {
        {
            let mut keys = self.write_keys();
            keys.retain(|_, entry| entry.key.id != id);
            self.forgets.fetch_add(1, Ordering::AcqRel);
        }
        if revoked {
            self.revoke(Revoked::ApiKey(id));
        }
    }

    fn forget_all(&self) {
        let mut members = self.write_members();
        let mut keys = self.write_keys();
        members.clear();
        keys.clear();
        self.forgets.fetch_add(1, Ordering::AcqRel);
    }

    fn read_members(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Uuid, MemberEntry>> {
        self.members
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_members(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Uuid, MemberEntry>> {
        self.members
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read_keys(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, KeyEntry>> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_keys(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, KeyEntry>> {
        self.keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Follows member and key events from every instance.
async fn listen(
    directory: Arc<Directory>,
    mut bus: broadcast::Receiver<BusMessage>,
    shutdown: CancellationToken,
) {
    let mut forget = tokio::time::interval(FORGET_EVERY);
    loop {
        tokio::select! {
            message = bus.recv() => match message {
                Ok(BusMessage::Event(e)) => match e.record_type.as_str() {
                    "Member" => directory.forget_member(e.record_id, REVOKING.contains(&e.kind.as_str())),
                    "ApiKey" => directory.forget_key(e.record_id, e.kind == "api_key.revoked"),
                    _ => {}
                },
                Ok(BusMessage::Resync) | Err(RecvError::Lagged(_)) => {
                    // A revocation may be among what was missed: websockets
                    // check their credential before their next result.
                    directory.forget_all();
                    directory.revisions.fetch_add(1, Ordering::AcqRel);
                }
                Err(RecvError::Closed) => return,
            },
            _ = forget.tick() => directory.forget_all(),
            () = shutdown.cancelled() => return,
        }
    }
}

/// The lookup part of a presented key: `rpk_` and the 8 characters after it.
pub fn key_prefix(presented: &str) -> Option<&str> {
    presented.starts_with(KEY_PREFIX).then_some(())?;
    presented.get(..KEY_PREFIX.len() + 8)
}

/// Hex SHA-256 of a key or invitation code. These are 256-bit random
/// secrets, not passwords: a fast hash is enough.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random secret: `prefix` then 43 base64url characters (256 bits).
pub fn new_secret(prefix: &str) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_their_prefix_and_checked_by_hash() {
        let key = new_secret(KEY_PREFIX);
        assert!(key.len() > 40);
        let prefix = key_prefix(&key).unwrap();
        assert_eq!(prefix.len(), 12);
        assert!(key.starts_with(prefix));
        assert_eq!(key_prefix("eyJhbGciOi"), None);
        assert!(constant_time_eq(&hash_secret(&key), &hash_secret(&key)));
        assert!(!constant_time_eq(
            &hash_secret(&key),
            &hash_secret("rpk_other")
        ));
    }
}
