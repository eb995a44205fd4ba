//! API keys for programs (ADMIN): shown once at creation, stored as a
//! SHA-256 with a visible prefix, scoped to the workspace and a role,
//! revocable, with their last use recorded.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::api_key;
use entity::enums::Role;
use rapport_core::error::CoreError;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::context::{db, state, writer};
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{self, Record};
use super::member::Member;
use super::write::{begin, commit, event_for, load_any, now};
use crate::auth::Area;
use crate::auth::directory::{KEY_PREFIX, hash_secret, key_prefix, new_secret};
use crate::domain::text;

/// A key a program authenticates with: `Authorization: Bearer rpk_…`.
pub struct ApiKey(pub Row<api_key::Model>);

impl Record for ApiKey {
    type Entity = api_key::Entity;
    type Model = api_key::Model;
    fn wrap(row: Row<api_key::Model>) -> Self {
        Self(row)
    }
}

#[Object]
impl ApiKey {
    async fn id(&self) -> ID {
        ids::encode(Kind::ApiKey, self.0.model().id)
    }
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// The key's visible beginning, to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.model().prefix
    }
    /// What the key may do (as a member of this role).
    async fn role(&self) -> Role {
        self.0.model().role
    }
    /// The member who created it; the key acts on their behalf.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::find::<Member>(ctx, self.0.model().created_by).await
    }
    /// When it last authenticated a request (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().revoked_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
}

#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// What the key is for, e.g. "Website signup form".
    pub name: String,
    pub role: Role,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The key itself. Shown this once: only its hash is kept.
    pub key: String,
}

#[derive(SimpleObject)]
pub struct ApiKeyPayload {
    pub api_key: ApiKey,
}

#[derive(Default)]
pub struct ApiKeyQuery;

#[Object]
impl ApiKeyQuery {
    /// The workspace's API keys, newest first (ADMIN).
    async fn api_keys(&self, ctx: &Context<'_>) -> ApiResult<Vec<ApiKey>> {
        let actor = writer(ctx, Area::Members)?;
        let rows = api_key::Entity::find()
            .filter(api_key::Column::WorkspaceId.eq(actor.workspace_id))
            .order_by_desc(api_key::Column::CreatedAt)
            .all(db(ctx)?)
            .await?;
        Ok(Level::new(rows).all().into_iter().map(ApiKey).collect())
    }
}

#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Creates an API key (ADMIN). The key is in the payload, once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> ApiResult<CreateApiKeyPayload> {
        let actor = writer(ctx, Area::Members)?;
        let name =
            text::required_name(&input.name, 200).map_err(ApiError::invalid("input.name"))?;
        let key = new_secret(KEY_PREFIX);
        let prefix = key_prefix(&key)
            .ok_or_else(|| CoreError::Internal("generated key too short".into()))?
            .to_owned();
        let txn = begin(ctx).await?;
        let at = now();
        let row = api_key::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            name: Set(name),
            prefix: Set(prefix),
            secret_hash: Set(hash_secret(&key)),
            role: Set(input.role),
            created_by: Set(actor.member_id),
            last_used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<ApiKey>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(Level::single(row)),
            key,
        })
    }

    /// Revokes an API key (ADMIN): refused from its next request on, and
    /// its websockets close.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> ApiResult<ApiKeyPayload> {
        let actor = writer(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::ApiKey, "id")?;
        let txn = begin(ctx).await?;
        let current = load_any::<ApiKey>(&txn, actor, id).await?;
        if current.revoked_at.is_some() {
            return Ok(ApiKeyPayload {
                api_key: ApiKey(Level::single(current)),
            });
        }
        let at = now();
        let row = api_key::ActiveModel {
            id: Set(id),
            revoked_at: Set(Some(at)),
            updated_at: Set(at),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let event = event_for::<ApiKey>(&row, "revoked")?;
        commit(ctx, txn, actor, vec![event]).await?;
        state(ctx)?.directory.forget_key(id, true);
        Ok(ApiKeyPayload {
            api_key: ApiKey(Level::single(row)),
        })
    }
}
