//! Engagement rows (page views, email clicks, webinar signups, form
//! submissions): tracked at `occurredAt`, so lead scores and their history
//! follow the source's dates, and a row naming a `campaign` is a touch of
//! it then (first and last touch, as `trackEngagement` records them).

use chrono::Utc;
use entity::enums::EngagementKind;

use super::cells::Cells;
use super::purchases::{existing, keep_id};
use super::refusal::Refusal;
use super::{Outcome, RowContext, touches};
use crate::Kind;
use crate::ops::engagement::{self, NewEngagement};

pub const COLUMNS: &[&str] = &[
    "externalId",
    "contactExternalId",
    "contactEmail",
    "kind",
    "occurredAt",
    "detail",
    "campaign",
    touches::EXTERNAL_ID,
];

/// An engagement row.
pub async fn write(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    if let Some(outcome) = existing(ctx, cells, Kind::Engagement).await? {
        return Ok(outcome);
    }
    let contact_id = ctx
        .links()
        .contact(cells, "contact")
        .await?
        .ok_or_else(|| {
            Refusal::bad_input(
                "contactEmail",
                "a contact is required (contactEmail or contactExternalId)",
            )
        })?;
    let kind = cells
        .choice::<EngagementKind>("kind")?
        .ok_or_else(|| Refusal::bad_input("kind", "is required"))?;
    let campaign_id = touches::campaign_of(ctx, cells).await?;
    let occurred_at = cells.time("occurredAt")?;
    ctx.at(occurred_at.unwrap_or_else(Utc::now));
    let new = NewEngagement {
        contact_id,
        kind,
        occurred_at,
        detail: cells.text("detail")?,
        campaign_id,
    };
    let (tracked, event) = engagement::track_in(ctx.txn, ctx.actor, new).await?;
    keep_id(ctx, cells, Kind::Engagement, tracked.engagement_id).await?;
    ctx.record(vec![event]).await?;
    Ok(Outcome::Created)
}
