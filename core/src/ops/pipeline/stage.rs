//! Stages: the steps of a pipeline, each with the probability that a deal
//! in it is won.

use crate::store::Fresh;
use entity::enums::StageKind;
use entity::{pipeline, stage};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{NAME_MAX, check_position, delete_without_deals, live_deals, refuse_with_deals};
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::ops::lifecycle::delete_or_restore;
use crate::rules::stored_figures;
use crate::store::{
    Core, check_reference, check_version, col, load_live, now, save_if_unchanged, scope,
};

/// A new stage, in an existing pipeline or one created with it.
#[derive(Debug, Clone)]
pub struct NewStage {
    pub name: String,
    /// Its place in the pipeline; defaults to after the last stage.
    pub position: Option<i32>,
    /// 0 to 100; must be 100 for a WON stage and 0 for a LOST one.
    pub win_probability: i32,
    pub kind: StageKind,
}

/// Changes to a stage; `None` fields stay.
#[derive(Debug, Clone, Default)]
pub struct StageChanges {
    pub name: Option<String>,
    pub position: Option<i32>,
    pub win_probability: Option<i32>,
    /// Refused while deals are in the stage, since their status follows it.
    pub kind: Option<StageKind>,
}

/// A stage whose fields passed the checks, not yet tied to a pipeline.
pub(super) struct Valid(NewStage);

impl NewStage {
    /// Checks the fields; refusals name `<prefix>.<field>`.
    pub(super) fn validate(self, prefix: &str) -> CoreResult<Valid> {
        let name = text::required_name(&self.name, NAME_MAX)
            .map_err(CoreError::invalid(format!("{prefix}.name")))?;
        let position = self
            .position
            .map(|p| check_position(p, &format!("{prefix}.position")))
            .transpose()?;
        let field = format!("{prefix}.winProbability");
        check_probability(self.kind, self.win_probability, &field)?;
        Ok(Valid(NewStage {
            name,
            position,
            ..self
        }))
    }
}

/// Adds a stage to pipeline `pipeline_id`.
pub async fn create(
    core: &Core,
    actor: &Actor,
    pipeline_id: Uuid,
    new: NewStage,
) -> CoreResult<stage::Model> {
    actor.require(Area::Pipelines)?;
    let stage = new.validate("input")?;
    let txn = core.begin().await?;
    check_reference::<pipeline::Entity>(&txn, actor, Some(pipeline_id), "input.pipelineId").await?;
    let position = next_stage_position(&txn, actor, pipeline_id).await?;
    let row = insert(&txn, actor, pipeline_id, stage, position).await?;
    core.finish::<stage::Entity>(txn, actor, row, "created")
        .await
}

/// Changes stage `id`; with `expected_version`, refuses (`CONFLICT`) if it
/// changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: StageChanges,
    expected_version: Option<i32>,
) -> CoreResult<stage::Model> {
    actor.require(Area::Pipelines)?;
    let name = changes
        .name
        .as_deref()
        .map(|n| text::required_name(n, NAME_MAX).map_err(CoreError::invalid("input.name")))
        .transpose()?;
    let position = changes
        .position
        .map(|p| check_position(p, "input.position"))
        .transpose()?;
    let txn = core.begin().await?;
    let current = load_live::<stage::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let kind = changes.kind.unwrap_or(current.kind);
    let probability = changes.win_probability.unwrap_or(current.win_probability);
    // Name the field the client sent: the probability if given, else the kind that conflicts with it.
    let field = if changes.win_probability.is_some() {
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
    let row = save_if_unchanged::<stage::Entity>(&txn, actor, id, current.version, model).await?;
    if row.win_probability != current.win_probability {
        let weights = stored_figures::Weights::Stage(id);
        stored_figures::refresh_weights(&txn, actor.workspace_id, weights).await?;
    }
    core.finish::<stage::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes stage `id`; refused (`BAD_USER_INPUT` on `id`) while live
/// deals are in it.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<stage::Model> {
    delete_without_deals::<stage::Entity>(core, actor, id, expected_version, "stage_id").await
}

/// Restores deleted stage `id`.
pub async fn restore(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<stage::Model> {
    delete_or_restore::<stage::Entity>(core, actor, Area::Pipelines, id, expected_version, false)
        .await
}

/// The probability must lie in 0..=100 and agree with a closed stage's kind,
/// because a WON deal is certain and a LOST one hopeless (forecasts rely on it).
fn check_probability(kind: StageKind, probability: i32, field: &str) -> CoreResult<()> {
    if !(0..=100).contains(&probability) {
        return Err(CoreError::bad_input(field, "must be between 0 and 100"));
    }
    match kind {
        StageKind::Won if probability != 100 => {
            Err(CoreError::bad_input(field, "must be 100 for a WON stage"))
        }
        StageKind::Lost if probability != 0 => {
            Err(CoreError::bad_input(field, "must be 0 for a LOST stage"))
        }
        _ => Ok(()),
    }
}

/// The position after the last live stage of a pipeline.
async fn next_stage_position(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pipeline_id: Uuid,
) -> CoreResult<i32> {
    let last = stage::Entity::find()
        .filter(scope::<stage::Entity>(actor.workspace_id))
        .filter(col("stage", "pipeline_id").eq(pipeline_id))
        .order_by_desc(stage::Column::Position)
        .one(txn)
        .await?;
    Ok(last.map_or(0, |s| s.position.saturating_add(1)))
}

/// Inserts a validated stage into `pipeline_id`, at its own position or else
/// at `position`.
pub(super) async fn insert(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pipeline_id: Uuid,
    Valid(stage): Valid,
    position: i32,
) -> CoreResult<stage::Model> {
    let at = now();
    let model = stage::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        pipeline_id: Set(pipeline_id),
        name: Set(stage.name),
        position: Set(stage.position.unwrap_or(position)),
        win_probability: Set(stage.win_probability),
        kind: Set(stage.kind),
        ..Default::default()
    }
    .fresh(at);
    Ok(model.insert(txn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_agree_with_the_stage_kind() {
        assert!(check_probability(StageKind::Open, 40, "p").is_ok());
        assert!(check_probability(StageKind::Won, 100, "p").is_ok());
        assert!(check_probability(StageKind::Lost, 0, "p").is_ok());
        for (kind, probability) in [
            (StageKind::Open, 101),
            (StageKind::Open, -1),
            (StageKind::Won, 90),
            (StageKind::Lost, 10),
        ] {
            let err = check_probability(kind, probability, "input.winProbability").unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT");
        }
    }
}
