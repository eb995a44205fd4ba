//! Signing in and managing who may (`login`, invitations, member roles,
//! deactivation): each resolver converts its input and calls one core
//! operation (`rapport_core::ops::member`); issuing the token stays here.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::Role;
use entity::member;
use rapport_core::access::Credentials;
use rapport_core::ops::member::{self as ops, Acceptance, NewMember, SignIn};

use super::Member;
use crate::auth::{Actor, Area};
use crate::graphql::context::{acting, client_address, state};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::services::Services;

/// A token and whom it is for.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The member signed in.
    pub member: Member,
}

impl LoginPayload {
    /// Signs `row` in: a token for the member as they are now.
    fn signed_in(services: &Services, row: member::Model) -> Self {
        let actor = Actor::member(row.workspace_id, row.id, row.role);
        Self {
            token: services.issue_token(&actor),
            member: Member(Level::single(row)),
        }
    }
}

/// Who to invite (ADMIN only); they join with the role given once they accept.
#[derive(InputObject)]
pub struct InviteMemberInput {
    /// Where the invitation goes; the login email once accepted.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the member may do.
    pub role: Role,
    /// Job title, e.g. "Account Executive".
    pub title: Option<String>,
    /// The share of won deal amounts paid as commission, from 0 to 1 in steps of 0.0001 (0.075 is 7.5 %); 0 when omitted.
    pub commission_share: Option<f64>,
    /// Commission on won deals in basis points (1000 = 10%).
    #[graphql(
        deprecation = "Use `commissionShare`: every rate is a fraction from 0 to 1. Removed in the next release."
    )]
    pub commission_bps: Option<i32>,
}

/// The result of inviting a member or accepting an invitation.
#[derive(SimpleObject)]
pub struct InvitationPayload {
    /// The Member as the mutation left it.
    pub member: Member,
    /// Give this to the person invited; it is shown once and redeemed with
    /// `acceptInvitation` within 7 days.
    pub invitation_code: String,
    /// The workspace invited into (the code alone identifies it too).
    pub workspace_id: ID,
}

/// The result of a member mutation.
#[derive(SimpleObject)]
pub struct MemberPayload {
    /// The Member as the mutation left it.
    pub member: Member,
}

impl MemberPayload {
    pub(crate) fn of(row: member::Model) -> Self {
        Self {
            member: Member(Level::single(row)),
        }
    }
}

/// What the sign-in operations check passwords with.
fn credentials(services: &Services) -> Credentials<'_> {
    Credentials {
        directory: &services.directory,
        lockout: &services.lockout,
        passwords: &services.passwords,
    }
}

/// Sign-in and member mutations.
#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    /// Signs in with an email and password. `workspaceId` is needed when
    /// the email has accounts in several workspaces. Five failures within 15
    /// minutes for one account from one client address lock that pair for
    /// the rest of that time, and 50 from one address lock the address
    /// (`RATE_LIMITED`, with `retryAfter`). A request may check one password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The login email.")] email: String,
        #[graphql(desc = "The password.")] password: String,
        #[graphql(
            desc = "Which workspace to sign in to (global id); needed when the email has accounts in several."
        )]
        workspace_id: Option<ID>,
    ) -> ApiResult<LoginPayload> {
        let services = state(ctx)?;
        let sign_in = SignIn {
            email,
            password,
            workspace_id: ids::decode_opt(workspace_id.as_ref(), Kind::Workspace, "workspaceId")?,
            client: client_address(ctx),
        };
        let row = ops::login(&services.core, credentials(services), sign_in).await?;
        Ok(LoginPayload::signed_in(services, row))
    }

    /// Redeems an invitation: sets the invited member's password and signs
    /// in. The code identifies the invitation and its workspace;
    /// `workspaceId` (from `inviteMember`, `me` or `workspace`) is optional.
    /// Wrong codes count towards the lockout like wrong passwords.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The email the invitation was sent to.")] email: String,
        #[graphql(desc = "The code from the invitation.")] code: String,
        #[graphql(desc = "The password to sign in with from now on (at least 10 characters).")]
        password: String,
        #[graphql(
            desc = "The workspace (global id, from `inviteMember`, `me` or `workspace`); optional, the code identifies it."
        )]
        workspace_id: Option<ID>,
    ) -> ApiResult<LoginPayload> {
        let services = state(ctx)?;
        let acceptance = Acceptance {
            workspace_id: ids::decode_opt(workspace_id.as_ref(), Kind::Workspace, "workspaceId")?,
            email,
            code,
            password,
            client: client_address(ctx),
        };
        let row = ops::accept_invitation(&services.core, credentials(services), acceptance).await?;
        Ok(LoginPayload::signed_in(services, row))
    }

    /// Invites someone to the workspace (ADMIN). Returns the invitation code,
    /// shown once.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Who to invite, and as what.")] input: InviteMemberInput,
    ) -> ApiResult<InvitationPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let new = NewMember {
            email: input.email,
            name: input.name,
            role: input.role,
            title: input.title,
            commission_bps: crate::graphql::rates::commission_bps(
                input.commission_share,
                input.commission_bps,
                "input.commissionShare",
            )?,
        };
        let invitation = ops::invite(core, actor, new).await?;
        Ok(InvitationPayload {
            workspace_id: ids::encode(Kind::Workspace, invitation.member.workspace_id),
            member: Member(Level::single(invitation.member)),
            invitation_code: invitation.code,
        })
    }

    /// Changes a member's role (ADMIN); it applies from their next request.
    async fn set_member_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The new role.")] role: Role,
    ) -> ApiResult<MemberPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Member, "id")?;
        let directory = &state(ctx)?.directory;
        let row = ops::set_role(core, actor, directory, id, role).await?;
        Ok(MemberPayload::of(row))
    }

    /// Deactivates a member (ADMIN): their tokens and API keys stop working
    /// at once and their websockets close. Their records stay.
    async fn deactivate_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
    ) -> ApiResult<MemberPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Member, "id")?;
        let directory = &state(ctx)?.directory;
        let row = ops::deactivate(core, actor, directory, id).await?;
        Ok(MemberPayload::of(row))
    }

    /// Lets a deactivated member sign in again (ADMIN).
    async fn reactivate_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
    ) -> ApiResult<MemberPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Member, "id")?;
        let directory = &state(ctx)?.directory;
        let row = ops::reactivate(core, actor, directory, id).await?;
        Ok(MemberPayload::of(row))
    }
}
