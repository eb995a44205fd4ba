//! The Actor: the workspace, member and role a request acts as.

use std::sync::Arc;

use entity::enums::Role;
use uuid::Uuid;

use super::sight::{Owned, Sight};

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
    /// What the member reads of deals, companies and contacts (the
    /// workspace's visibility for the role it acts with).
    pub sight: Arc<Sight>,
}

impl Actor {
    /// A member acting with their own token.
    pub fn member(workspace_id: Uuid, member_id: Uuid, role: Role) -> Self {
        Self {
            workspace_id,
            member_id,
            role,
            api_key_id: None,
            sight: Arc::new(Sight::everything(member_id)),
        }
    }

    /// `FORBIDDEN` when the actor's role reads only some of `areas`'
    /// records and `what` would count or show them all. Such reads are
    /// refused rather than computed over what the role may not read.
    pub fn require_whole(&self, areas: &[Owned], what: &str) -> crate::error::CoreResult<()> {
        match areas
            .iter()
            .find(|area| self.sight.owners(**area).is_some())
        {
            None => Ok(()),
            Some(area) => Err(crate::error::CoreError::Forbidden(format!(
                "{what} reads every one of the workspace's {}, and the {:?} role reads only its own or its team's",
                area.name(),
                self.role
            ))),
        }
    }

    /// Whether a record of `area` owned by `owner` is visible to the actor.
    pub fn sees(&self, area: Owned, owner: Option<Uuid>) -> bool {
        self.sight.sees(area, owner)
    }

    /// True when the role may see deals and their events (every role but
    /// SUPPORT, which works tickets and sees no deal amounts).
    pub fn can_read_deals(&self) -> bool {
        self.role != Role::Support
    }
}
