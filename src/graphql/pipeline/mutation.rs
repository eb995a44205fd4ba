//! Pipeline and stage mutations (ADMIN and MANAGER only).
//!
//! Stages must agree with their kind: a WON stage has win probability 100,
//! a LOST one 0. A stage (or pipeline) holding live deals cannot be deleted,
//! nor can its kind change, since deal statuses follow stage kinds.

use crate::auth::Area;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::StageKind;
use entity::{deal, pipeline, stage};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};
use uuid::Uuid;

use super::{Pipeline, Stage};
use crate::auth::Actor;
use crate::domain::text;
use crate::graphql::context::writer;
use crate::graphql::deal::Deal;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::col;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::list::{self, Record};
use crate::graphql::write::{
    self, begin, check_reference, check_version, commit, event_for, expect_one_row, load_any,
    load_live, now, set_deleted,
};

/// A stage created together with its pipeline.
#[derive(InputObject)]
pub struct PipelineStageInput {
    /// The stage's name.
    pub name: String,
    /// Its place in the pipeline; defaults to its place in `stages`.
    pub position: Option<i32>,
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
    pub win_probability: i32,
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
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
    pub win_probability: i32,
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
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
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

/// The longest pipeline or stage name.
const NAME_MAX: usize = 200;

fn check_position(position: i32, field: &str) -> ApiResult<i32> {
    if position < 0 {
        return Err(ApiError::bad_input(field, "must not be negative"));
    }
    Ok(position)
}

/// The probability must lie in 0..=100 and agree with a closed stage's kind,
/// because a WON deal is certain and a LOST one hopeless (forecasts rely on it).
fn check_probability(kind: StageKind, probability: i32, field: &str) -> ApiResult<()> {
    if !(0..=100).contains(&probability) {
        return Err(ApiError::bad_input(field, "must be between 0 and 100"));
    }
    match kind {
        StageKind::Won if probability != 100 => {
            Err(ApiError::bad_input(field, "must be 100 for a WON stage"))
        }
        StageKind::Lost if probability != 0 => {
            Err(ApiError::bad_input(field, "must be 0 for a LOST stage"))
        }
        _ => Ok(()),
    }
}

/// The position after the last live pipeline of the workspace.
async fn next_pipeline_position(txn: &DatabaseTransaction, actor: &Actor) -> ApiResult<i32> {
    let last = pipeline::Entity::find()
        .filter(list::scope::<Pipeline>(actor.workspace_id))
        .order_by_desc(pipeline::Column::Position)
        .one(txn)
        .await?;
    Ok(last.map_or(0, |p| p.position.saturating_add(1)))
}

/// The position after the last live stage of a pipeline.
async fn next_stage_position(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pipeline_id: Uuid,
) -> ApiResult<i32> {
    let last = stage::Entity::find()
        .filter(list::scope::<Stage>(actor.workspace_id))
        .filter(col("stage", "pipeline_id").eq(pipeline_id))
        .order_by_desc(stage::Column::Position)
        .one(txn)
        .await?;
    Ok(last.map_or(0, |s| s.position.saturating_add(1)))
}

/// How many live deals point at `id` through `deal.<column>`.
async fn live_deals(
    txn: &DatabaseTransaction,
    actor: &Actor,
    column: &'static str,
    id: Uuid,
) -> ApiResult<u64> {
    Ok(deal::Entity::find()
        .filter(list::scope::<Deal>(actor.workspace_id))
        .filter(col("deal", column).eq(id))
        .count(txn)
        .await?)
}

/// Refuses to change `field` while deals still sit in the record.
fn refuse_with_deals(count: u64, field: &str) -> ApiResult<()> {
    match count {
        0 => Ok(()),
        1 => Err(ApiError::bad_input(field, "move its 1 deal first")),
        n => Err(ApiError::bad_input(
            field,
            format!("move its {n} deals first"),
        )),
    }
}

/// Soft-deletes a pipeline or stage, refused while live deals are in it:
/// they would be left pointing at a stage no list shows.
async fn delete_without_deals<R: Record>(
    ctx: &Context<'_>,
    actor: &Actor,
    id: &ID,
    expected_version: Option<i32>,
    deal_column: &'static str,
) -> ApiResult<R> {
    let id = ids::decode(id, R::KIND, "id")?;
    let txn = begin(ctx).await?;
    let row = load_live::<R>(&txn, actor, id).await?;
    check_version(expected_version, R::version(&row))?;
    refuse_with_deals(live_deals(&txn, actor, deal_column, id).await?, "id")?;
    set_deleted::<R>(&txn, actor, id, R::version(&row), true).await?;
    let row = load_any::<R>(&txn, actor, id).await?;
    let event = event_for::<R>(&row, "deleted")?;
    commit(ctx, txn, actor, vec![event]).await?;
    Ok(R::wrap(Level::single(row)))
}

/// A validated new stage, not yet tied to a pipeline.
struct NewStage {
    name: String,
    position: Option<i32>,
    win_probability: i32,
    kind: StageKind,
}

fn validate_stage(
    name: &str,
    position: Option<i32>,
    win_probability: i32,
    kind: StageKind,
    prefix: &str,
) -> ApiResult<NewStage> {
    let name =
        text::required_name(name, NAME_MAX).map_err(ApiError::invalid(format!("{prefix}.name")))?;
    let position = position
        .map(|p| check_position(p, &format!("{prefix}.position")))
        .transpose()?;
    check_probability(kind, win_probability, &format!("{prefix}.winProbability"))?;
    Ok(NewStage {
        name,
        position,
        win_probability,
        kind,
    })
}

async fn insert_stage(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pipeline_id: Uuid,
    stage: NewStage,
    position: i32,
) -> ApiResult<stage::Model> {
    let at = now();
    let model = stage::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(actor.workspace_id),
        pipeline_id: Set(pipeline_id),
        name: Set(stage.name),
        position: Set(stage.position.unwrap_or(position)),
        win_probability: Set(stage.win_probability),
        kind: Set(stage.kind),
        version: Set(1),
        deleted_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    };
    Ok(model.insert(txn).await?)
}

