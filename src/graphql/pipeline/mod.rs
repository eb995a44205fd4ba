//! Pipelines and their stages: the sales processes deals move through.
//!
//! Only ADMIN and MANAGER may change them. Their events go to the `pipeline`
//! topic (configuration changes); deal events go to `pipeline:<id>`. The
//! rules of every change live in the core (`rapport_core::ops::pipeline`);
//! here are the objects, their filters ([`filter`]) and the mutations
//! ([`mutation`]).

mod filter;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::StageKind;
use entity::{pipeline, stage};
use rapport_macros::connections;

pub use self::filter::{PipelineFilter, PipelineOrderField, StageFilter, StageOrderField};
pub use self::mutation::{
    CreatePipelineInput, CreateStageInput, PipelineMutation, PipelinePayload, PipelineStageInput,
    StagePayload, UpdatePipelineInput, UpdateStageInput,
};
use super::deal::{Deal, DealFilter, DealOrderField};
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::{self, Record};

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
    field!(name: &str);
    /// Its place among the workspace's pipelines (ascending).
    field!(position: i32);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the pipeline is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was created.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
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
    field!(name: &str);
    /// Its place in the pipeline (ascending).
    field!(position: i32);
    /// The chance that a deal in this stage is won, from 0 to 1: 1 in WON stages, 0 in LOST ones.
    async fn win_chance(&self) -> f64 {
        crate::graphql::rates::percent_fraction(self.0.model().win_probability)
    }
    /// Percent chance that a deal in this stage is won: 100 in WON stages, 0 in LOST ones.
    #[graphql(
        deprecation = "Use `winChance`: every rate is a fraction from 0 to 1. Removed in the next release."
    )]
    field!(win_probability: i32);
    /// Whether deals in it are open, won or lost.
    field!(kind: StageKind);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the stage is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was created.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
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
