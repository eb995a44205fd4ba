//! Deal rows, written with their history: created at `createdAt` in their
//! first stage, moved through each stage at the time they entered it (a
//! JSON Lines row's whole `stages` path, or a CSV row's `stage` entered at
//! `stageEnteredAt`), then closed at `closedAt` with `outcome` and `reason`.

use chrono::{DateTime, Utc};
use entity::enums::{DealContactRole, StageKind};
use entity::stage;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::cells::{Cells, parse_time};
use super::refusal::Refusal;
use super::{OnConflict, Outcome, RowContext};
use crate::Kind;
use crate::ops::deal::{self, DealContact, NewDeal};
use crate::ops::external_id::ExternalId;

pub const COLUMNS: &[&str] = &[
    "externalId",
    "name",
    "amount",
    "currency",
    "pipeline",
    "stage",
    "stageEnteredAt",
    "stages",
    "companyExternalId",
    "companyDomain",
    "contactExternalId",
    "contactEmail",
    "contactRole",
    "ownerEmail",
    "expectedCloseDate",
    "createdAt",
    "outcome",
    "closedAt",
    "reason",
];

/// How a closed deal ended, as a row writes it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum RowOutcome {
    Won,
    Lost,
}

/// A stage the deal entered, when, and the column that said so.
struct Step {
    stage: stage::Model,
    at: DateTime<Utc>,
    column: String,
}

/// A deal row.
pub async fn write(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    if let Some(id) = cells.text("externalId")?
        && ctx
            .links()
            .by_external_id(Kind::Deal, id.trim())
            .await?
            .is_some()
    {
        // History cannot be written twice: a deal already imported stays.
        return match ctx.on_conflict {
            OnConflict::Error => Err(Refusal::conflict(format!(
                "a Deal with the external id {id:?} exists"
            ))),
            OnConflict::Skip | OnConflict::Update => Ok(Outcome::Skipped),
        };
    }
    let links = ctx.links();
    let pipeline_id = links.pipeline(cells).await?;
    let created_given = cells.time("createdAt")?;
    let mut steps = path(ctx, cells, pipeline_id).await?;
    let created_at = created_given
        .or_else(|| steps.first().map(|s| s.at))
        .unwrap_or_else(Utc::now);
    // A CSV row's one stage, entered at creation, is the stage it is created in.
    let first = match steps.first() {
        Some(step) if step.at == created_at => Some(steps.remove(0).stage.id),
        Some(step) if step.column.starts_with("stages") => {
            return Err(Refusal::bad_input(
                "stages.0.at",
                "a deal enters its first stage when it is created (createdAt)",
            ));
        }
        _ => None,
    };
    let mut last = created_at;
    for step in &steps {
        if step.at < last {
            return Err(Refusal::bad_input(
                &step.column,
                "is before the stage entered earlier",
            ));
        }
        last = step.at;
    }
    let contacts = match links.contact(cells, "contact").await? {
        Some(contact_id) => vec![DealContact {
            contact_id,
            role: cells
                .choice::<DealContactRole>("contactRole")?
                .unwrap_or(DealContactRole::DecisionMaker),
        }],
        None => Vec::new(),
    };
    let new = NewDeal {
        name: cells.required("name")?,
        amount: cells
            .decimal("amount")?
            .ok_or_else(|| Refusal::bad_input("amount", "is required"))?,
        currency: cells.required("currency")?,
        pipeline_id,
        stage_id: first,
        company_id: links.company(cells, "company").await?,
        owner_id: links.member(cells, "ownerEmail").await?,
        expected_close_date: cells.date("expectedCloseDate")?,
        contacts,
        external_ids: cells
            .text("externalId")?
            .map(|id| vec![ExternalId::new(ctx.source, id.trim())])
            .unwrap_or_default(),
        custom_fields: cells.custom_fields(),
    };
    ctx.at(created_at);
    let (row, event) = deal::create_in(ctx.txn, ctx.actor, new).await?;
    ctx.record(vec![event]).await?;
    let mut in_stage = row.stage_id;
    for step in steps {
        ctx.at(step.at);
        let (moved, event) = deal::stage::move_in(ctx.txn, ctx.actor, row.id, step.stage.id, None)
            .await
            .map_err(|e| Refusal::from(e).on(&step.column))?;
        in_stage = moved.stage_id;
        ctx.record(event.into_iter().collect()).await?;
    }
    close(ctx, cells, row.id, in_stage, last).await?;
    Ok(Outcome::Created)
}

