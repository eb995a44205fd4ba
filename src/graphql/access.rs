//! Signing in and managing who may: `login`, invitations, member roles and
//! deactivation. Changes to members reach every instance's credential cache
//! (see [`crate::auth::Directory`]): a deactivated member is refused at
//! their next request and their websockets close.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::enums::Role;
use entity::member;
use rapport_core::error::CoreError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::admins::Admins;
use super::context::{client_address, db, state, writer};
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::Level;
use super::member::Member;
use super::write::{begin, commit, event_for, load_any, now};
use crate::auth::directory::{hash_secret, new_secret};
use crate::auth::password::{self, PasswordError};
use crate::auth::{Actor, Area};
use crate::domain::email::normalize_email;
use crate::domain::text;

/// How long an invitation code stays valid.
const INVITATION_DAYS: i64 = 7;

/// A token and whom it is for.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub member: Member,
}

#[derive(InputObject)]
pub struct InviteMemberInput {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub title: Option<String>,
    /// Commission on won deals in basis points (1000 = 10%).
    pub commission_bps: Option<i32>,
}

#[derive(SimpleObject)]
pub struct InvitationPayload {
    pub member: Member,
    /// Give this to the person invited; it is shown once and redeemed with
    /// `acceptInvitation` within 7 days.
    pub invitation_code: String,
}

#[derive(SimpleObject)]
pub struct MemberPayload {
    pub member: Member,
}

fn member_payload(row: member::Model) -> MemberPayload {
    MemberPayload {
        member: Member(Level::single(row)),
    }
}

/// A password check that could not run: busy (every hashing slot taken:
/// retry in a moment) or broken.
fn password_error(error: PasswordError) -> ApiError {
    match error {
        PasswordError::Busy => ApiError(CoreError::RateLimited { retry_after: 1 }),
        PasswordError::Failed(e) => CoreError::Internal(format!("password check: {e}")).into(),
    }
}

fn wrong_credentials() -> ApiError {
    ApiError(CoreError::BadInput {
        field: "password".into(),
        message: "the email or the password is wrong".into(),
    })
}

