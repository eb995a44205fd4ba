//! Pipeline and stage mutations (ADMIN and MANAGER only). Each converts its
//! input and calls one core operation (`rapport_core::ops::pipeline`), where
//! the rules live.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::StageKind;
use rapport_core::ops::pipeline::{
    self, NewPipeline, NewStage, PipelineChanges, StageChanges, stage,
};
use rapport_macros::connections;

use super::{Pipeline, Stage};
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// A stage created together with its pipeline.
#[derive(InputObject)]
pub struct PipelineStageInput {
    /// The stage's name.
    pub name: String,
    /// Its place in the pipeline; defaults to its place in `stages`.
    pub position: Option<i32>,
    /// The chance that a deal in it is won, from 0 to 1 in steps of 0.01; must be 1 for a WON stage and 0 for a LOST one. Required unless the deprecated `winProbability` is given.
    pub win_chance: Option<f64>,
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
    #[graphql(
        deprecation = "Use `winChance`: every rate is a fraction from 0 to 1. Removed in the next release."
    )]
    pub win_probability: Option<i32>,
    /// Whether deals in it are open, won or lost.
    pub kind: StageKind,
}

/// A new pipeline, optionally with its stages.
#[derive(InputObject)]
pub struct CreatePipelineInput {
    /// The pipeline's name.
    pub name: String,
    /// Its place among the workspace's pipelines; defaults to after the last.
    pub position: Option<i32>,
    /// Stages to create with it, in the same transaction.
    pub stages: Option<Vec<PipelineStageInput>>,
}

/// Changes to a pipeline; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdatePipelineInput {
    /// A new name.
    pub name: Option<String>,
    /// A new place among the workspace's pipelines.
    pub position: Option<i32>,
}

/// A new stage in an existing pipeline.
#[derive(InputObject)]
pub struct CreateStageInput {
    /// The pipeline it joins.
    pub pipeline_id: ID,
    /// The stage's name.
    pub name: String,
    /// Its place in the pipeline; defaults to after the last stage.
    pub position: Option<i32>,
    /// The chance that a deal in it is won, from 0 to 1 in steps of 0.01; must be 1 for a WON stage and 0 for a LOST one. Required unless the deprecated `winProbability` is given.
    pub win_chance: Option<f64>,
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
    #[graphql(
        deprecation = "Use `winChance`: every rate is a fraction from 0 to 1. Removed in the next release."
    )]
    pub win_probability: Option<i32>,
    /// Whether deals in it are open, won or lost.
    pub kind: StageKind,
}

/// Changes to a stage; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateStageInput {
    /// A new name.
    pub name: Option<String>,
    /// A new place in the pipeline.
    pub position: Option<i32>,
    /// The chance that a deal in it is won, from 0 to 1 in steps of 0.01; must be 1 for a WON stage and 0 for a LOST one. Left as it is when omitted.
    pub win_chance: Option<f64>,
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
    #[graphql(
        deprecation = "Use `winChance`: every rate is a fraction from 0 to 1. Removed in the next release."
    )]
    pub win_probability: Option<i32>,
    /// A new kind; refused while deals are in the stage, since their status follows it.
    pub kind: Option<StageKind>,
}

/// The result of a pipeline mutation.
#[derive(SimpleObject)]
pub struct PipelinePayload {
    /// The pipeline after the change.
    pub pipeline: Pipeline,
}

/// The result of a stage mutation.
#[derive(SimpleObject)]
pub struct StagePayload {
    /// The stage after the change.
    pub stage: Stage,
}

impl PipelinePayload {
    fn of(row: entity::pipeline::Model) -> Self {
        Self {
            pipeline: Pipeline(Level::single(row)),
        }
    }
}

impl StagePayload {
    fn of(row: entity::stage::Model) -> Self {
        Self {
            stage: Stage(Level::single(row)),
        }
    }
}

/// Pipeline and stage mutations (ADMIN and MANAGER only).
#[derive(Default)]
pub struct PipelineMutation;