/// The stages the row says the deal entered, in order.
async fn path(
    ctx: &RowContext<'_>,
    cells: &Cells<'_>,
    pipeline_id: Uuid,
) -> Result<Vec<Step>, Refusal> {
    let links = ctx.links();
    if let Some(stages) = cells.value("stages") {
        let parsed;
        let stages = match stages {
            // A CSV cell may hold the path as JSON text.
            Value::String(text) => {
                parsed = serde_json::from_str::<Value>(text)
                    .map_err(|_| Refusal::bad_input("stages", "must be a JSON list"))?;
                &parsed
            }
            other => other,
        };
        let Some(list) = stages.as_array().filter(|l| !l.is_empty()) else {
            return Err(Refusal::bad_input(
                "stages",
                r#"must be a list like [{"stage": "Qualified", "at": "2026-03-01T09:00:00Z"}]"#,
            ));
        };
        let mut steps = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let name_column = format!("stages.{i}.stage");
            let at_column = format!("stages.{i}.at");
            let name = item
                .get("stage")
                .and_then(Value::as_str)
                .ok_or_else(|| Refusal::bad_input(&name_column, "is required"))?;
            let at = item
                .get("at")
                .and_then(Value::as_str)
                .and_then(parse_time)
                .ok_or_else(|| Refusal::bad_input(&at_column, "must be a time (RFC 3339)"))?;
            let stage = links.stage(pipeline_id, name, &name_column).await?;
            steps.push(Step {
                stage,
                at,
                column: at_column,
            });
        }
        return Ok(steps);
    }
    let Some(name) = cells.text("stage")? else {
        return Ok(Vec::new());
    };
    let stage = links.stage(pipeline_id, &name, "stage").await?;
    let at = match cells.time("stageEnteredAt")? {
        Some(at) => at,
        None => cells.time("createdAt")?.unwrap_or_else(Utc::now),
    };
    Ok(vec![Step {
        stage,
        at,
        column: "stageEnteredAt".into(),
    }])
}

/// Closes the deal as the row says, at `closedAt` (by default when it
/// entered its closed stage); a deal already in a stage of that kind keeps
/// it and gets the reason.
async fn close(
    ctx: &RowContext<'_>,
    cells: &Cells<'_>,
    deal_id: Uuid,
    in_stage: Uuid,
    last: DateTime<Utc>,
) -> Result<(), Refusal> {
    let closed_at = cells.time("closedAt")?;
    let reason = cells.text("reason")?;
    let Some(outcome) = cells.choice::<RowOutcome>("outcome")? else {
        if reason.is_some() {
            return Err(Refusal::bad_input(
                "reason",
                "needs an outcome (WON or LOST)",
            ));
        }
        if closed_at.is_some() && !in_closed_stage(ctx, in_stage).await? {
            return Err(Refusal::bad_input(
                "closedAt",
                "needs an outcome (WON or LOST)",
            ));
        }
        return Ok(());
    };
    let at = closed_at.unwrap_or(last);
    if at < last {
        return Err(Refusal::bad_input(
            "closedAt",
            "is before the last stage was entered",
        ));
    }
    let outcome = match outcome {
        RowOutcome::Won => deal::Outcome::Won,
        RowOutcome::Lost => deal::Outcome::Lost,
    };
    ctx.at(at);
    let reason = reason.unwrap_or_default();
    let (_, event) = deal::stage::close_in(ctx.txn, ctx.actor, deal_id, outcome, &reason, None)
        .await
        .map_err(|e| Refusal::from(e).on("outcome"))?;
    ctx.record(vec![event]).await?;
    Ok(())
}

async fn in_closed_stage(ctx: &RowContext<'_>, stage_id: Uuid) -> Result<bool, Refusal> {
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{EntityTrait, QueryFilter};
    let stage = stage::Entity::find()
        .filter(crate::store::scope::<stage::Entity>(ctx.actor.workspace_id))
        .filter(crate::store::col("stage", "id").eq(stage_id))
        .one(ctx.txn)
        .await?;
    Ok(stage.is_some_and(|s| s.kind != StageKind::Open))
}
