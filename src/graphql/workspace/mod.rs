//! Workspaces in the API: the caller's own (`workspace`, in `query`), and
//! provisioning for a hosted deployment that signs customers up:
//! `createWorkspace`, behind the operator credential (`crate::operator`),
//! calling the core's `ops::workspace::create`.

mod query;

pub use query::{Workspace, WorkspaceQuery};

use async_graphql::{Context, ID, Object, SimpleObject};
use rapport_core::ops::workspace as ops;

use crate::graphql::context::state;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};

/// A new workspace and how its first admin gets in.
#[derive(SimpleObject)]
pub struct CreateWorkspacePayload {
    /// The new workspace's global id.
    pub workspace_id: ID,
    /// The new workspace's name.
    pub name: String,
    /// The admin's member id.
    pub admin_id: ID,
    /// The email of its first ADMIN, who signs in with the password given.
    pub admin_email: String,
    /// Shown once: the admin redeems it within 7 days with
    /// `acceptInvitation(email, code, password)`.
    pub invitation_code: String,
}

/// Operator mutations.
#[derive(Default)]
pub struct WorkspaceMutation;

#[Object]
impl WorkspaceMutation {
    /// Creates a workspace with `adminEmail` invited as its ADMIN. Operators
    /// only: send `Authorization: Operator <RAPPORT_OPERATOR_KEY>`; refused
    /// (FORBIDDEN) without that credential or when the server has no key.
    async fn create_workspace(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new workspace's name.")] name: String,
        #[graphql(desc = "The email of its first ADMIN.")] admin_email: String,
    ) -> ApiResult<CreateWorkspacePayload> {
        crate::operator::require()?;
        let services = state(ctx)?;
        let created = ops::create(&services.core, &name, &admin_email).await?;
        Ok(CreateWorkspacePayload {
            workspace_id: ids::encode(Kind::Workspace, created.workspace.id),
            name: created.workspace.name,
            admin_id: ids::encode(Kind::Member, created.admin.id),
            admin_email: created.admin.email,
            invitation_code: created.invitation_code,
        })
    }
}
