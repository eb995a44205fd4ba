//! API keys for programs (ADMIN): shown once at creation, stored as a
//! SHA-256 with a visible prefix, scoped to the workspace and a role,
//! revocable, with their last use recorded. The rules are the core's
//! (`rapport_core::ops::api_key`).

mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::api_key;
use entity::enums::Role;
use rapport_macros::connections;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::context::{db, writer};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{self, Record};
use super::member::Member;
use crate::auth::Area;

pub use mutation::ApiKeyMutation;

/// A key a program authenticates with: `Authorization: Bearer rpk_…`.
pub struct ApiKey(pub Row<api_key::Model>);

impl Record for ApiKey {
    type Entity = api_key::Entity;
    type Model = api_key::Model;
    fn wrap(row: Row<api_key::Model>) -> Self {
        Self(row)
    }
}

/// A credential for programs: a bearer token acting with its own role in the workspace. The secret
/// is shown once, at creation.
#[connections]
#[Object]
impl ApiKey {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::ApiKey, self.0.model().id)
    }
    /// What the key is for, as its creator named it.
    field!(name: &str);
    /// The key's visible beginning, to tell keys apart.
    field!(prefix: &str);
    /// What the key may do (as a member of this role).
    field!(role: Role);
    /// The member who created it; the key acts on their behalf.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::find::<Member>(ctx, self.0.model().created_by).await
    }
    /// When it last authenticated a request (to the minute).
    field!(last_used_at: Option<DateTime<Utc>>);
    /// When it was revoked; a revoked key authenticates nothing. Null while it is valid.
    field!(revoked_at: Option<DateTime<Utc>>);
    /// When it was created.
    field!(created_at: DateTime<Utc>);
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
