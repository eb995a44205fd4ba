//! What a member may do: their role, and whether they may act at all
//! (ADMIN). Each change drops the member's cached credential after commit;
//! a demotion or deactivation also makes their websockets check it again.

use entity::enums::Role;
use entity::member;
use sea_orm::{DatabaseTransaction, Set};
use uuid::Uuid;

use super::admins::Admins;
use crate::access::{Actor, Area, Directory};
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, event_for, load_any, now, update_in_workspace};

/// Gives member `id` `role` (ADMIN); it applies from their next request.
/// The last active ADMIN cannot be demoted.
pub async fn set_role(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
    role: Role,
) -> CoreResult<member::Model> {
    actor.require(Area::Members)?;
    let txn = core.begin().await?;
    // Locked before the member is read, so that what the check decides
    // on is what concurrent demotions left (see `admins`).
    let admins = Admins::lock(&txn, actor).await?;
    let current = load_any::<member::Entity>(&txn, actor, id).await?;
    if current.role == Role::Admin && role != Role::Admin {
        admins.keep_one_besides(id)?;
    }
    let change = member::ActiveModel {
        role: Set(role),
        ..Default::default()
    };
    let write = MemberWrite {
        core,
        actor,
        directory,
    };
    write.save(txn, id, change, "role_changed", true).await
}

/// Deactivates member `id` (ADMIN): their tokens and API keys stop working
/// at once and their websockets close; their records stay. Nobody
/// deactivates themselves, nor the last active ADMIN. Deactivating a
/// deactivated member changes nothing.
pub async fn deactivate(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
) -> CoreResult<member::Model> {
    actor.require(Area::Members)?;
    if id == actor.member_id {
        return Err(CoreError::bad_input("id", "you cannot deactivate yourself"));
    }
    let txn = core.begin().await?;
    let admins = Admins::lock(&txn, actor).await?;
    let current = load_any::<member::Entity>(&txn, actor, id).await?;
    if current.deactivated_at.is_some() {
        return Ok(current);
    }
    if current.role == Role::Admin {
        admins.keep_one_besides(id)?;
    }
    let change = member::ActiveModel {
        deactivated_at: Set(Some(now())),
        ..Default::default()
    };
    let write = MemberWrite {
        core,
        actor,
        directory,
    };
    write.save(txn, id, change, "deactivated", true).await
}

/// Lets deactivated member `id` sign in again (ADMIN). Only adds a possible
/// ADMIN, so it takes no lock (see `admins`).
pub async fn reactivate(
    core: &Core,
    actor: &Actor,
    directory: &Directory,
    id: Uuid,
) -> CoreResult<member::Model> {
    actor.require(Area::Members)?;
    let txn = core.begin().await?;
    load_any::<member::Entity>(&txn, actor, id).await?;
    let change = member::ActiveModel {
        deactivated_at: Set(None),
        ..Default::default()
    };
    let write = MemberWrite {
        core,
        actor,
        directory,
    };
    write.save(txn, id, change, "reactivated", false).await
}

/// Who changes a member, and where: what every change of a member ends with.
struct MemberWrite<'a> {
    core: &'a Core,
    actor: &'a Actor,
    directory: &'a Directory,
}

impl MemberWrite<'_> {
    /// Writes `change` to member `id` in `txn`, commits it with its
    /// `member.<verb>` event, then drops the member's cached credential
    /// (`recheck`: their websockets check it again too).
    async fn save(
        self,
        txn: DatabaseTransaction,
        id: Uuid,
        mut change: member::ActiveModel,
        verb: &str,
        recheck: bool,
    ) -> CoreResult<member::Model> {
        change.id = Set(id);
        change.updated_at = Set(now());
        let workspace_id = self.actor.workspace_id;
        let row = update_in_workspace::<member::Entity>(&txn, workspace_id, id, change).await?;
        let event = event_for::<member::Entity>(&row, verb)?;
        self.core
            .commit(txn, Author::of(self.actor), vec![event])
            .await?;
        self.directory.forget_member(id, recheck);
        Ok(row)
    }
}
