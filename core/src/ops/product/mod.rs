//! The product catalogue: what a workspace sells, by SKU (unique among its
//! live products), with a category and a list price per currency. Order
//! lines reference products; an inactive product stays on the orders that
//! have it but takes no new lines. ADMIN and MANAGER manage the catalogue;
//! every role reads it (SUPPORT without prices).

pub mod prices;

use crate::store::Fresh;
use entity::product;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use self::prices::ListPrice;
use super::Patch;
use super::lifecycle::delete_or_restore;
use super::unique::Unique;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::store::{
    Core, check_version, event_for, event_for_new, load_live, now, save_if_unchanged,
};
use sea_orm::DatabaseTransaction;

/// Longest SKU, in characters.
const SKU_MAX: usize = 64;
/// Longest product name.
const NAME_MAX: usize = 200;
/// Longest category.
const CATEGORY_MAX: usize = 100;

/// A new product.
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub list_prices: Vec<ListPrice>,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// Changes to a product; `None` and `Keep` fields stay.
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub category: Patch<String>,
    /// The whole set of list prices (currencies not listed lose theirs).
    pub list_prices: Option<Vec<ListPrice>>,
    pub active: Option<bool>,
}

/// Adds a product to the catalogue (ADMIN and MANAGER).
pub async fn create(core: &Core, actor: &Actor, new: NewProduct) -> CoreResult<product::Model> {
    core.alone(actor, async |txn| create_in(txn, actor, new).await)
        .await
}

/// Adds a product in the caller's transaction and returns it with its
/// `product.created` event, for the caller to commit (imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewProduct,
) -> CoreResult<(product::Model, NewEvent)> {
    actor.require(Area::Products)?;
    let sku = check_sku(&new.sku)?;
    let name = check_name(&new.name)?;
    let category = check_category(new.category)?;
    let list_prices = prices::check(new.list_prices, "input.listPrices")?;
    Unique::ProductSku
        .check_free(txn, actor.workspace_id, Some(&sku), &[], "input.sku")
        .await?;
    let at = now();
    let row = product::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        sku: Set(sku),
        name: Set(name),
        category: Set(category),
        list_prices: Set(list_prices),
        active: Set(new.active.unwrap_or(true)),
        ..Default::default()
    }
    .fresh(at)
    .insert(txn)
    .await
    .map_err(Unique::ProductSku.or_taken("input.sku"))?;
    let event = event_for_new::<product::Entity>(&row, "created")?;
    Ok((row, event))
}

/// Changes product `id`; with `expected_version`, refuses (`CONFLICT`) if it
/// changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: ProductChanges,
    expected_version: Option<i32>,
) -> CoreResult<product::Model> {
    core.alone(actor, async |txn| {
        update_in(txn, actor, id, changes, expected_version).await
    })
    .await
}

/// Changes product `id` in the caller's transaction and returns it with its
/// `product.updated` event, for the caller to commit (imports).
pub async fn update_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    changes: ProductChanges,
    expected_version: Option<i32>,
) -> CoreResult<(product::Model, NewEvent)> {
    actor.require(Area::Products)?;
    let sku = changes.sku.as_deref().map(check_sku).transpose()?;
    let name = changes.name.as_deref().map(check_name).transpose()?;
    let category = match changes.category {
        Patch::Set(category) => Patch::from_option(check_category(Some(category))?),
        other => other,
    };
    let list_prices = changes
        .list_prices
        .map(|given| prices::check(given, "input.listPrices"))
        .transpose()?;
    let current = load_live::<product::Entity>(txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    if let Some(sku) = &sku {
        Unique::ProductSku
            .check_free(txn, actor.workspace_id, Some(sku), &[id], "input.sku")
            .await?;
    }
    let change = product::ActiveModel {
        sku: Set(sku.unwrap_or_else(|| current.sku.clone())),
        name: Set(name.unwrap_or_else(|| current.name.clone())),
        category: Set(category.apply(current.category.clone())),
        list_prices: Set(list_prices.unwrap_or_else(|| current.list_prices.clone())),
        active: Set(changes.active.unwrap_or(current.active)),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row = save_if_unchanged::<product::Entity>(txn, actor, id, current.version, change).await?;
    let event = event_for::<product::Entity>(&row, "updated")?;
    Ok((row, event))
}

/// Soft-deletes (`delete`) or restores product `id`. Order lines keep
/// pointing at a deleted product; restoring one whose SKU another live
/// product took since is refused.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<product::Model> {
    delete_or_restore::<product::Entity>(core, actor, Area::Products, id, expected_version, delete)
        .await
}

/// A SKU: trimmed, 1 to 64 characters, compared exactly.
fn check_sku(raw: &str) -> CoreResult<String> {
    text::required_name(raw, SKU_MAX).map_err(CoreError::invalid("input.sku"))
}

fn check_name(raw: &str) -> CoreResult<String> {
    text::required_name(raw, NAME_MAX).map_err(CoreError::invalid("input.name"))
}

fn check_category(raw: Option<String>) -> CoreResult<Option<String>> {
    text::optional_text(raw.as_deref(), CATEGORY_MAX).map_err(CoreError::invalid("input.category"))
}
