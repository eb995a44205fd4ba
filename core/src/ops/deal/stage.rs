//! Moving a deal between the stages of its pipeline, and closing it as won
//! or lost with a reason.

use chrono::{DateTime, Utc};
use entity::enums::{DealStatus, ReasonKind, StageKind};
use entity::{deal, deal_stage_change, stage};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use super::{TEXT_MAX, current, customer_since, event_with, save};
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::ops::reason::check_listed;
use crate::rules::stored_figures::{self, Owners, Weights};
use crate::store::{Author, Core, check_reference, col, now, scope};

/// How a deal ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The customer bought.
    Won,
    /// The customer did not buy.
    Lost,
}

impl Outcome {
    /// The stage kind it moves the deal to, and the name events give it.
    fn stage(self) -> (StageKind, &'static str) {
        match self {
            Outcome::Won => (StageKind::Won, "WON"),
            Outcome::Lost => (StageKind::Lost, "LOST"),
        }
    }

    /// The workspace's list of reasons for it.
    fn reasons(self) -> ReasonKind {
        match self {
            Outcome::Won => ReasonKind::DealWon,
            Outcome::Lost => ReasonKind::DealLost,
        }
    }
}

/// Moves deal `id` to stage `stage_id` of its pipeline. Entering a WON or
/// LOST stage closes the deal; entering an OPEN stage reopens it. Moving to
/// the stage it is in changes nothing (and records nothing).
pub async fn move_to(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    stage_id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<deal::Model> {
    let txn = core.begin().await?;
    let (row, event) = move_in(&txn, actor, id, stage_id, expected_version).await?;
    if let Some(event) = event {
        core.commit(txn, Author::of(actor), vec![event]).await?;
    }
    Ok(row)
}

/// Moves deal `id` in the caller's transaction; returns it with its
/// `deal.moved` event, none when it already was in that stage.
pub async fn move_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    stage_id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<(deal::Model, Option<NewEvent>)> {
    actor.require(Area::Deals)?;
    let current = current(txn, actor, id, expected_version).await?;
    let stage = in_pipeline(txn, actor, stage_id, current.pipeline_id, "stageId").await?;
    if stage.id == current.stage_id {
        return Ok((current, None));
    }
    let at = now();
    let mut changes = <deal::ActiveModel as Default>::default();
    enter(&mut changes, &stage, at, None, Some(&current));
    let row = save(txn, actor, &current, changes).await?;
    let left = Some((current.stage_id, current.stage_entered_at));
    record_change(txn, actor, id, left, stage.id, at).await?;
    let weights = Weights::Deal {
        deal: id,
        stage: stage.id,
    };
    stored_figures::refresh_weights(txn, actor.workspace_id, weights).await?;
    customer_since(txn, actor, Owners::of(None, row.company_id)).await?;
    let details = json!({ "fromStageId": current.stage_id, "toStageId": stage.id });
    let event = event_with(&row, "moved", details)?;
    Ok((row, Some(event)))
}

/// Closes deal `id` as won or lost: moves it to its pipeline's first stage
/// of that kind (refused when there is none) and records `reason`, which
/// must be on the workspace's list when it keeps one. A deal already closed
/// that way keeps its stage and gets the new reason.
pub async fn close(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    outcome: Outcome,
    reason: &str,
    expected_version: Option<i32>,
) -> CoreResult<deal::Model> {
    core.alone(actor, async |txn| {
        close_in(txn, actor, id, outcome, reason, expected_version).await
    })
    .await
}

/// Closes deal `id` in the caller's transaction; returns it with its
/// `deal.closed` event, for the caller to commit.
pub async fn close_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    outcome: Outcome,
    reason: &str,
    expected_version: Option<i32>,
) -> CoreResult<(deal::Model, NewEvent)> {
    actor.require(Area::Deals)?;
    let reason = text::required_name(reason, TEXT_MAX).map_err(CoreError::invalid("reason"))?;
    let (kind, kind_name) = outcome.stage();
    check_listed(txn, actor, outcome.reasons(), &reason, "reason").await?;
    let current = current(txn, actor, id, expected_version).await?;
    let at = now();
    let (changes, to_stage) = if current.status == status_of(kind) {
        let changes = deal::ActiveModel {
            close_reason: Set(Some(reason.clone())),
            ..Default::default()
        };
        (changes, current.stage_id)
    } else {
        let stage = first_of_kind(txn, actor, current.pipeline_id, kind)
            .await?
            .ok_or_else(|| {
                CoreError::bad_input(
                    "outcome",
                    format!("the deal's pipeline has no {kind_name} stage"),
                )
            })?;
        let mut changes = <deal::ActiveModel as Default>::default();
        enter(
            &mut changes,
            &stage,
            at,
            Some(reason.clone()),
            Some(&current),
        );
        (changes, stage.id)
    };
    let row = save(txn, actor, &current, changes).await?;
    if to_stage != current.stage_id {
        let left = Some((current.stage_id, current.stage_entered_at));
        record_change(txn, actor, id, left, to_stage, at).await?;
        let weights = Weights::Deal {
            deal: id,
            stage: to_stage,
        };
        stored_figures::refresh_weights(txn, actor.workspace_id, weights).await?;
        customer_since(txn, actor, Owners::of(None, row.company_id)).await?;
    }
    let details = json!({ "fromStageId": current.stage_id, "toStageId": to_stage, "outcome": kind_name, "reason": reason });
    let event = event_with(&row, "closed", details)?;
    Ok((row, event))
}

