//! API keys for programs (ADMIN): shown once at creation, stored as a
//! SHA-256 with a visible prefix, scoped to the workspace and a role,
//! revocable. A key never outranks its creator: it acts with the lesser of
//! its role and the creator's current one (see
//! [`Directory::actor_for_key`](crate::access::Directory::actor_for_key)).

use entity::api_key;
use entity::enums::Role;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use crate::access::directory::{KEY_PREFIX, hash_secret, key_prefix, new_secret};
use crate::access::{Actor, Area, Directory};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::key_directory::{self, KeyKind};
use crate::store::{Author, Core, event_for, load_any, now, update_in_workspace};

/// A new key.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// What the key is for, e.g. "Website signup form".
    pub name: String,
    pub role: Role,
}

/// A created key and its secret.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    pub api_key: api_key::Model,
    /// The key itself, shown this once: only its hash is kept.
    pub key: String,
}

/// Creates an API key acting for the actor (ADMIN).
pub async fn create(core: &Core, actor: &Actor, new: NewApiKey) -> CoreResult<CreatedKey> {
    actor.require(Area::Members)?;
    let name = text::required_name(&new.name, 200).map_err(CoreError::invalid("input.name"))?;
    let key = new_secret(KEY_PREFIX);
    let prefix = key_prefix(&key)
        .ok_or_else(|| CoreError::Internal("generated key too short".into()))?
        .to_owned();
    let txn = core.begin().await?;
    key_directory::enter(&txn, KeyKind::ApiKey, &prefix, actor.workspace_id).await?;
    let at = now();
    let row = api_key::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        prefix: Set(prefix),
        secret_hash: Set(hash_secret(&key)),
        role: Set(new.role),
        created_by: Set(actor.member_id),
        last_used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let event = event_for::<api_key::Entity>(&row, "created")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(CreatedKey { api_key: row, key })
}

/// Revokes API key `id` (ADMIN): refused from its next request on, and its
/// websockets close. Revoking a revoked key changes nothing.
pub async fn revoke(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
) -> CoreResult<api_key::Model> {
    actor.require(Area::Members)?;
    let txn = core.begin().await?;
    let current = load_any::<api_key::Entity>(&txn, actor, id).await?;
    if current.revoked_at.is_some() {
        return Ok(current);
    }
    let at = now();
    let change = api_key::ActiveModel {
        id: Set(id),
        revoked_at: Set(Some(at)),
        updated_at: Set(at),
        ..Default::default()
    };
    let row = update_in_workspace::<api_key::Entity>(&txn, actor.workspace_id, id, change).await?;
    let event = event_for::<api_key::Entity>(&row, "revoked")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    directory.forget_key(id, true);
    Ok(row)
}
