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
use entity::api_key;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::entry::MemberEntry;
use super::secrets::constant_time_eq;
pub use super::secrets::{KEY_PREFIX, hash_secret, key_prefix, new_secret};
use super::{Actor, Refused};
use crate::events::{Bus, BusMessage};
use crate::store::key_directory::{self, KeyKind};
use crate::store::update_in_workspace;

/// The longest a cached entry lives without being confirmed.
const FORGET_EVERY: Duration = Duration::from_secs(30);
/// Member events after which the member's websockets check their credential
/// again, on every instance (the instance that made the change does so at once).
const REVOKING: [&str; 2] = ["member.deactivated", "member.role_changed"];
/// The member event after which every member's entry is dropped (their
/// teammates changed).
pub const TEAM_CHANGED: &str = "member.team_changed";
/// How often a key's last use is written (per key, at most).
const LAST_USE_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// A credential that may have stopped working or changed role (a
/// deactivation, a role change, a revoked key): websockets using it check it
/// again and close (4403) unless it still stands for the same actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Member(Uuid),
    ApiKey(Uuid),
    /// Every credential of the workspace: its teams or what a role reads
    /// changed, which may change what any member reads.
    Workspace(Uuid),
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
        Ok(self
            .member_entry(member_id, workspace_id)
            .await?
            .map(|entry| Actor {
                workspace_id,
                member_id,
                role: entry.role,
                api_key_id: None,
                sight: entry.sight(member_id, entry.role),
            }))
    }

    /// The cached entry of member `member_id` of `workspace_id`, read on a
    /// miss (the member, the workspace's visibility and, when it narrows a
    /// role to `TEAM`, the member's teammates); or why it may not act.
    async fn member_entry(
        &self,
        member_id: Uuid,
        workspace_id: Uuid,
    ) -> Result<Result<MemberEntry, Refused>, DbErr> {
        let cached = self.read_members().get(&member_id).cloned();
        let entry = match cached {
            Some(entry) => entry,
            None => {
                let seen = self.forgets.load(Ordering::Acquire);
                let Some(entry) = MemberEntry::read(&self.db, member_id, workspace_id)
                    .await
                    .inspect_err(|error| tracing::warn!(%error, "member lookup failed"))?
                else {
                    return Ok(Err(Refused::NotAMember));
                };
                let mut members = self.write_members();
                if self.forgets.load(Ordering::Acquire) == seen {
                    members.insert(member_id, entry.clone());
                }
                entry
            }
        };
        Ok(if entry.workspace_id != workspace_id {
            Err(Refused::NotAMember)
        } else if !entry.active {
            Err(Refused::MemberDeactivated)
        } else {
            Ok(entry)
        })
    }

    /// The actor an API key stands for, with the lesser of the key's role
    /// and its creator's current one (a key never outranks its creator); or
    /// why not: an unknown or wrong key, a revoked one (said only when the
    /// secret matches), one whose creator was deactivated, or one whose role
    /// and its creator's have no lesser role.
    /// The API key with `prefix`, read on the node of its workspace.
    async fn key_with_prefix(&self, prefix: &str) -> Result<Option<api_key::Model>, DbErr> {
        let Some(workspace_id) =
            key_directory::workspace_of(&self.db, KeyKind::ApiKey, prefix).await?
        else {
            return Ok(None);
        };
        api_key::Entity::find()
            .filter(api_key::Column::WorkspaceId.eq(workspace_id))
            .filter(api_key::Column::Prefix.eq(prefix))
            .one(&self.db)
            .await
    }

    pub async fn actor_for_key(&self, presented: &str) -> Result<Result<Actor, Refused>, DbErr> {
        let Some(prefix) = key_prefix(presented) else {
            return Ok(Err(Refused::InvalidApiKey));
        };
        let cached = self.read_keys().get(prefix).cloned();
        let mut entry = match cached {
            Some(entry) => entry,
            None => {
                let seen = self.forgets.load(Ordering::Acquire);
                // The key is all a request sends: its workspace comes from
                // the key directory; the entry is cached afterwards.
                let key = self
                    .key_with_prefix(prefix)
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
            .member_entry(entry.key.created_by, entry.key.workspace_id)
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
        // The key reads what its creator would with the key's role.
        let sight = creator.sight(entry.key.created_by, role);
        Ok(Ok(Actor {
            workspace_id: entry.key.workspace_id,
            member_id: entry.key.created_by,
            role,
            api_key_id: Some(entry.key.id),
            sight,
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
        let (workspace, id) = (entry.key.workspace_id, entry.key.id);
        let written = update_in_workspace::<api_key::Entity>(&self.db, workspace, id, change);
        if let Err(error) = written.await {
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

    /// Drops every entry, and makes every websocket of `workspace_id`
    /// check its credential at once: after a change of its teams or of what
    /// a role reads, which changes what members read (a websocket whose
    /// reader now reads otherwise closes, like one whose role changed).
    pub fn forget_workspace(&self, workspace_id: Uuid) {
        self.forget_all();
        self.revoke(Revoked::Workspace(workspace_id));
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
                    "Member" if e.kind == TEAM_CHANGED => directory.forget_workspace(e.workspace_id),
                    "Member" => directory.forget_member(e.record_id, REVOKING.contains(&e.kind.as_str())),
                    "ApiKey" => directory.forget_key(e.record_id, e.kind == "api_key.revoked"),
                    // Teams and the workspace's visibility decide what every
                    // member reads: a change drops every entry.
                    "Team" | "Workspace" => directory.forget_workspace(e.workspace_id),
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
