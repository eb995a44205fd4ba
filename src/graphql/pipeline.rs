//! Pipelines and their stages: the sales processes deals move through.
//!
//! Only ADMIN and MANAGER may change them. Their events go to the `pipeline`
//! topic (configuration changes); deal events go to `pipeline:<id>`. The
//! mutations live in [`mutation`].

mod mutation;

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::enums::StageKind;
use entity::{pipeline, stage};
use rapport_macros::connections;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

pub use self::mutation::{
    CreatePipelineInput, CreateStageInput, PipelineMutation, PipelinePayload, PipelineStageInput,
    StagePayload, UpdatePipelineInput, UpdateStageInput,
};
use super::deal::{Deal, DealFilter, DealOrderField};
use super::error::ApiResult;
use super::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter, col,
    record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::Row;
use super::list::{self, Record};
use super::order::{Ordering, sort_keys};
use super::page::{KeyType, SortKey};

/// A sales process: an ordered list of stages.
pub struct Pipeline(pub Row<pipeline::Model>);

impl Record for Pipeline {
    type Entity = pipeline::Entity;
    type Model = pipeline::Model;
    fn wrap(row: Row<pipeline::Model>) -> Self {
        Self(row)
    }
}

/// A step of a pipeline.
pub struct Stage(pub Row<stage::Model>);

impl Record for Stage {
    type Entity = stage::Entity;
    type Model = stage::Model;
    fn wrap(row: Row<stage::Model>) -> Self {
        Self(row)
    }
}

const fn position_key(table: &'static str) -> SortKey {
    SortKey {
        table,
        column: "position",
        ty: KeyType::Int,
        nullable: false,
        desc: false,
    }
}

/// Fields pipelines can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PipelineOrderField {
    /// The pipeline's name.
    Name,
    /// Its place among the workspace's pipelines.
    Position,
    /// When it was created.
    CreatedAt,
}

impl PipelineOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Name => ("name", KeyType::Text),
            Self::Position => ("position", KeyType::Int),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "pipeline",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by position).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "pipeline",
            Self::key,
            &[position_key("pipeline"), SortKey::id("pipeline")],
        )
    }
}

/// Fields stages can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageOrderField {
    /// The stage's place in its pipeline.
    Position,
    /// The stage's name.
    Name,
    /// The probability that a deal in it is won.
    WinProbability,
}

impl StageOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::Position => ("position", KeyType::Int),
            Self::Name => ("name", KeyType::Text),
            Self::WinProbability => ("win_probability", KeyType::Int),
        };
        SortKey {
            table: "stage",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by position).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "stage",
            Self::key,
            &[position_key("stage"), SortKey::id("stage")],
        )
    }
}

/// Which pipelines to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PipelineFilter {
    /// All of these filters.
    pub and: Option<Vec<PipelineFilter>>,
    /// At least one of these filters.
    pub or: Option<Vec<PipelineFilter>>,
    /// Not this filter.
    pub not: Option<Box<PipelineFilter>>,
    /// The pipeline's id.
    pub id: Option<IdFilter>,
    /// The pipeline's name.
    pub name: Option<StringFilter>,
    /// When it was created.
    pub created_at: Option<DateTimeFilter>,
}

impl RecordFilter for PipelineFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("pipeline", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Pipeline, "filter.id")?);
        }
        if let Some(f) = &self.name {
            all = all.add(f.condition(c("name"), backend));
        }
        if let Some(f) = &self.created_at {
            all = all.add(f.condition(c("created_at")));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// Which stages to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StageFilter {
    /// All of these filters.
    pub and: Option<Vec<StageFilter>>,
    /// At least one of these filters.
    pub or: Option<Vec<StageFilter>>,
    /// Not this filter.
    pub not: Option<Box<StageFilter>>,
    /// The stage's id.
    pub id: Option<IdFilter>,
    /// The stage's name.
    pub name: Option<StringFilter>,
    /// Open, won or lost.
    pub kind: Option<EnumFilter<StageKind>>,
    /// The win probability, 0 to 100.
    pub win_probability: Option<IntFilter>,
    /// The pipeline the stage belongs to.
    pub pipeline_id: Option<IdFilter>,
}

impl RecordFilter for StageFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("stage", name);
        let mut all = Condition::all();
        if let Some(f) = &self.id {
            all = all.add(f.condition(c("id"), Kind::Stage, "filter.id")?);
        }
        if let Some(f) = &self.name {
            all = all.add(f.condition(c("name"), backend));
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c("kind")));
        }
        if let Some(f) = &self.win_probability {
            all = all.add(f.condition(c("win_probability")));
        }
        if let Some(f) = &self.pipeline_id {
            all = all.add(f.condition(c("pipeline_id"), Kind::Pipeline, "filter.pipelineId")?);
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A sales process: an ordered list of stages deals move through.
#[connections]
#[connections]
#[Object]
impl Pipeline {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Pipeline, self.0.model().id)
    }
    /// The pipeline's name.
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// Its place among the workspace's pipelines (ascending).
    async fn position(&self) -> i32 {
        self.0.model().position
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the pipeline is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
    /// Its stages, by position unless ordered otherwise.
    connection!(stages: Stage, StageFilter, StageOrderField,
        of |m: &pipeline::Model| m.id, "pipeline_id");
    /// The deals in it.
    connection!(deals: Deal, DealFilter, DealOrderField,
        of |m: &pipeline::Model| m.id, "pipeline_id");
}

/// A step of a pipeline, with the probability that a deal in it is won.
#[connections]
#[connections]
#[Object]
impl Stage {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Stage, self.0.model().id)
    }
    /// The stage's name.
    async fn name(&self) -> &str {
        &self.0.model().name
    }
    /// Its place in the pipeline (ascending).
    async fn position(&self) -> i32 {
        self.0.model().position
    }
    /// Percent chance that a deal in this stage is won: 100 in WON stages, 0 in LOST ones.
    async fn win_probability(&self) -> i32 {
        self.0.model().win_probability
    }
    /// Whether deals in it are open, won or lost.
    async fn kind(&self) -> StageKind {
        self.0.model().kind
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    /// Set while the stage is deleted (it can be restored).
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.model().updated_at
    }
    /// The pipeline it belongs to; null while that pipeline is deleted.
    async fn pipeline(&self, ctx: &Context<'_>) -> ApiResult<Option<Pipeline>> {
        list::referenced(ctx, &self.0, "pipeline", |m: &stage::Model| {
            Some(m.pipeline_id)
        })
        .await
    }
    /// The deals in this stage.
    connection!(deals: Deal, DealFilter, DealOrderField,
        of |m: &stage::Model| m.id, "stage_id");
}

/// Pipeline and stage queries.
#[derive(Default)]
pub struct PipelineQuery;

#[connections]
#[Object]
impl PipelineQuery {
    /// Pipelines of the workspace, by position unless ordered otherwise.
    listing!(pipelines: Pipeline, PipelineFilter, PipelineOrderField);

    /// Stages of every pipeline of the workspace; filter by `pipelineId` for one.
    listing!(stages: Stage, StageFilter, StageOrderField);
}