/// Pipeline and stage mutations (ADMIN and MANAGER only).
#[derive(Default)]
pub struct PipelineMutation;

#[Object]
impl PipelineMutation {
    /// Creates a pipeline, with its stages when given.
    async fn create_pipeline(
        &self,
        ctx: &Context<'_>,
        input: CreatePipelineInput,
    ) -> ApiResult<PipelinePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let name =
            text::required_name(&input.name, NAME_MAX).map_err(ApiError::invalid("input.name"))?;
        let position = input
            .position
            .map(|p| check_position(p, "input.position"))
            .transpose()?;
        let stages = input
            .stages
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                validate_stage(
                    &s.name,
                    s.position,
                    s.win_probability,
                    s.kind,
                    &format!("input.stages.{i}"),
                )
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let txn = begin(ctx).await?;
        let position = match position {
            Some(p) => p,
            None => next_pipeline_position(&txn, actor).await?,
        };
        let at = now();
        let row = pipeline::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            name: Set(name),
            position: Set(position),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let mut events = vec![event_for::<Pipeline>(&row, "created")?];
        for (i, stage) in stages.into_iter().enumerate() {
            let stage = insert_stage(
                &txn,
                actor,
                row.id,
                stage,
                i32::try_from(i).unwrap_or(i32::MAX),
            )
            .await?;
            events.push(event_for::<Stage>(&stage, "created")?);
        }
        commit(ctx, txn, actor, events).await?;
        Ok(PipelinePayload {
            pipeline: Pipeline(Level::single(row)),
        })
    }

    /// Renames or repositions a pipeline. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_pipeline(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdatePipelineInput,
        expected_version: Option<i32>,
    ) -> ApiResult<PipelinePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let id = ids::decode(&id, Kind::Pipeline, "id")?;
        let name = input
            .name
            .as_deref()
            .map(|n| text::required_name(n, NAME_MAX).map_err(ApiError::invalid("input.name")))
            .transpose()?;
        let position = input
            .position
            .map(|p| check_position(p, "input.position"))
            .transpose()?;
        let txn = begin(ctx).await?;
        let current = load_live::<Pipeline>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let model = pipeline::ActiveModel {
            name: Set(name.unwrap_or_else(|| current.name.clone())),
            position: Set(position.unwrap_or(current.position)),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        let rows = pipeline::Entity::update_many()
            .set(model)
            .filter(col("pipeline", "id").eq(id))
            .filter(col("pipeline", "version").eq(current.version))
            .exec(&txn)
            .await?
            .rows_affected;
        expect_one_row(rows)?;
        let row = load_live::<Pipeline>(&txn, actor, id).await?;
        let event = event_for::<Pipeline>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(PipelinePayload {
            pipeline: Pipeline(Level::single(row)),
        })
    }

    /// Soft-deletes a pipeline; refused (`BAD_USER_INPUT` on `id`) while it holds live deals.
    async fn delete_pipeline(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<PipelinePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let pipeline =
            delete_without_deals::<Pipeline>(ctx, actor, &id, expected_version, "pipeline_id")
                .await?;
        Ok(PipelinePayload { pipeline })
    }

    /// Restores a deleted pipeline.
    async fn restore_pipeline(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<PipelinePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let pipeline = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(PipelinePayload { pipeline })
    }

    /// Adds a stage to a pipeline.
    async fn create_stage(
        &self,
        ctx: &Context<'_>,
        input: CreateStageInput,
    ) -> ApiResult<StagePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let pipeline_id = ids::decode(&input.pipeline_id, Kind::Pipeline, "input.pipelineId")?;
        let stage = validate_stage(
            &input.name,
            input.position,
            input.win_probability,
            input.kind,
            "input",
        )?;
        let txn = begin(ctx).await?;
        check_reference::<Pipeline>(&txn, actor, Some(pipeline_id), "input.pipelineId").await?;
        let position = next_stage_position(&txn, actor, pipeline_id).await?;
        let row = insert_stage(&txn, actor, pipeline_id, stage, position).await?;
        let event = event_for::<Stage>(&row, "created")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(StagePayload {
            stage: Stage(Level::single(row)),
        })
    }

    /// Changes a stage. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateStageInput,
        expected_version: Option<i32>,
    ) -> ApiResult<StagePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let id = ids::decode(&id, Kind::Stage, "id")?;
        let name = input
            .name
            .as_deref()
            .map(|n| text::required_name(n, NAME_MAX).map_err(ApiError::invalid("input.name")))
            .transpose()?;
        let position = input
            .position
            .map(|p| check_position(p, "input.position"))
            .transpose()?;
        let txn = begin(ctx).await?;
        let current = load_live::<Stage>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let kind = input.kind.unwrap_or(current.kind);
        let probability = input.win_probability.unwrap_or(current.win_probability);
        // Name the field the client sent: the probability if given, else the kind that conflicts with it.
        let field = if input.win_probability.is_some() {
            "input.winProbability"
        } else {
            "input.kind"
        };
        check_probability(kind, probability, field)?;
        if kind != current.kind {
            // A deal's status mirrors its stage's kind; changing the kind under deals would desync them.
            refuse_with_deals(live_deals(&txn, actor, "stage_id", id).await?, "input.kind")?;
        }
        let model = stage::ActiveModel {
            name: Set(name.unwrap_or_else(|| current.name.clone())),
            position: Set(position.unwrap_or(current.position)),
            win_probability: Set(probability),
            kind: Set(kind),
            version: Set(current.version + 1),
            updated_at: Set(now()),
            ..Default::default()
        };
        let rows = stage::Entity::update_many()
            .set(model)
            .filter(col("stage", "id").eq(id))
            .filter(col("stage", "version").eq(current.version))
            .exec(&txn)
            .await?
            .rows_affected;
        expect_one_row(rows)?;
        let row = load_live::<Stage>(&txn, actor, id).await?;
        let event = event_for::<Stage>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(StagePayload {
            stage: Stage(Level::single(row)),
        })
    }

    /// Soft-deletes a stage; refused (`BAD_USER_INPUT` on `id`) while live deals are in it.
    async fn delete_stage(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<StagePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let stage =
            delete_without_deals::<Stage>(ctx, actor, &id, expected_version, "stage_id").await?;
        Ok(StagePayload { stage })
    }

    /// Restores a deleted stage.
    async fn restore_stage(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<StagePayload> {
        let actor = writer(ctx, Area::Pipelines)?;
        let stage = write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(StagePayload { stage })
    }
}
