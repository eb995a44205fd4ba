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
    /// What the member may do.
    pub role: Role,
}

impl Actor {
    /// True when the role may see deals and their events (every role but
    /// SUPPORT, which works tickets and sees no deal amounts).
    pub fn can_read_deals(&self) -> bool {
        self.role != Role::Support
    }
}
