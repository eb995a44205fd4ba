//! What the directory caches of a member: enough to make its Actor,
//! including what it reads (see `sight`).

use std::sync::Arc;

use entity::enums::{Role, Visibility};
use entity::{member, role_visibility};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Sight;

#[derive(Clone)]
pub(super) struct MemberEntry {
    pub(super) workspace_id: Uuid,
    pub(super) role: Role,
    pub(super) active: bool,
    /// The workspace's visibility per role (no row: `ALL`).
    visibility: Arc<Vec<role_visibility::Model>>,
    /// The member and its teammates (the member alone without a team).
    team: Vec<Uuid>,
    /// What the member reads with its own role, settled once per entry:
    /// every request of the member shares it.
    own: Arc<Sight>,
}

impl MemberEntry {
    /// What member `id` reads acting with `role` (an API key's may be
    /// lower than the member's own).
    pub(super) fn sight(&self, id: Uuid, role: Role) -> Arc<Sight> {
        if role == self.role {
            return self.own.clone();
        }
        Arc::new(sight_of(id, role, &self.visibility, &self.team))
    }
    /// Member `member_id`'s entry, read: the member, the workspace's
    /// visibility and, when it narrows a role to `TEAM`, the teammates.
    pub(super) async fn read(
        db: &DatabaseConnection,
        member_id: Uuid,
        workspace_id: Uuid,
    ) -> Result<Option<Self>, DbErr> {
        let found = member::Entity::find_by_id(member_id)
            .filter(member::Column::WorkspaceId.eq(workspace_id))
            .one(db)
            .await?;
        let Some(row) = found else {
            return Ok(None);
        };
        let visibility = role_visibility::Entity::find()
            .filter(role_visibility::Column::WorkspaceId.eq(row.workspace_id))
            .all(db)
            .await?;
        let by_team = visibility
            .iter()
            .any(|rule| [rule.deals, rule.companies, rule.contacts].contains(&Visibility::Team));
        let team = match row.team_id {
            Some(team_id) if by_team => {
                member::Entity::find()
                    .select_only()
                    .column(member::Column::Id)
                    .filter(member::Column::WorkspaceId.eq(row.workspace_id))
                    .filter(member::Column::TeamId.eq(team_id))
                    .into_tuple::<Uuid>()
                    .all(db)
                    .await?
            }
            _ => vec![row.id],
        };
        Ok(Some(MemberEntry {
            workspace_id: row.workspace_id,
            role: row.role,
            active: row.deactivated_at.is_none(),
            own: Arc::new(sight_of(row.id, row.role, &visibility, &team)),
            visibility: Arc::new(visibility),
            team,
        }))
    }
}

/// What member `id` of a team of `team` reads acting with `role`, under the
/// workspace's `visibility` rows.
fn sight_of(id: Uuid, role: Role, visibility: &[role_visibility::Model], team: &[Uuid]) -> Sight {
    let mut sight = Sight::everything(id);
    sight.team = team.to_vec();
    if role == Role::Admin {
        return sight;
    }
    if let Some(rule) = visibility.iter().find(|rule| rule.role == role) {
        sight.deals = rule.deals;
        sight.companies = rule.companies;
        sight.contacts = rule.contacts;
    }
    sight
}