fn status_of(kind: StageKind) -> DealStatus {
    match kind {
        StageKind::Open => DealStatus::Open,
        StageKind::Won => DealStatus::Won,
        StageKind::Lost => DealStatus::Lost,
    }
}

/// Puts the deal (as it `was`, none when new) into `stage` at `at`: its
/// status follows the stage's kind; an open one loses `closed_at` and its
/// reason. A deal that closes gets `closed_at` and `reason`, but one moving
/// on between two stages of the same closed kind (Won to Won 2) keeps both:
/// the first win (or loss) stands, since the figures date the deal's close
/// by it. Only reopening ends a close; closing again is a new one.
pub(super) fn enter(
    model: &mut deal::ActiveModel,
    stage: &stage::Model,
    at: DateTime<Utc>,
    reason: Option<String>,
    was: Option<&deal::Model>,
) {
    let status = status_of(stage.kind);
    let closed = status != DealStatus::Open;
    model.stage_id = Set(stage.id);
    model.stage_entered_at = Set(at);
    model.status = Set(status);
    match was {
        Some(was) if closed && was.status == status => {
            model.closed_at = Set(was.closed_at.or(Some(at)));
            model.close_reason = Set(was.close_reason.clone().or(reason));
        }
        _ => {
            model.closed_at = Set(closed.then_some(at));
            model.close_reason = Set(if closed { reason } else { None });
        }
    }
}

