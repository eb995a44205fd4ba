//! Product rows: the catalogue, by SKU. A row whose SKU a live product
//! already has is skipped, refused or applied to it (`--on-conflict`), so
//! a price list can be loaded again; its `listPrices` are written like an
//! export's (`EUR 9.50; USD 10.00`) and replace the product's whole set.

use chrono::Utc;
use entity::product;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::cells::Cells;
use super::refusal::Refusal;
use super::{OnConflict, Outcome, RowContext};
use crate::ops::Patch;
use crate::ops::product::{NewProduct, ProductChanges, create_in, prices, update_in};

pub const COLUMNS: &[&str] = &[
    "sku",
    "name",
    "category",
    "listPrices",
    "active",
    "createdAt",
    // A products export's own columns, read past, so its file loads as it is.
    "id",
    "version",
    "updatedAt",
];

/// A product row.
pub async fn write(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    let sku: String = cells.required("sku")?;
    let list_prices = cells
        .text("listPrices")?
        .map(|text| prices::parse_text(&text, "listPrices"))
        .transpose()?;
    let active = cells.text("active")?.map(|t| active_of(&t)).transpose()?;
    ctx.at(cells.time("createdAt")?.unwrap_or_else(Utc::now));
    let found = product::Entity::find()
        .filter(product::Column::WorkspaceId.eq(ctx.actor.workspace_id))
        .filter(product::Column::DeletedAt.is_null())
        .filter(product::Column::Sku.eq(sku.trim()))
        .one(ctx.txn)
        .await?;
    let Some(current) = found else {
        let new = NewProduct {
            sku,
            name: cells.required("name")?,
            category: cells.text("category")?,
            list_prices: list_prices.unwrap_or_default(),
            active,
        };
        let (_, event) = create_in(ctx.txn, ctx.actor, new).await?;
        ctx.record(vec![event]).await?;
        return Ok(Outcome::Created);
    };
    match ctx.on_conflict {
        OnConflict::Skip => return Ok(Outcome::Skipped),
        OnConflict::Error => {
            return Err(Refusal::conflict(format!(
                "a product with the SKU {:?} exists",
                current.sku
            )));
        }
        OnConflict::Update => {}
    }
    let changes = ProductChanges {
        sku: None,
        name: cells.text("name")?,
        category: cells.text("category")?.map_or(Patch::Keep, Patch::Set),
        list_prices,
        active,
    };
    let (row, event) = update_in(ctx.txn, ctx.actor, current.id, changes, None).await?;
    let same = row.name == current.name
        && row.category == current.category
        && row.list_prices == current.list_prices
        && row.active == current.active;
    if same {
        // Rolled back by the caller: nothing changed, nothing recorded.
        return Ok(Outcome::Unchanged);
    }
    ctx.record(vec![event]).await?;
    Ok(Outcome::Updated)
}

/// `true`/`false` (any case; also `yes`/`no`, `1`/`0`).
fn active_of(text: &str) -> Result<bool, Refusal> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(Refusal::bad_input("active", "is true or false")),
    }
}
