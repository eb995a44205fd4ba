//! The Actor: the workspace, member and role a request acts as.

use entity::enums::Role;
use uuid::Uuid;

/// The identity behind one request. Every read and write is scoped to
/// `workspace_id`; there is no way to build a query without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The tenant whose rows this request may see.
    pub workspace_id: Uuid,
    /// The member acting; recorded on events and history.
    pub member_id: Uuid,
    /// What the member may do (their current role, or the API key's).
    pub role: Role,
    /// The API key the request came with, when it did not come with a token.
    pub api_key_id: Option<Uuid>,
}

impl Actor {
    /// A member acting with their own token.
    pub fn member(workspace_id: Uuid, member_id: Uuid, role: Role) -> Self {
        Self {
            workspace_id,
            member_id,
            role,
            api_key_id: None,
        }
    }

    /// True when the role may see deals and their events (every role but
    /// SUPPORT, which works tickets and sees no deal amounts).
    pub fn can_read_deals(&self) -> bool {
        self.role != Role::Support
    }
}
