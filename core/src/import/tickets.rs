//! Ticket rows, written with their history: opened at `openedAt` (rows are
//! written in that order, so numbers follow it), answered at
//! `firstResponseAt`, resolved at `resolvedAt`, closed at `closedAt`; the
//! `status` column, when given, must agree with those times.

use chrono::{DateTime, Utc};
use entity::enums::{TicketPriority, TicketStatus};

use super::cells::Cells;
use super::refusal::Refusal;
use super::{OnConflict, Outcome, RowContext};
use crate::Kind;
use crate::ops::external_id::ExternalId;
use crate::ops::ticket::{self, NewTicket};

pub const COLUMNS: &[&str] = &[
    "externalId",
    "subject",
    "description",
    "priority",
    "category",
    "contactExternalId",
    "contactEmail",
    "companyExternalId",
    "companyDomain",
    "dealExternalId",
    "assigneeEmail",
    "status",
    "openedAt",
    "firstResponseAt",
    "resolvedAt",
    "closedAt",
];

/// A ticket row.
pub async fn write(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    if let Some(id) = cells.text("externalId")?
        && ctx
            .links()
            .by_external_id(Kind::Ticket, id.trim())
            .await?
            .is_some()
    {
        return match ctx.on_conflict {
            OnConflict::Error => Err(Refusal::conflict(format!(
                "a Ticket with the external id {id:?} exists"
            ))),
            OnConflict::Skip | OnConflict::Update => Ok(Outcome::Skipped),
        };
    }
    let opened_at = cells.time("openedAt")?.unwrap_or_else(Utc::now);
    let steps = steps(cells, opened_at)?;
    let links = ctx.links();
    let new = NewTicket {
        subject: cells.required("subject")?,
        description: cells.text("description")?,
        priority: cells
            .choice::<TicketPriority>("priority")?
            .unwrap_or(TicketPriority::Normal),
        category: cells.text("category")?,
        contact_id: links.contact(cells, "contact").await?,
        company_id: links.company(cells, "company").await?,
        deal_id: links.deal(cells).await?,
        assignee_id: links.member(cells, "assigneeEmail").await?,
        external_ids: cells
            .text("externalId")?
            .map(|id| vec![ExternalId::new(ctx.source, id.trim())])
            .unwrap_or_default(),
        custom_fields: cells.custom_fields(),
    };
    ctx.at(opened_at);
    let (row, events) = ticket::create_in(ctx.txn, ctx.actor, new).await?;
    ctx.record(events).await?;
    for (status, at, column) in steps {
        ctx.at(at);
        let (_, event) = ticket::set_status_in(ctx.txn, ctx.actor, row.id, status, None)
            .await
            .map_err(|e| Refusal::from(e).on(column))?;
        ctx.record(event.into_iter().collect()).await?;
    }
    Ok(Outcome::Created)
}

/// A status the ticket moved to, when, and the column that said so.
type Step = (TicketStatus, DateTime<Utc>, &'static str);

/// The status changes the row's times describe, in order, each with the
/// column it came from; the `status` column must be where they end.
fn steps(cells: &Cells<'_>, opened_at: DateTime<Utc>) -> Result<Vec<Step>, Refusal> {
    let mut steps = Vec::new();
    let mut last = opened_at;
    let times = [
        (TicketStatus::Pending, "firstResponseAt"),
        (TicketStatus::Resolved, "resolvedAt"),
        (TicketStatus::Closed, "closedAt"),
    ];
    for (status, column) in times {
        let Some(at) = cells.time(column)? else {
            continue;
        };
        if at < last {
            return Err(Refusal::bad_input(
                column,
                "is before the ticket's earlier times",
            ));
        }
        last = at;
        steps.push((status, at, column));
    }
    // Resolving on the first answer records both at once.
    if let [(TicketStatus::Pending, first, _), (_, next, _), ..] = steps[..]
        && first == next
    {
        steps.remove(0);
    }
    let reached = steps.last().map_or(TicketStatus::Open, |s| s.0);
    let Some(status) = cells.choice::<TicketStatus>("status")? else {
        return Ok(steps);
    };
    match (status, reached) {
        (wanted, reached) if wanted == reached => {}
        // Answered, then waiting on us again.
        (TicketStatus::Open, TicketStatus::Pending) => {
            steps.push((TicketStatus::Open, last, "status"))
        }
        // Waiting on the customer since it was opened.
        (TicketStatus::Pending, TicketStatus::Open) => {
            steps.push((TicketStatus::Pending, last, "status"))
        }
        (TicketStatus::Resolved, _) => {
            return Err(Refusal::bad_input(
                "resolvedAt",
                "is required with status RESOLVED",
            ));
        }
        (TicketStatus::Closed, _) => {
            return Err(Refusal::bad_input(
                "closedAt",
                "is required with status CLOSED",
            ));
        }
        (_, _) => {
            return Err(Refusal::bad_input(
                "status",
                "disagrees with resolvedAt/closedAt (a resolved or closed ticket is not open)",
            ));
        }
    }
    Ok(steps)
}
