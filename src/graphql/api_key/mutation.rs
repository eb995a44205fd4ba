//! API key mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::Role;
use rapport_core::ops::api_key::{self, NewApiKey};

use super::ApiKey;
use crate::auth::Area;
use crate::graphql::context::{acting, state};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// A new API key (ADMIN only).
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// What the key is for, e.g. "Website signup form".
    pub name: String,
    /// What the key may do (as a member of this role).
    pub role: Role,
}

/// The result of creating an API key: the key and its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The ApiKey as the mutation left it.
    pub api_key: ApiKey,
    /// The key itself. Shown this once: only its hash is kept.
    pub key: String,
}

/// The result of revoking an API key.
#[derive(SimpleObject)]
pub struct ApiKeyPayload {
    /// The ApiKey as the mutation left it.
    pub api_key: ApiKey,
}

#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Creates an API key (ADMIN). The key is in the payload, once.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateApiKeyInput,
    ) -> ApiResult<CreateApiKeyPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let new = NewApiKey {
            name: input.name,
            role: input.role,
        };
        let created = api_key::create(core, actor, new).await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(Level::single(created.api_key)),
            key: created.key,
        })
    }

    /// Revokes an API key (ADMIN): refused from its next request on, and
    /// its websockets close.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
    ) -> ApiResult<ApiKeyPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::ApiKey, "id")?;
        let directory = &state(ctx)?.directory;
        let row = api_key::revoke(core, actor, directory, id).await?;
        Ok(ApiKeyPayload {
            api_key: ApiKey(Level::single(row)),
        })
    }
}
