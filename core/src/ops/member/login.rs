//! Signing in: with a password (`login`), or by redeeming an invitation
//! (`accept_invitation`, which sets the password). Both check one secret
//! per call through the lockout; the caller issues the token.

use crate::store::across::{across_workspaces, allow_fan_out};
use std::net::IpAddr;

use chrono::Utc;
use entity::member;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::access::directory::hash_secret;
use crate::access::password;
use crate::access::{Actor, Credentials};
use crate::domain::email::normalize_email;
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, event_for, now, update_in_workspace};

/// A sign-in with an email and password.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub email: String,
    pub password: String,
    /// Needed when the email has accounts in several workspaces.
    pub workspace_id: Option<Uuid>,
    /// The client's network address, when known (lockouts count per address).
    pub client: Option<IpAddr>,
}

/// An invitation redeemed: the invited member's new password.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// Optional: the code identifies the invitation (and so its workspace).
    pub workspace_id: Option<Uuid>,
    pub email: String,
    /// The invitation code, as shown once by `invite`.
    pub code: String,
    pub password: String,
    /// The client's network address, when known.
    pub client: Option<IpAddr>,
}

/// The member `sign_in` signs in as. Five failures within 15 minutes for
/// one account from one client address lock that pair for the rest of that
/// time, and 50 from one address lock the address (`RATE_LIMITED`, with
/// `retryAfter`); a busy hashing pool is `RATE_LIMITED` with `retryAfter` 1.
pub async fn login(
    core: &Core,
    credentials: Credentials<'_>,
    sign_in: SignIn,
) -> CoreResult<member::Model> {
    let email = normalize_email(&sign_in.email).map_err(CoreError::invalid("email"))?;
    let attempt = credentials
        .lockout
        .begin(&format!("account:{email}"), sign_in.client)
        .await
        .map_err(|retry_after| {
            core.metrics.labelled.refused("login", "locked_out");
            CoreError::RateLimited { retry_after }
        })?;
    let mut query = member::Entity::find()
        .filter(member::Column::Email.eq(&email))
        .filter(member::Column::DeactivatedAt.is_null());
    if let Some(workspace) = sign_in.workspace_id {
        query = query.filter(member::Column::WorkspaceId.eq(workspace));
    }
    // An email without a workspace may be a member of any: asked of every one.
    let accounts = across_workspaces(&core.db, async |txn| {
        query
            .order_by_asc(member::Column::CreatedAt)
            .order_by_asc(member::Column::Id)
            .limit(2)
            .all(txn)
            .await
    })
    .await?;
    // Exactly one verification whether the email has no account, one,
    // or several (then the oldest's), so the time taken tells nothing.
    let stored = accounts.first().and_then(|a| a.password_hash.clone());
    let matches = match credentials.passwords.verify(sign_in.password, stored).await {
        Ok(matches) => matches,
        Err(error) => {
            attempt.release().await;
            return Err(error.into());
        }
    };
    if !matches {
        attempt.fail().await;
        core.metrics.labelled.refused("login", "wrong_credentials");
        return Err(wrong_credentials());
    }
    attempt.succeed().await;
    if accounts.len() > 1 {
        // Said only to someone who knows the password.
        return Err(CoreError::bad_input(
            "workspaceId",
            "this email has accounts in several workspaces: choose one with workspaceId",
        ));
    }
    accounts.into_iter().next().ok_or_else(wrong_credentials)
}

/// Redeems an invitation: sets the invited member's password and returns
/// the member, who may now sign in. The code identifies the invitation, so
/// the workspace is needed only to narrow it. Wrong codes count towards the
/// lockout like wrong passwords.
pub async fn accept_invitation(
    core: &Core,
    credentials: Credentials<'_>,
    acceptance: Acceptance,
) -> CoreResult<member::Model> {
    let email = normalize_email(&acceptance.email).map_err(CoreError::invalid("email"))?;
    password::check_policy(&acceptance.password)
        .map_err(|m| CoreError::bad_input("password", m))?;
    // Per email, whichever workspace is named: naming one or none must not
    // double the guesses allowed.
    let attempt = credentials
        .lockout
        .begin(&format!("invitation:{email}"), acceptance.client)
        .await
        .map_err(|retry_after| CoreError::RateLimited { retry_after })?;
    let txn = core.begin().await?;
    // An invitation without a workspace is looked for in every one.
    allow_fan_out(&txn).await?;
    let mut query = member::Entity::find()
        .filter(member::Column::Email.eq(&email))
        .filter(member::Column::InvitationHash.eq(hash_secret(&acceptance.code)))
        .filter(member::Column::DeactivatedAt.is_null());
    if let Some(workspace) = acceptance.workspace_id {
        query = query.filter(member::Column::WorkspaceId.eq(workspace));
    }
    let invited = query.one(&txn).await?;
    let valid = invited
        .as_ref()
        .is_some_and(|m| m.invitation_expires_at.is_some_and(|at| at > Utc::now()));
    let Some(invited) = invited.filter(|_| valid) else {
        attempt.fail().await;
        return Err(CoreError::bad_input(
            "code",
            "no such invitation, or it expired",
        ));
    };
    attempt.succeed().await;
    let hash = credentials.passwords.hash(acceptance.password).await?;
    let change = member::ActiveModel {
        id: Set(invited.id),
        password_hash: Set(Some(hash)),
        invitation_hash: Set(None),
        invitation_expires_at: Set(None),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = update_in_workspace::<member::Entity>(&txn, invited.workspace_id, invited.id, change)
        .await?;
    let actor = Actor::member(row.workspace_id, row.id, row.role);
    let event = event_for::<member::Entity>(&row, "joined")?;
    core.commit(txn, Author::of(&actor), vec![event]).await?;
    credentials.directory.forget_member(row.id, false);
    Ok(row)
}

fn wrong_credentials() -> CoreError {
    CoreError::bad_input("password", "the email or the password is wrong")
}
