//! Team and visibility mutations (ADMIN): each calls one core operation.

use async_graphql::{Context, ID, Object};
use entity::enums::{Role, Visibility};
use rapport_core::ops::{team, visibility};

use super::{RoleVisibility, Team};
use crate::auth::Area;
use crate::graphql::context::{acting, state};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::member::MemberPayload;

/// Team and visibility mutations.
#[derive(Default)]
pub struct TeamMutation;

#[Object]
impl TeamMutation {
    /// Makes a team (ADMIN). A name another team has is refused with `CONFLICT`.
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its name, 1 to 100 characters, unique in the workspace.")] name: String,
    ) -> ApiResult<Team> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let row = team::create(core, actor, &state(ctx)?.directory, &name).await?;
        Ok(Team(Level::single(row)))
    }

    /// Renames a team (ADMIN).
    async fn rename_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team, by global id.")] id: ID,
        #[graphql(desc = "Its new name, unique in the workspace.")] name: String,
    ) -> ApiResult<Team> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Team, "id")?;
        let row = team::rename(core, actor, &state(ctx)?.directory, id, &name).await?;
        Ok(Team(Level::single(row)))
    }

    /// Deletes a team (ADMIN); its members are left without one. Returns the deleted team.
    async fn delete_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team, by global id.")] id: ID,
    ) -> ApiResult<Team> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let id = ids::decode(&id, Kind::Team, "id")?;
        let row = team::delete(core, actor, &state(ctx)?.directory, id).await?;
        Ok(Team(Level::single(row)))
    }

    /// Puts a member in a team, or in none with `teamId: null` (ADMIN). It
    /// applies from the next request of everyone whose team it changes.
    async fn set_member_team(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member, by global id.")] member_id: ID,
        #[graphql(desc = "The team, by global id; null for none.")] team_id: Option<ID>,
    ) -> ApiResult<MemberPayload> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let member = ids::decode(&member_id, Kind::Member, "memberId")?;
        let team_id = ids::decode_opt(team_id.as_ref(), Kind::Team, "teamId")?;
        let directory = &state(ctx)?.directory;
        let row = team::set_member_team(core, actor, directory, member, team_id).await?;
        Ok(MemberPayload::of(row))
    }

    /// Sets what a role reads of deals, companies and contacts (ADMIN):
    /// `ALL`, `TEAM` (records owned by a member of the reader's team, and
    /// unowned ones) or `OWNED` (the reader's own, and unowned ones). ADMIN
    /// always reads everything. It applies from the role's next request;
    /// its open websockets close (4403) to reconnect under it. Returns
    /// every role's setting.
    async fn set_role_visibility(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The role (not ADMIN).")] role: Role,
        #[graphql(desc = "What it reads of deals.")] deals: Visibility,
        #[graphql(desc = "What it reads of companies.")] companies: Visibility,
        #[graphql(desc = "What it reads of contacts.")] contacts: Visibility,
    ) -> ApiResult<Vec<RoleVisibility>> {
        let (core, actor) = acting(ctx, Area::Members)?;
        let setting = visibility::RoleVisibility {
            role,
            deals,
            companies,
            contacts,
        };
        let all = visibility::set(core, actor, &state(ctx)?.directory, setting).await?;
        Ok(all.into_iter().map(RoleVisibility::from).collect())
    }
}
