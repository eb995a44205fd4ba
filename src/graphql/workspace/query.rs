//! The workspace a request acts in: its id is what `login` and
//! `acceptInvitation` may name when an email has accounts in several.

use async_graphql::{Context, ID, Object};
use entity::workspace;
use rapport_core::error::CoreError;
use sea_orm::EntityTrait;

use crate::graphql::context::{actor, db};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};

/// A workspace: one business's data, members and settings.
pub struct Workspace(workspace::Model);

/// A workspace: one business's data, members and settings.
#[Object]
impl Workspace {
    /// The global id (as `login(workspaceId:)` and `acceptInvitation(workspaceId:)` take it).
    async fn id(&self) -> ID {
        ids::encode(Kind::Workspace, self.0.id)
    }
    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// Workspace queries.
#[derive(Default)]
pub struct WorkspaceQuery;

#[Object]
impl WorkspaceQuery {
    /// The workspace of the member (or API key) making this request.
    async fn workspace(&self, ctx: &Context<'_>) -> ApiResult<Workspace> {
        let actor = actor(ctx)?;
        let row = workspace::Entity::find_by_id(actor.workspace_id)
            .one(db(ctx)?)
            .await?
            .ok_or(CoreError::NotFound("workspace"))?;
        Ok(Workspace(row))
    }
}
