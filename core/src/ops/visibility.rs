//! What each role of a workspace reads of deals, companies and contacts
//! (ADMIN sets it; ADMIN itself always reads everything). A role without a
//! setting reads `ALL`.

use entity::enums::{Role, Visibility};
use entity::role_visibility;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::access::{Actor, Area, Directory};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::kind::Kind;
use crate::store::{Author, Core, now};

/// The roles a workspace may narrow: every one but ADMIN.
pub const NARROWABLE: [Role; 4] = [Role::Manager, Role::Sales, Role::Support, Role::Viewer];

/// What one role reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleVisibility {
    pub role: Role,
    pub deals: Visibility,
    pub companies: Visibility,
    pub contacts: Visibility,
}

impl RoleVisibility {
    fn everything(role: Role) -> Self {
        Self {
            role,
            deals: Visibility::All,
            companies: Visibility::All,
            contacts: Visibility::All,
        }
    }
}

/// What every role of the actor's workspace reads, ADMIN first.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor) -> CoreResult<Vec<RoleVisibility>> {
    let rows = role_visibility::Entity::find()
        .filter(role_visibility::Column::WorkspaceId.eq(actor.workspace_id))
        .all(db)
        .await?;
    let mut all = vec![RoleVisibility::everything(Role::Admin)];
    for role in NARROWABLE {
        all.push(rows.iter().find(|row| row.role == role).map_or(
            RoleVisibility::everything(role),
            |row| RoleVisibility {
                role,
                deals: row.deals,
                companies: row.companies,
                contacts: row.contacts,
            },
        ));
    }
    Ok(all)
}

/// Sets what `setting.role` reads (ADMIN), from its members' next request
/// on (websockets check their credential again and close when what they
/// read changed). ADMIN cannot be narrowed. Returns every role's setting.
pub async fn set(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    setting: RoleVisibility,
) -> CoreResult<Vec<RoleVisibility>> {
    actor.require(Area::Members)?;
    if !NARROWABLE.contains(&setting.role) {
        return Err(CoreError::bad_input(
            "role",
            "ADMIN always reads every record",
        ));
    }
    let txn = core.begin().await?;
    let row = role_visibility::ActiveModel {
        workspace_id: Set(actor.workspace_id),
        role: Set(setting.role),
        deals: Set(setting.deals),
        companies: Set(setting.companies),
        contacts: Set(setting.contacts),
        updated_at: Set(now()),
    };
    let exists = role_visibility::Entity::find_by_id((actor.workspace_id, setting.role))
        .one(&txn)
        .await?
        .is_some();
    if exists {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    let all = list(&txn, actor).await?;
    let payload = all
        .iter()
        .map(|v| {
            json!({
                "role": v.role,
                "deals": v.deals,
                "companies": v.companies,
                "contacts": v.contacts,
            })
        })
        .collect::<Vec<_>>();
    let event = NewEvent {
        topic: "workspace".to_owned(),
        kind: "workspace.visibility_changed".to_owned(),
        record_type: Kind::Workspace.name(),
        record_id: actor.workspace_id,
        payload: json!({ "visibility": payload }),
        new_record: false,
    };
    core.commit(txn, Author::of(actor), vec![event]).await?;
    directory.forget_workspace(actor.workspace_id);
    Ok(all)
}