/// Records the deal entering stage `to` at `at`, leaving the stage it
/// entered at the time given (none when created).
pub(super) async fn record_change(
    txn: &DatabaseTransaction,
    actor: &Actor,
    deal_id: Uuid,
    left: Option<(Uuid, DateTime<Utc>)>,
    to: Uuid,
    at: DateTime<Utc>,
) -> CoreResult<()> {
    deal_stage_change::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        deal_id: Set(deal_id),
        from_stage_id: Set(left.map(|(stage, _)| stage)),
        stay_began_at: Set(left.map(|(_, entered)| entered)),
        to_stage_id: Set(to),
        changed_by: Set(Some(actor.member_id)),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The first live stage of `kind` in a pipeline, by position.
pub(super) async fn first_of_kind(
    txn: &DatabaseTransaction,
    actor: &Actor,
    pipeline_id: Uuid,
    kind: StageKind,
) -> CoreResult<Option<stage::Model>> {
    Ok(stage::Entity::find()
        .filter(scope::<stage::Entity>(actor.workspace_id))
        .filter(col("stage", "pipeline_id").eq(pipeline_id))
        .filter(col("stage", "kind").eq(kind))
        .order_by_asc(stage::Column::Position)
        .order_by_asc(stage::Column::Id)
        .one(txn)
        .await?)
}

/// A live stage of the deal's pipeline, refused on `field` otherwise.
pub(super) async fn in_pipeline(
    txn: &DatabaseTransaction,
    actor: &Actor,
    stage_id: Uuid,
    pipeline_id: Uuid,
    field: &str,
) -> CoreResult<stage::Model> {
    let stage = check_reference::<stage::Entity>(txn, actor, Some(stage_id), field)
        .await?
        .ok_or_else(|| CoreError::bad_input(field, "no such Stage"))?;
    if stage.pipeline_id != pipeline_id {
        return Err(CoreError::bad_input(field, "belongs to another pipeline"));
    }
    Ok(stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entering_a_closed_stage_closes_the_deal_and_an_open_one_reopens_it() {
        let at = now();
        let stage = |kind| stage::Model {
            id: Uuid::now_v7(),
            workspace_id: Uuid::now_v7(),
            pipeline_id: Uuid::now_v7(),
            name: "s".into(),
            position: 0,
            win_probability: 0,
            kind,
            version: 1,
            deleted_at: None,
            created_at: at,
            updated_at: at,
        };
        let mut won = <deal::ActiveModel as Default>::default();
        enter(
            &mut won,
            &stage(StageKind::Won),
            at,
            Some("price".into()),
            None,
        );
        assert_eq!(won.status.unwrap(), DealStatus::Won);
        assert_eq!(won.closed_at.unwrap(), Some(at));
        assert_eq!(won.close_reason.unwrap(), Some("price".into()));
        let mut open = <deal::ActiveModel as Default>::default();
        enter(
            &mut open,
            &stage(StageKind::Open),
            at,
            Some("ignored".into()),
            None,
        );
        assert_eq!(open.status.unwrap(), DealStatus::Open);
        assert_eq!(open.closed_at.unwrap(), None);
        assert_eq!(open.close_reason.unwrap(), None);
    }

    #[test]
    fn moving_between_won_stages_keeps_the_first_win() {
        let won_at = now();
        let later = won_at + chrono::Duration::days(3);
        let stage = |kind| stage::Model {
            id: Uuid::now_v7(),
            workspace_id: Uuid::nil(),
            pipeline_id: Uuid::nil(),
            name: "s".into(),
            position: 0,
            win_probability: 100,
            kind,
            version: 1,
            deleted_at: None,
            created_at: won_at,
            updated_at: won_at,
        };
        let was = deal::Model {
            id: Uuid::now_v7(),
            workspace_id: Uuid::nil(),
            name: "d".into(),
            amount_e4: 0,
            currency: "EUR".into(),
            pipeline_id: Uuid::nil(),
            stage_id: Uuid::now_v7(),
            company_id: None,
            owner_id: None,
            expected_close_date: None,
            status: DealStatus::Won,
            closed_at: Some(won_at),
            close_reason: Some("price".into()),
            first_touch_campaign_id: None,
            first_touch_at: None,
            last_touch_campaign_id: None,
            last_touch_at: None,
            stage_entered_at: won_at,
            custom_fields: serde_json::json!({}),
            version: 1,
            deleted_at: None,
            created_at: won_at,
            updated_at: won_at,
        };
        let mut moved = <deal::ActiveModel as Default>::default();
        enter(&mut moved, &stage(StageKind::Won), later, None, Some(&was));
        assert_eq!(moved.closed_at.unwrap(), Some(won_at));
        assert_eq!(moved.close_reason.unwrap(), Some("price".into()));
        assert_eq!(moved.stage_entered_at.unwrap(), later);
        let mut lost = <deal::ActiveModel as Default>::default();
        enter(&mut lost, &stage(StageKind::Lost), later, None, Some(&was));
        assert_eq!(
            lost.closed_at.unwrap(),
            Some(later),
            "a new outcome closes anew"
        );
        assert_eq!(lost.close_reason.unwrap(), None);
    }
}
