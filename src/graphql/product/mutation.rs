//! Product mutations (ADMIN and MANAGER): each converts its input and calls
//! one core operation (`rapport_core::ops::product`), where the rules live.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use rapport_core::ops::product::prices::ListPrice;
use rapport_core::ops::product::{self, NewProduct, ProductChanges};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Product;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::write::patch;

/// A list price as given.
#[derive(InputObject)]
pub struct ListPriceInput {
    /// ISO 4217 code; one price per currency.
    pub currency: String,
    /// Zero or more, with at most as many decimals as the currency has.
    pub amount: Decimal,
}

fn prices(given: Vec<ListPriceInput>) -> Vec<ListPrice> {
    given
        .into_iter()
        .map(|p| ListPrice {
            currency: p.currency,
            amount: p.amount,
        })
        .collect()
}

/// A new product.
#[derive(InputObject)]
pub struct CreateProductInput {
    /// The stock-keeping unit (1 to 64 characters), unique among the
    /// workspace's live products, compared exactly.
    pub sku: String,
    /// The product's name (1 to 200 characters).
    pub name: String,
    /// Its category (up to 100 characters).
    pub category: Option<String>,
    /// Its list prices, one per currency; none when omitted.
    #[graphql(default)]
    pub list_prices: Vec<ListPriceInput>,
    /// Whether it is sold now; true when omitted.
    pub active: Option<bool>,
}

/// Changes to a product; omitted fields stay, `null` clears `category`.
#[derive(InputObject, Default)]
pub struct UpdateProductInput {
    /// The SKU. Left as it is when omitted.
    pub sku: Option<String>,
    /// The name. Left as it is when omitted.
    pub name: Option<String>,
    /// The category; `null` clears it.
    pub category: MaybeUndefined<String>,
    /// The whole set of list prices (currencies not listed lose theirs).
    /// Left as they are when omitted.
    pub list_prices: Option<Vec<ListPriceInput>>,
    /// Whether it is sold now. Left as it is when omitted.
    pub active: Option<bool>,
}

/// The result of a product mutation.
#[derive(SimpleObject)]
pub struct ProductPayload {
    /// The Product as the mutation left it.
    pub product: Product,
}

impl ProductPayload {
    fn of(row: entity::product::Model) -> Self {
        Self {
            product: Product(Level::single(row)),
        }
    }
}

#[derive(Default)]
pub struct ProductMutation;

#[connections]
#[Object]
impl ProductMutation {
    /// Adds a product to the catalogue (ADMIN and MANAGER).
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateProductInput,
    ) -> ApiResult<ProductPayload> {
        let (core, actor) = acting(ctx, Area::Products)?;
        let new = NewProduct {
            sku: input.sku,
            name: input.name,
            category: input.category,
            list_prices: prices(input.list_prices),
            active: input.active,
        };
        Ok(ProductPayload::of(product::create(core, actor, new).await?))
    }

    /// Changes a product (ADMIN and MANAGER). Orders keep their lines and
    /// prices as they were.
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateProductInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<ProductPayload> {
        let (core, actor) = acting(ctx, Area::Products)?;
        let id = ids::decode(&id, Kind::Product, "id")?;
        let changes = ProductChanges {
            sku: input.sku,
            name: input.name,
            category: patch(input.category),
            list_prices: input.list_prices.map(prices),
            active: input.active,
        };
        let row = product::update(core, actor, id, changes, expected_version).await?;
        Ok(ProductPayload::of(row))
    }

    /// Soft-deletes a product; order lines keep pointing at it.
    lifecycle!(delete_product: ProductPayload, Products, Product, product::delete, true);

    /// Restores a deleted product (refused while another live product has its SKU).
    lifecycle!(restore_product: ProductPayload, Products, Product, product::delete, false);
}
