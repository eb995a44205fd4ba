//! Order and survey-response rows: bought at `orderedAt` (with a `status`,
//! `PLACED` by default, and `cartStartedAt` for an order that began as a
//! cart), answered at
//! `respondedAt` (and recorded then, unless `createdAt` says otherwise), so
//! lifetime values, first-order dates, NPS and CSAT follow the source's dates.

use chrono::Utc;
use entity::enums::SurveyKind;

use super::cells::Cells;
use super::refusal::Refusal;
use super::{OnConflict, Outcome, RowContext};
use crate::Kind;
use crate::ops::external_id::{self, ExternalId};
use crate::ops::order::lines::NewLine;
use crate::ops::order::{self, NewOrder};
use crate::ops::survey::{self, NewSurveyResponse};
use entity::product;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

pub const ORDER_COLUMNS: &[&str] = &[
    "externalId",
    "contactExternalId",
    "contactEmail",
    "companyExternalId",
    "companyDomain",
    "product",
    "sku",
    "quantity",
    "amount",
    "currency",
    "orderedAt",
    "status",
    "cartStartedAt",
    "createdAt",
];

pub const SURVEY_COLUMNS: &[&str] = &[
    "externalId",
    "contactExternalId",
    "contactEmail",
    "ticketExternalId",
    "ticketNumber",
    "kind",
    "score",
    "reason",
    "comment",
    "respondedAt",
    "createdAt",
];

/// An order row.
pub async fn order(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    if let Some(outcome) = existing(ctx, cells, Kind::Order).await? {
        return Ok(outcome);
    }
    let links = ctx.links();
    let ordered_at = cells.time("orderedAt")?;
    let currency: String = cells.required("currency")?;
    let quantity = cells.integer("quantity")?;
    let amount = cells.decimal("amount")?;
    // With a SKU the order gets one line of that catalogue product, its
    // total the row's amount (the list price when there is none).
    let (product, quantity, amount, lines) = match cells.text("sku")? {
        Some(sku) => {
            let product_id = product_with_sku(ctx, sku.trim()).await?;
            let line = NewLine::for_total(product_id, quantity, amount, &currency);
            (cells.text("product")?, None, None, vec![line])
        }
        None => {
            let amount = amount.ok_or_else(|| Refusal::bad_input("amount", "is required"))?;
            let product = cells.required("product")?;
            (Some(product), quantity, Some(amount), Vec::new())
        }
    };
    let new = NewOrder {
        contact_id: links.contact(cells, "contact").await?,
        company_id: links.company(cells, "company").await?,
        product,
        quantity,
        amount,
        currency,
        ordered_at,
        status: cells.choice("status")?,
        cart_started_at: cells.time("cartStartedAt")?,
        lines,
    };
    ctx.at(cells
        .time("createdAt")?
        .or(ordered_at)
        .unwrap_or_else(Utc::now));
    let (row, event) = order::create_in(ctx.txn, ctx.actor, new).await?;
    keep_id(ctx, cells, Kind::Order, row.id).await?;
    ctx.record(vec![event]).await?;
    Ok(Outcome::Created)
}

/// The live product with SKU `sku`, refused on the `sku` column when there
/// is none.
async fn product_with_sku(ctx: &RowContext<'_>, sku: &str) -> Result<uuid::Uuid, Refusal> {
    let found = product::Entity::find()
        .filter(product::Column::WorkspaceId.eq(ctx.actor.workspace_id))
        .filter(product::Column::DeletedAt.is_null())
        .filter(product::Column::Sku.eq(sku))
        .one(ctx.txn)
        .await?;
    found
        .map(|p| p.id)
        .ok_or_else(|| Refusal::not_found("sku", format!("no product has the SKU {sku:?}")))
}

/// A survey-response row.
pub async fn survey_response(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    if let Some(outcome) = existing(ctx, cells, Kind::SurveyResponse).await? {
        return Ok(outcome);
    }
    let links = ctx.links();
    let responded_at = cells.time("respondedAt")?;
    let new = NewSurveyResponse {
        contact_id: links.contact(cells, "contact").await?.ok_or_else(|| {
            Refusal::bad_input(
                "contactEmail",
                "a contact is required (contactEmail or contactExternalId)",
            )
        })?,
        ticket_id: links.ticket(cells).await?,
        kind: cells
            .choice::<SurveyKind>("kind")?
            .ok_or_else(|| Refusal::bad_input("kind", "is required (NPS or CSAT)"))?,
        score: cells
            .integer("score")?
            .ok_or_else(|| Refusal::bad_input("score", "is required"))?,
        reason: cells.text("reason")?,
        comment: cells.text("comment")?,
        responded_at,
    };
    ctx.at(cells
        .time("createdAt")?
        .or(responded_at)
        .unwrap_or_else(Utc::now));
    let (row, events) = survey::create_in(ctx.txn, ctx.actor, new).await?;
    keep_id(ctx, cells, Kind::SurveyResponse, row.id).await?;
    ctx.record(events).await?;
    Ok(Outcome::Created)
}

/// What becomes of a row whose external id is taken: these records are
/// never rewritten (`update` skips them too).
pub(super) async fn existing(
    ctx: &RowContext<'_>,
    cells: &Cells<'_>,
    kind: Kind,
) -> Result<Option<Outcome>, Refusal> {
    let Some(id) = cells.text("externalId")? else {
        return Ok(None);
    };
    if ctx.links().by_external_id(kind, id.trim()).await?.is_none() {
        return Ok(None);
    }
    match ctx.on_conflict {
        OnConflict::Error => Err(Refusal::conflict(format!(
            "a {} with the external id {id:?} exists",
            kind.name()
        ))),
        OnConflict::Skip | OnConflict::Update => Ok(Some(Outcome::Skipped)),
    }
}

/// Keeps the row's `externalId` on the new record.
pub(super) async fn keep_id(
    ctx: &RowContext<'_>,
    cells: &Cells<'_>,
    kind: Kind,
    record_id: uuid::Uuid,
) -> Result<(), Refusal> {
    let Some(id) = cells.text("externalId")? else {
        return Ok(());
    };
    let ids = external_id::validate(vec![ExternalId::new(ctx.source, id)], "externalId")?;
    let workspace = ctx.actor.workspace_id;
    external_id::attach(
        ctx.txn,
        workspace,
        kind,
        record_id,
        &ids,
        false,
        "externalId",
    )
    .await?;
    Ok(())
}