#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Signs in with an email and password. `workspaceId` is needed when
    /// the email has accounts in several workspaces. Five failures within 15
    /// minutes for one account from one client address lock that pair for
    /// the rest of that time, and 50 from one address lock the address
    /// (`RATE_LIMITED`, with `retryAfter`). A request may check one password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        workspace_id: Option<ID>,
    ) -> ApiResult<LoginPayload> {
        let state = state(ctx)?;
        let email_address = normalize_email(&email).map_err(ApiError::invalid("email"))?;
        let workspace = ids::decode_opt(workspace_id.as_ref(), Kind::Workspace, "workspaceId")?;
        let attempt = state
            .lockout
            .begin(&format!("account:{email_address}"), client_address(ctx))
            .map_err(|retry_after| CoreError::RateLimited { retry_after })?;
        let mut query = member::Entity::find()
            .filter(member::Column::Email.eq(&email_address))
            .filter(member::Column::DeactivatedAt.is_null());
        if let Some(workspace) = workspace {
            query = query.filter(member::Column::WorkspaceId.eq(workspace));
        }
        let accounts = query
            .order_by_asc(member::Column::CreatedAt)
            .order_by_asc(member::Column::Id)
            .limit(2)
            .all(db(ctx)?)
            .await?;
        // Exactly one verification whether the email has no account, one,
        // or several (then the oldest's), so the time taken tells nothing.
        let stored = accounts.first().and_then(|a| a.password_hash.clone());
        let matches = match state.passwords.verify(password, stored).await {
            Ok(matches) => matches,
            Err(error) => {
                attempt.release();
                return Err(password_error(error));
            }
        };
        if !matches {
            attempt.fail();
            return Err(wrong_credentials());
        }
        attempt.succeed();
        if accounts.len() > 1 {
            // Said only to someone who knows the password.
            return Err(ApiError::bad_input(
                "workspaceId",
                "this email has accounts in several workspaces: choose one with workspaceId",
            ));
        }
        let Some(account) = accounts.into_iter().next() else {
            return Err(wrong_credentials());
        };
        let actor = Actor::member(account.workspace_id, account.id, account.role);
        Ok(LoginPayload {
            token: state.issue_token(&actor),
            member: Member(Level::single(account)),
        })
    }

    /// Redeems an invitation: sets the invited member's password and signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        workspace_id: ID,
        email: String,
        code: String,
        password: String,
    ) -> ApiResult<LoginPayload> {
        let state = state(ctx)?;
        let workspace = ids::decode(&workspace_id, Kind::Workspace, "workspaceId")?;
        let email_address = normalize_email(&email).map_err(ApiError::invalid("email"))?;
        password::check_policy(&password).map_err(|m| ApiError::bad_input("password", m))?;
        let attempt = state
            .lockout
            .begin(
                &format!("invitation:{workspace}:{email_address}"),
                client_address(ctx),
            )
            .map_err(|retry_after| CoreError::RateLimited { retry_after })?;
        let txn = begin(ctx).await?;
        let invited = member::Entity::find()
            .filter(member::Column::WorkspaceId.eq(workspace))
            .filter(member::Column::Email.eq(&email_address))
            .filter(member::Column::DeactivatedAt.is_null())
            .one(&txn)
            .await?;
        let valid = invited.as_ref().is_some_and(|m| {
            m.invitation_hash.as_deref() == Some(hash_secret(&code).as_str())
                && m.invitation_expires_at.is_some_and(|at| at > Utc::now())
        });
        let Some(invited) = invited.filter(|_| valid) else {
            attempt.fail();
            return Err(ApiError::bad_input(
                "code",
                "no such invitation, or it expired",
            ));
        };
        attempt.succeed();
        let hash = state
            .passwords
            .hash(password)
            .await
            .map_err(password_error)?;
        let row = member::ActiveModel {
            id: Set(invited.id),
            password_hash: Set(Some(hash)),
            invitation_hash: Set(None),
            invitation_expires_at: Set(None),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let actor = Actor::member(row.workspace_id, row.id, row.role);
        let event = event_for::<Member>(&row, "joined")?;
        commit(ctx, txn, &actor, vec![event]).await?;
        state.directory.forget_member(row.id, false);
        Ok(LoginPayload {
            token: state.issue_token(&actor),
            member: Member(Level::single(row)),
        })
    }

    /// Invites someone to the workspace (ADMIN). Returns the invitation code,
    /// shown once.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> ApiResult<InvitationPayload> {
        let actor = writer(ctx, Area::Members)?;
        let email_address =
            normalize_email(&input.email).map_err(ApiError::invalid("input.email"))?;
        let name =
            text::required_name(&input.name, 200).map_err(ApiError::invalid("input.name"))?;
        let title = text::optional_text(input.title.as_deref(), 200)
            .map_err(ApiError::invalid("input.title"))?;
        let commission_bps = input.commission_bps.unwrap_or(0);
        if !(0..=10_000).contains(&commission_bps) {
            return Err(ApiError::bad_input(
                "input.commissionBps",
                "must be between 0 and 10000",
            ));
        }
        let txn = begin(ctx).await?;
        let taken = member::Entity::find()
            .filter(member::Column::WorkspaceId.eq(actor.workspace_id))
            .filter(member::Column::Email.eq(&email_address))
            .count(&txn)
            .await?;
        if taken > 0 {
            return Err(ApiError::bad_input(
                "input.email",
                "a member has this email already",
            ));
        }
        let code = new_secret("inv_");
        let at = now();
        let row = member::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            email: Set(email_address),
            name: Set(name),
            role: Set(input.role),
            title: Set(title),
            commission_bps: Set(commission_bps),
            password_hash: Set(None),
            deactivated_at: Set(None),
            invitation_hash: Set(Some(hash_secret(&code))),
            invitation_expires_at: Set(Some(at + chrono::Duration::days(INVITATION_DAYS))),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let event = event_for::<Member>(&row, "invited")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(InvitationPayload {
            member: Member(Level::single(row)),
            invitation_code: code,
        })
    }

    /// Changes a member's role (ADMIN); it applies from their next request.
    async fn set_member_role(
        &self,
        ctx: &Context<'_>,
        id: ID,
        role: Role,
    ) -> ApiResult<MemberPayload> {
        let actor = writer(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Member, "id")?;
        let txn = begin(ctx).await?;
        // Locked before the member is read, so that what the check decides
        // on is what concurrent demotions left (see `admins.rs`).
        let admins = Admins::lock(&txn, actor).await?;
        let current = load_any::<Member>(&txn, actor, id).await?;
        if current.role == Role::Admin && role != Role::Admin {
            admins.keep_one_besides(id)?;
        }
        let row = member::ActiveModel {
            id: Set(id),
            role: Set(role),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let event = event_for::<Member>(&row, "role_changed")?;
        commit(ctx, txn, actor, vec![event]).await?;
        state(ctx)?.directory.forget_member(id, true);
        Ok(member_payload(row))
    }

    /// Deactivates a member (ADMIN): their tokens and API keys stop working
    /// at once and their websockets close. Their records stay.
    async fn deactivate_member(&self, ctx: &Context<'_>, id: ID) -> ApiResult<MemberPayload> {
        let actor = writer(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Member, "id")?;
        if id == actor.member_id {
            return Err(ApiError::bad_input("id", "you cannot deactivate yourself"));
        }
        let txn = begin(ctx).await?;
        let admins = Admins::lock(&txn, actor).await?;
        let current = load_any::<Member>(&txn, actor, id).await?;
        if current.deactivated_at.is_some() {
            return Ok(member_payload(current));
        }
        if current.role == Role::Admin {
            admins.keep_one_besides(id)?;
        }
        let row = member::ActiveModel {
            id: Set(id),
            deactivated_at: Set(Some(now())),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let event = event_for::<Member>(&row, "deactivated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        state(ctx)?.directory.forget_member(id, true);
        Ok(member_payload(row))
    }

    /// Lets a deactivated member sign in again (ADMIN).
    async fn reactivate_member(&self, ctx: &Context<'_>, id: ID) -> ApiResult<MemberPayload> {
        let actor = writer(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Member, "id")?;
        let txn = begin(ctx).await?;
        load_any::<Member>(&txn, actor, id).await?;
        let row = member::ActiveModel {
            id: Set(id),
            deactivated_at: Set(None),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let event = event_for::<Member>(&row, "reactivated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        state(ctx)?.directory.forget_member(id, false);
        Ok(member_payload(row))
    }
}
