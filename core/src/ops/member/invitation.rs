//! Inviting someone into the workspace (ADMIN).

use entity::enums::Role;
use entity::member;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::access::directory::{hash_secret, new_secret};
use crate::access::{Actor, Area};
use crate::domain::email::normalize_email;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, event_for, now};

/// How long an invitation code stays valid.
const INVITATION_DAYS: i64 = 7;

/// Someone to invite.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub title: Option<String>,
    /// Commission on won deals in basis points (1000 = 10%); 0 when `None`.
    pub commission_bps: Option<i32>,
}

/// A new member and the code that lets them in.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub member: member::Model,
    /// Shown once (only its hash is kept) and redeemed with
    /// `accept_invitation` within 7 days.
    pub code: String,
}

/// Invites `new` into the actor's workspace (ADMIN). The member exists at
/// once, without a password, until they accept.
pub async fn invite(core: &Core, actor: &Actor, new: NewMember) -> CoreResult<Invitation> {
    actor.require(Area::Members)?;
    let email = normalize_email(&new.email).map_err(CoreError::invalid("input.email"))?;
    let name = text::required_name(&new.name, 200).map_err(CoreError::invalid("input.name"))?;
    let title = text::optional_text(new.title.as_deref(), 200)
        .map_err(CoreError::invalid("input.title"))?;
    let commission_bps = new.commission_bps.unwrap_or(0);
    if !(0..=10_000).contains(&commission_bps) {
        return Err(CoreError::bad_input(
            "input.commissionBps",
            "must be between 0 and 10000",
        ));
    }
    let txn = core.begin().await?;
    let taken = member::Entity::find()
        .filter(member::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(member::Column::Email.eq(&email))
        .count(&txn)
        .await?;
    if taken > 0 {
        return Err(CoreError::bad_input(
            "input.email",
            "a member has this email already",
        ));
    }
    let code = new_secret("inv_");
    let at = now();
    let row = member::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        email: Set(email),
        name: Set(name),
        role: Set(new.role),
        title: Set(title),
        commission_bps: Set(commission_bps),
        password_hash: Set(None),
        deactivated_at: Set(None),
        invitation_hash: Set(Some(hash_secret(&code))),
        invitation_expires_at: Set(Some(at + chrono::Duration::days(INVITATION_DAYS))),
        team_id: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let event = event_for::<member::Entity>(&row, "invited")?;
    core.commit(txn, Author::of(actor), vec![event]).await?;
    Ok(Invitation { member: row, code })
}
