//! Members: the people who work in a workspace (the CRM's users), and
//! signing in as one.

mod filter;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::Role;
use entity::member;
use rapport_core::error::CoreError;
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::context::actor;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list::{self, Record};

pub use filter::{MemberFilter, MemberOrderField};
pub use mutation::{MemberMutation, MemberPayload};

/// A person who works in the workspace.
pub struct Member(pub Row<member::Model>);

impl Record for Member {
    type Entity = member::Entity;
    type Model = member::Model;
    fn wrap(row: Row<member::Model>) -> Self {
        Self(row)
    }
}

/// A person who works in the workspace.
#[connections]
#[Object]
impl Member {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Member, self.0.model().id)
    }
    /// The global id of the member's workspace (what `login(workspaceId:)`
    /// takes when an email has accounts in several).
    async fn workspace_id(&self) -> ID {
        ids::encode(Kind::Workspace, self.0.model().workspace_id)
    }
    /// Login email, lower-cased.
    field!(email: &str);
    /// Display name.
    field!(name: &str);
    /// What the member may do.
    field!(role: Role);
    /// Job title.
    field!(title: Option<&str>);
    /// The share of won deal amounts paid as commission, from 0 to 1 (0.075 is 7.5 %).
    async fn commission_share(&self) -> f64 {
        crate::graphql::rates::bps_fraction(self.0.model().commission_bps)
    }
    /// Commission on won deals, in percent (e.g. 7.5).
    #[graphql(
        deprecation = "Use `commissionShare`: every rate is a fraction from 0 to 1. Removed in the next release."
    )]
    async fn commission_rate(&self) -> Decimal {
        Decimal::new(i64::from(self.0.model().commission_bps), 2)
    }
    /// False once an admin deactivated the member.
    async fn active(&self) -> bool {
        self.0.model().deactivated_at.is_none()
    }
    /// When the member joined.
    field!(created_at: DateTime<Utc>);
    /// The member's team, if any.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<super::team::Team>> {
        list::referenced(ctx, &self.0, "team", |m: &member::Model| m.team_id).await
    }
}

/// Member queries.
#[derive(Default)]
pub struct MemberQuery;

#[connections]
#[Object]
impl MemberQuery {
    /// The member making this request. With an API key: the key's creator,
    /// with `role` the role the key acts with (never above the creator's).
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Member> {
        let actor = actor(ctx)?;
        let me = list::find::<Member>(ctx, actor.member_id)
            .await?
            .ok_or(CoreError::Unauthenticated)?;
        if actor.api_key_id.is_none() {
            return Ok(me);
        }
        let mut acting = me.0.model().clone();
        acting.role = actor.role;
        Ok(Member(Level::single(acting)))
    }

    /// Members of the workspace.
    listing!(members: Member, MemberFilter, MemberOrderField);
}
