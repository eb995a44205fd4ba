//! Pipelines and their stages: the sales processes deals move through.
//! Only ADMIN and MANAGER may change them.
//!
//! Stages must agree with their kind: a WON stage has win probability 100,
//! a LOST one 0. A stage (or pipeline) holding live deals cannot be deleted,
//! nor can its kind change, since deal statuses follow stage kinds. Stage
//! operations live in [`stage`].

pub mod stage;

use crate::store::Fresh;
use entity::{deal, pipeline};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
};
use uuid::Uuid;

pub use self::stage::{NewStage, StageChanges};
use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{
    Author, Core, Table, check_version, col, event_for, load_any, load_live, now,
    save_if_unchanged, scope, set_deleted,
};

/// The longest pipeline or stage name.
const NAME_MAX: usize = 200;

/// A new pipeline, optionally with its stages.
#[derive(Debug, Clone, Default)]
pub struct NewPipeline {
    pub name: String,
    /// Its place among the workspace's pipelines; defaults to after the last.
    pub position: Option<i32>,
    /// Stages created with it, in the same transaction; a stage without a
    /// position takes its place in this list.
    pub stages: Vec<NewStage>,
}

/// Changes to a pipeline; `None` fields stay.
#[derive(Debug, Clone, Default)]
pub struct PipelineChanges {
    pub name: Option<String>,
    pub position: Option<i32>,
}

/// Creates a pipeline, with its stages when given.
pub async fn create(core: &Core, actor: &Actor, new: NewPipeline) -> CoreResult<pipeline::Model> {
    actor.require(Area::Pipelines)?;
    let name =
        text::required_name(&new.name, NAME_MAX).map_err(CoreError::invalid("input.name"))?;
    let position = new
        .position
        .map(|p| check_position(p, "input.position"))
        .transpose()?;
    let stages = new
        .stages
        .into_iter()
        .enumerate()
        .map(|(i, s)| s.validate(&format!("input.stages.{i}")))
        .collect::<CoreResult<Vec<_>>>()?;
    let txn = core.begin().await?;
    let position = match position {
        Some(p) => p,
        None => next_pipeline_position(&txn, actor).await?,
    };
    let at = now();
    let row = pipeline::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        position: Set(position),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    let mut events = vec![event_for::<pipeline::Entity>(&row, "created")?];
    for (i, stage) in stages.into_iter().enumerate() {
        let place = i32::try_from(i).unwrap_or(i32::MAX);
        let stage = stage::insert(&txn, actor, row.id, stage, place).await?;
        events.push(event_for::<entity::stage::Entity>(&stage, "created")?);
    }
    core.commit(txn, Author::of(actor), events).await?;
    Ok(row)
}

/// Renames or repositions pipeline `id`; with `expected_version`, refuses
/// (`CONFLICT`) if it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: PipelineChanges,
    expected_version: Option<i32>,
) -> CoreResult<pipeline::Model> {
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
    let current = load_live::<pipeline::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let model = pipeline::ActiveModel {
        name: Set(name.unwrap_or_else(|| current.name.clone())),
        position: Set(position.unwrap_or(current.position)),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row =
        save_if_unchanged::<pipeline::Entity>(&txn, actor, id, current.version, model).await?;
    core.finish::<pipeline::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes pipeline `id`; refused (`BAD_USER_INPUT` on `id`) while it
/// holds live deals.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<pipeline::Model> {
    delete_without_deals::<pipeline::Entity>(core, actor, id, expected_version, "pipeline_id").await
}

/// Restores deleted pipeline `id`.
pub async fn restore(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<pipeline::Model> {
    delete_or_restore::<pipeline::Entity>(core, actor, Area::Pipelines, id, expected_version, false)
        .await
}

fn check_position(position: i32, field: &str) -> CoreResult<i32> {
    if position < 0 {
        return Err(CoreError::bad_input(field, "must not be negative"));
    }
    Ok(position)
}

/// The position after the last live pipeline of the workspace.
async fn next_pipeline_position(txn: &DatabaseTransaction, actor: &Actor) -> CoreResult<i32> {
    let last = pipeline::Entity::find()
        .filter(scope::<pipeline::Entity>(actor.workspace_id))
        .order_by_desc(pipeline::Column::Position)
        .one(txn)
        .await?;
    Ok(last.map_or(0, |p| p.position.saturating_add(1)))
}

/// How many live deals point at `id` through `deal.<column>`.
async fn live_deals(
    txn: &DatabaseTransaction,
    actor: &Actor,
    column: &'static str,
    id: Uuid,
) -> CoreResult<u64> {
    Ok(deal::Entity::find()
        .filter(scope::<deal::Entity>(actor.workspace_id))
        .filter(col("deal", column).eq(id))
        .count(txn)
        .await?)
}

/// Refuses to change `field` while deals still sit in the record.
fn refuse_with_deals(count: u64, field: &str) -> CoreResult<()> {
    match count {
        0 => Ok(()),
        1 => Err(CoreError::bad_input(field, "move its 1 deal first")),
        n => Err(CoreError::bad_input(
            field,
            format!("move its {n} deals first"),
        )),
    }
}

/// Soft-deletes a pipeline or stage, refused while live deals are in it:
/// they would be left pointing at a stage no list shows.
async fn delete_without_deals<T: Table>(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    deal_column: &'static str,
) -> CoreResult<T::Model> {
    actor.require(Area::Pipelines)?;
    let txn = core.begin().await?;
    let row = load_live::<T>(&txn, actor, id).await?;
    check_version(expected_version, T::version(&row))?;
    refuse_with_deals(live_deals(&txn, actor, deal_column, id).await?, "id")?;
    set_deleted::<T>(&txn, actor, id, T::version(&row), true).await?;
    let row = load_any::<T>(&txn, actor, id).await?;
    core.finish::<T>(txn, actor, row, "deleted").await
}