#[connections]
#[Object]
impl PipelineMutation {
    /// Creates a pipeline, with its stages when given.
    async fn create_pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreatePipelineInput,
    ) -> ApiResult<PipelinePayload> {
        let (core, actor) = acting(ctx, Area::Pipelines)?;
        let stages = input.stages.unwrap_or_default().into_iter();
        let new = NewPipeline {
            name: input.name,
            position: input.position,
            stages: stages
                .enumerate()
                .map(|(i, s)| {
                    let field = format!("input.stages.{i}.winChance");
                    Ok(NewStage {
                        name: s.name,
                        position: s.position,
                        win_probability: required_percent(s.win_chance, s.win_probability, &field)?,
                        kind: s.kind,
                    })
                })
                .collect::<ApiResult<_>>()?,
        };
        Ok(PipelinePayload::of(
            pipeline::create(core, actor, new).await?,
        ))
    }

    /// Renames or repositions a pipeline. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_pipeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdatePipelineInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<PipelinePayload> {
        let (core, actor) = acting(ctx, Area::Pipelines)?;
        let id = ids::decode(&id, Kind::Pipeline, "id")?;
        let changes = PipelineChanges {
            name: input.name,
            position: input.position,
        };
        let row = pipeline::update(core, actor, id, changes, expected_version).await?;
        Ok(PipelinePayload::of(row))
    }

    /// Soft-deletes a pipeline; refused (`BAD_USER_INPUT` on `id`) while it holds live deals.
    by_id!(delete_pipeline: PipelinePayload, Pipelines, Pipeline,
        PipelinePayload::of(pipeline::delete(core, actor, id, expected_version).await?));

    /// Restores a deleted pipeline.
    by_id!(restore_pipeline: PipelinePayload, Pipelines, Pipeline,
        PipelinePayload::of(pipeline::restore(core, actor, id, expected_version).await?));

    /// Adds a stage to a pipeline.
    async fn create_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateStageInput,
    ) -> ApiResult<StagePayload> {
        let (core, actor) = acting(ctx, Area::Pipelines)?;
        let pipeline_id = ids::decode(&input.pipeline_id, Kind::Pipeline, "input.pipelineId")?;
        let new = NewStage {
            name: input.name,
            position: input.position,
            win_probability: required_percent(
                input.win_chance,
                input.win_probability,
                "input.winChance",
            )?,
            kind: input.kind,
        };
        let row = stage::create(core, actor, pipeline_id, new).await?;
        Ok(StagePayload::of(row))
    }

    /// Changes a stage. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateStageInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<StagePayload> {
        let (core, actor) = acting(ctx, Area::Pipelines)?;
        let id = ids::decode(&id, Kind::Stage, "id")?;
        let changes = StageChanges {
            name: input.name,
            position: input.position,
            win_probability: crate::graphql::rates::win_percent(
                input.win_chance,
                input.win_probability,
                "input.winChance",
            )?,
            kind: input.kind,
        };
        let row = stage::update(core, actor, id, changes, expected_version).await?;
        Ok(StagePayload::of(row))
    }

    /// Soft-deletes a stage; refused (`BAD_USER_INPUT` on `id`) while live deals are in it.
    by_id!(delete_stage: StagePayload, Pipelines, Stage,
        StagePayload::of(stage::delete(core, actor, id, expected_version).await?));

    /// Restores a deleted stage.
    by_id!(restore_stage: StagePayload, Pipelines, Stage,
        StagePayload::of(stage::restore(core, actor, id, expected_version).await?));
}

/// A new stage's win probability in whole percent: one of `winChance` and
/// the deprecated `winProbability` is required.
fn required_percent(chance: Option<f64>, percent: Option<i32>, field: &str) -> ApiResult<i32> {
    crate::graphql::rates::win_percent(chance, percent, field)?
        .ok_or_else(|| crate::graphql::error::ApiError::bad_input(field, "required"))
}
