//! How pipelines and stages are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::StageKind;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter,
    record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

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
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("pipeline", workspace_id, backend)
            .id(&self.id, "id", Kind::Pipeline)?
            .column(&self.name, "name")
            .column(&self.created_at, "created_at")
            .done()
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
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("stage", workspace_id, backend)
            .id(&self.id, "id", Kind::Stage)?
            .column(&self.name, "name")
            .column(&self.kind, "kind")
            .column(&self.win_probability, "win_probability")
            .id(&self.pipeline_id, "pipeline_id", Kind::Pipeline)?
            .done()
    }
    record_filter_composition!();
}
