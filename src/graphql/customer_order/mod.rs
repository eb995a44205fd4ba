//! Orders: what contacts and companies bought. Lifetime value and revenue
//! figures are sums over them.

mod filter;
pub mod lines;
mod mutation;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::customer_order;
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::company::Company;
use super::contact::Contact;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::Row;
use super::list::{self, Record};
use crate::domain::money;

pub use filter::{OrderFilter, OrderOrderField};
pub use mutation::{OrderMutation, OrderPayload};

/// A purchase.
pub struct Order(pub Row<customer_order::Model>);

impl Record for Order {
    type Entity = customer_order::Entity;
    type Model = customer_order::Model;
    fn wrap(row: Row<customer_order::Model>) -> Self {
        Self(row)
    }
}

/// A purchase by a contact or a company.
#[connections]
#[Object]
impl Order {
    /// Its ids in other systems, by source then id.
    async fn external_ids(
        &self,
        ctx: &Context<'_>,
    ) -> crate::graphql::error::ApiResult<Vec<crate::graphql::external_id::ExternalIdValue>> {
        let id = |m: &customer_order::Model| m.id;
        crate::graphql::external_id::external_ids_of(ctx, &self.0, rapport_core::Kind::Order, id)
            .await
    }
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Order, self.0.model().id)
    }
    /// What was bought, in words: for an order with lines, their products'
    /// names unless given; for one without, the only record of it.
    field!(product: &str);
    /// The catalogue products bought, in order; empty for an order known
    /// only by its product text.
    async fn lines(&self, ctx: &Context<'_>) -> ApiResult<Vec<lines::OrderLine>> {
        lines::of(ctx, &self.0).await
    }
    /// How many units (with lines, the sum of theirs).
    field!(quantity: i32);
    /// The order's total, in `currency` (with lines, the sum of their totals).
    async fn amount(&self) -> Decimal {
        let m = self.0.model();
        money::from_e4(m.amount_e4, &m.currency)
    }
    /// ISO 4217 code of `amount`.
    field!(currency: &str);
    /// When it was placed; for a cart or an abandoned cart, when it was
    /// started.
    field!(ordered_at: DateTime<Utc>);
    /// Where it stands: only `PLACED` orders count toward lifetime value,
    /// revenue and the order figures.
    field!(status: entity::enums::OrderStatus);
    /// When it began as a cart; null for an order placed directly.
    field!(cart_started_at: Option<DateTime<Utc>>);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while the order is deleted (it can be restored).
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
    /// When it last changed.
    field!(updated_at: DateTime<Utc>);
    /// Who bought.
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<Contact>> {
        list::referenced(ctx, &self.0, "contact", |m: &customer_order::Model| {
            m.contact_id
        })
        .await
    }
    /// The company that bought, or the buyer's company.
    async fn company(&self, ctx: &Context<'_>) -> ApiResult<Option<Company>> {
        list::referenced(ctx, &self.0, "company", |m: &customer_order::Model| {
            m.company_id
        })
        .await
    }
}

/// Order queries.
#[derive(Default)]
pub struct OrderQuery;

#[connections]
#[Object]
impl OrderQuery {
    /// The workspace's orders (newest first unless `orderBy` says otherwise).
    listing!(orders: Order, OrderFilter, OrderOrderField);
}
