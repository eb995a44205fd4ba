//! Members: the people who work in a workspace (the CRM's users).

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::enums::Role;
use entity::member;
use rapport_core::error::CoreError;
use rust_decimal::Decimal;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use super::context::actor;
use super::error::ApiResult;
use super::filter::{
    EnumFilter, IdFilter, RecordFilter, StringFilter, col, record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Conn, Row};
use super::list::{self, ListArgs, Record};
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, PageArgs, SortKey};

/// A person who works in the workspace.
pub struct Member(pub Row<member::Model>);

impl Record for Member {
    type Entity = member::Entity;
    type Model = member::Model;
    fn wrap(row: Row<member::Model>) -> Self {
        Self(row)
    }
}

/// Fields members can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberOrderField {
    Name,
    Email,
    CreatedAt,
}

impl MemberOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::Email => ("email", KeyType::Text),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "member",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }
}

/// Which members to return.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MemberFilter {
    pub and: Option<Vec<MemberFilter>>,
    pub or: Option<Vec<MemberFilter>>,
    pub not: Option<Box<MemberFilter>>,
    pub id: Option<IdFilter>,
    pub name: Option<StringFilter>,
    pub email: Option<StringFilter>,
    pub role: Option<EnumFilter<Role>>,
}

impl RecordFilter for MemberFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(col("member", "id"), Kind::Member, "filter.id")?);
        }
        if let Some(f) = &self.name {
            all = all.add(f.condition(col("member", "name"), backend));
        }
        if let Some(f) = &self.email {
            all = all.add(f.condition(col("member", "email"), backend));
        }
        if let Some(f) = &self.role {
            all = all.add(f.condition(col("member", "role")));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A person who works in the workspace.
#[Object]
impl Member {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Member, self.0.model().id)
    }
    /// Login email, lower-cased.
    async fn email(&self) -> &str {
        &self.0.model().email
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// What the member may do.
    async fn role(&self) -> Role {
        self.0.model().role
    }
    /// Job title.
    async fn title(&self) -> Option<&str> {
        self.0.model().title.as_deref()
    }
    /// Commission on won deals, in percent (e.g. 7.5).
    async fn commission_rate(&self) -> Decimal {
        Decimal::new(i64::from(self.0.model().commission_bps), 2)
    }
    /// False once an admin deactivated the member.
    async fn active(&self) -> bool {
        self.0.model().deactivated_at.is_none()
    }
    /// When the member joined.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
}

/// Member queries.
#[derive(Default)]
pub struct MemberQuery;

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
        Ok(<Member as Record>::wrap(super::level::Level::single(
            acting,
        )))
    }

    /// Members of the workspace.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<MemberFilter>,
        order_by: Option<Vec<Ordering<MemberOrderField>>>,
    ) -> ApiResult<Conn<Member>> {
        actor(ctx)?;
        let args = ListArgs {
            page: PageArgs {
                first,
                after,
                last,
                before,
            },
            filter: filter.as_ref(),
            keys: sort_keys(
                order_by.as_deref(),
                "member",
                MemberOrderField::key,
                &[SortKey::id("member")],
            )?,
            extra: Condition::all(),
        };
        list::top_level(ctx, args).await
    }
}
