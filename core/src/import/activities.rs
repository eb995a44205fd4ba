//! Activity rows: notes, calls, emails, meetings and tasks on a timeline,
//! recorded at `createdAt` (by default when they occurred).

use chrono::Utc;
use entity::enums::ActivityKind;

use super::cells::Cells;
use super::refusal::Refusal;
use super::{OnConflict, Outcome, RowContext};
use crate::Kind;
use crate::ops::activity::{self, NewActivity};
use crate::ops::external_id::ExternalId;

pub const COLUMNS: &[&str] = &[
    "externalId",
    "kind",
    "subject",
    "body",
    "occurredAt",
    "dueAt",
    "contactExternalId",
    "contactEmail",
    "companyExternalId",
    "companyDomain",
    "dealExternalId",
    "ticketExternalId",
    "ticketNumber",
    "assigneeEmail",
    "createdAt",
];

/// An activity row.
pub async fn write(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    if let Some(id) = cells.text("externalId")?
        && ctx
            .links()
            .by_external_id(Kind::Activity, id.trim())
            .await?
            .is_some()
    {
        return match ctx.on_conflict {
            OnConflict::Error => Err(Refusal::conflict(format!(
                "an Activity with the external id {id:?} exists"
            ))),
            OnConflict::Skip | OnConflict::Update => Ok(Outcome::Skipped),
        };
    }
    let links = ctx.links();
    let occurred_at = cells.time("occurredAt")?;
    let new = NewActivity {
        kind: cells.choice::<ActivityKind>("kind")?.ok_or_else(|| {
            Refusal::bad_input("kind", "is required (NOTE, CALL, EMAIL, MEETING or TASK)")
        })?,
        subject: cells.required("subject")?,
        body: cells.text("body")?,
        occurred_at,
        due_at: cells.time("dueAt")?,
        contact_id: links.contact(cells, "contact").await?,
        company_id: links.company(cells, "company").await?,
        deal_id: links.deal(cells).await?,
        ticket_id: links.ticket(cells).await?,
        assignee_id: links.member(cells, "assigneeEmail").await?,
        external_ids: cells
            .text("externalId")?
            .map(|id| vec![ExternalId::new(ctx.source, id.trim())])
            .unwrap_or_default(),
    };
    let created_at = cells.time("createdAt")?.or(occurred_at);
    ctx.at(created_at.unwrap_or_else(Utc::now));
    let (_, event) = activity::create_in(ctx.txn, ctx.actor, new).await?;
    ctx.record(vec![event]).await?;
    Ok(Outcome::Created)
}
