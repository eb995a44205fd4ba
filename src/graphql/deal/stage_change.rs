//! A deal's stage history: one entry per stage it entered.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::deal_stage_change;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use super::Deal;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{DateTimeFilter, RecordFilter, record_filter_composition};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Row;
use crate::graphql::list::{self, Record};
use crate::graphql::member::Member;
use crate::graphql::pipeline::Stage;

/// A deal entering a stage: one entry of its history.
pub struct DealStageChange(pub Row<deal_stage_change::Model>);

impl Record for DealStageChange {
    type Entity = deal_stage_change::Entity;
    type Model = deal_stage_change::Model;
    fn wrap(row: Row<deal_stage_change::Model>) -> Self {
        Self(row)
    }
}

/// Which stage changes to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DealStageChangeFilter {
    /// All of these filters.
    pub and: Option<Vec<DealStageChangeFilter>>,
    /// At least one of these filters.
    pub or: Option<Vec<DealStageChangeFilter>>,
    /// Not this filter.
    pub not: Option<Box<DealStageChangeFilter>>,
    /// When the change happened.
    pub created_at: Option<DateTimeFilter>,
}

impl RecordFilter for DealStageChangeFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("deal_stage_change", workspace_id, backend)
            .column(&self.created_at, "created_at")
            .done()
    }
    record_filter_composition!();
}

/// A deal entering a stage.
#[Object]
impl DealStageChange {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::DealStageChange, self.0.model().id)
    }
    /// The deal.
    async fn deal(&self, ctx: &Context<'_>) -> ApiResult<Option<Deal>> {
        list::referenced(ctx, &self.0, "deal", |m: &deal_stage_change::Model| {
            Some(m.deal_id)
        })
        .await
    }
    /// The stage it left; null for the entry that created the deal, or when that stage is deleted.
    async fn from_stage(&self, ctx: &Context<'_>) -> ApiResult<Option<Stage>> {
        list::referenced(ctx, &self.0, "fromStage", |m: &deal_stage_change::Model| {
            m.from_stage_id
        })
        .await
    }
    /// The stage it entered; null when that stage is deleted.
    async fn to_stage(&self, ctx: &Context<'_>) -> ApiResult<Option<Stage>> {
        list::referenced(ctx, &self.0, "toStage", |m: &deal_stage_change::Model| {
            Some(m.to_stage_id)
        })
        .await
    }
    /// The member who moved it.
    async fn changed_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "changedBy", |m: &deal_stage_change::Model| {
            m.changed_by
        })
        .await
    }
    /// When it entered the stage.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
}
