//! The product catalogue (issue 20): products by SKU with a category and
//! list prices, what order lines reference and what co-purchase
//! recommendations rank ([`affinity`]). The rules of every change live in
//! the core (`rapport_core::ops::product`).

pub mod affinity;
mod filter;
mod mutation;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::product;
use rapport_core::ops::product::prices;
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::context::actor;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::Record;
use crate::domain::money;

pub use self::affinity::{BuyerKind, LikelyBuyer};
pub use self::filter::{ProductFilter, ProductOrderField};
pub use self::mutation::{ProductMutation, ProductPayload};

/// A product of the catalogue.
pub struct Product(pub Row<product::Model>);

impl Record for Product {
    type Entity = product::Entity;
    type Model = product::Model;
    fn wrap(row: Row<product::Model>) -> Self {
        Self(row)
    }
}

/// A price in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct ListPrice {
    /// ISO 4217 code.
    pub currency: String,
    /// The price of one unit, with the currency's decimals.
    pub amount: Decimal,
}

/// A product of the catalogue: what order lines reference.
#[connections]
#[Object]
impl Product {
    /// Who changed it, when and how, newest first (ADMIN and MANAGER).
    history!(Product);
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Product, self.0.model().id)
    }
    /// The stock-keeping unit: unique among the workspace's live products.
    field!(sku: &str);
    /// The product's name.
    field!(name: &str);
    /// Its category, e.g. "Hardware"; `orderGroups` groups by it.
    field!(category: Option<&str>);
    /// Its list prices, one per currency, by currency; null for SUPPORT,
    /// which sees no amounts. An order line without a unit price takes the
    /// list price in the order's currency.
    async fn list_prices(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<ListPrice>>> {
        if !actor(ctx)?.sees_amounts() {
            return Ok(None);
        }
        let stored = prices::stored(&self.0.model().list_prices);
        Ok(Some(
            stored
                .into_iter()
                .map(|p| ListPrice {
                    amount: money::from_e4(p.amount_e4, &p.currency),
                    currency: p.currency,
                })
                .collect(),
        ))
    }
    /// Whether it is sold now: new order lines refuse an inactive product
    /// and recommendations leave it out.
    field!(active: bool);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was added.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// Companies (or contacts, with `among: CONTACTS`) that have not bought
    /// this product, best first, by how often buyers of what they bought
    /// also bought it; each with its score and evidence ("7 of 9 buyers of X
    /// also bought Y"). One statement for the whole level. A role narrowed
    /// to its team's or its own companies or contacts gets those it reads
    /// (the evidence counts every buyer).
    async fn likely_buyers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 1 to 50.", default = 10)] first: i32,
        #[graphql(desc = "Rank companies (when omitted or null) or contacts.")] among: Option<
            BuyerKind,
        >,
    ) -> ApiResult<Vec<LikelyBuyer>> {
        let among = among.unwrap_or(BuyerKind::Companies);
        affinity::likely_buyers(ctx, &self.0, first, among).await
    }
}

/// Product queries.
#[derive(Default)]
pub struct ProductQuery;

#[connections]
#[Object]
impl ProductQuery {
    /// The workspace's product catalogue (newest first unless `orderBy` says otherwise).
    listing!(products: Product, ProductFilter, ProductOrderField);
}
