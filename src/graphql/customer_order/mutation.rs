//! Order mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::customer_order;
use entity::enums::OrderStatus;
use rapport_core::ops::order::{self, NewOrder, OrderChanges};
use rapport_macros::connections;
use rust_decimal::Decimal;

use super::Order;
use super::lines::{self, OrderLineInput};
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// A new order, by a contact, a company, or a contact of a company.
#[derive(InputObject)]
pub struct CreateOrderInput {
    /// Who bought, by its global id.
    pub contact_id: Option<ID>,
    /// Defaults to the contact's company.
    pub company_id: Option<ID>,
    /// What was bought, in words: required without `lines`; with them, their
    /// products' names when omitted. Orders of the same product by a
    /// returning buyer count as upsell.
    pub product: Option<String>,
    /// At least 1; defaults to 1. Refused with `lines` (theirs add up).
    pub quantity: Option<i32>,
    /// The order's total, at most as many decimals as the currency has:
    /// required without `lines`, refused with them (their totals add up).
    pub amount: Option<Decimal>,
    /// ISO 4217 code of `amount`.
    pub currency: String,
    /// When it was placed (a cart: started). Defaults to now.
    pub ordered_at: Option<DateTime<Utc>>,
    /// Defaults to `PLACED`; `CART` records a cart.
    pub status: Option<OrderStatus>,
    /// When the order began as a cart: defaults to `orderedAt` for a cart
    /// and to null (placed directly) otherwise; not after `orderedAt`.
    pub cart_started_at: Option<DateTime<Utc>>,
    /// The catalogue products bought (1 to 200 lines), in `currency`.
    pub lines: Option<Vec<OrderLineInput>>,
}

/// Changes to an order; omitted fields stay. An amount needs no currency
/// unless the currency changes too.
#[derive(InputObject, Default)]
pub struct UpdateOrderInput {
    /// What was bought. Left as it is when omitted.
    pub product: Option<String>,
    /// How many units (at least 1). Left as it is when omitted.
    pub quantity: Option<i32>,
    /// The order's total, in `currency`. Left as it is when omitted.
    pub amount: Option<Decimal>,
    /// ISO 4217 code of `amount`. Left as it is when omitted.
    pub currency: Option<String>,
    /// When it was placed. Left as it is when omitted, except that a cart
    /// placed without it is placed now.
    pub ordered_at: Option<DateTime<Utc>>,
    /// A move along the order's life: a `CART` becomes `PLACED` or
    /// `ABANDONED`, an `ABANDONED` cart `CART` or `PLACED`, a `PLACED` order
    /// `CANCELLED` or `REFUNDED`; any other move is refused (`BAD_INPUT` on
    /// `input.status`). Left as it is when omitted.
    pub status: Option<OrderStatus>,
    /// The whole set of lines: the amount and quantity follow them (and are
    /// refused beside them, as on any order with lines, as is a currency
    /// change without new lines); `[]` leaves the order without lines at its
    /// current amount. Left as they are when omitted.
    pub lines: Option<Vec<OrderLineInput>>,
}

/// The result of an order mutation.
#[derive(SimpleObject)]
pub struct OrderPayload {
    /// The Order as the mutation left it.
    pub order: Order,
}

fn payload(row: customer_order::Model) -> OrderPayload {
    OrderPayload {
        order: Order(Level::single(row)),
    }
}

/// Order mutations.
#[derive(Default)]
pub struct OrderMutation;

#[connections]
#[Object]
impl OrderMutation {
    /// Records an order.
    async fn create_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateOrderInput,
    ) -> ApiResult<OrderPayload> {
        let (core, actor) = acting(ctx, Area::Orders)?;
        let new = NewOrder {
            contact_id: ids::decode_opt(
                input.contact_id.as_ref(),
                Kind::Contact,
                "input.contactId",
            )?,
            company_id: ids::decode_opt(
                input.company_id.as_ref(),
                Kind::Company,
                "input.companyId",
            )?,
            product: input.product,
            quantity: input.quantity,
            amount: input.amount,
            currency: input.currency,
            ordered_at: input.ordered_at,
            status: input.status,
            cart_started_at: input.cart_started_at,
            lines: lines::given(input.lines.unwrap_or_default())?,
        };
        Ok(payload(order::create(core, actor, new).await?))
    }

    /// Changes an order. With `expectedVersion`, refuses (`CONFLICT`) if it changed since.
    async fn update_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateOrderInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<OrderPayload> {
        let (core, actor) = acting(ctx, Area::Orders)?;
        let id = ids::decode(&id, Kind::Order, "id")?;
        let changes = OrderChanges {
            product: input.product,
            quantity: input.quantity,
            amount: input.amount,
            currency: input.currency,
            ordered_at: input.ordered_at,
            status: input.status,
            lines: input.lines.map(lines::given).transpose()?,
        };
        let row = order::update(core, actor, id, changes, expected_version).await?;
        Ok(payload(row))
    }

    /// Soft-deletes an order: sums and lists leave it out; `restoreOrder` brings it back.
    by_id!(delete_order: OrderPayload, Orders, Order,
        payload(order::delete(core, actor, id, expected_version, true).await?));

    /// Restores a deleted order.
    by_id!(restore_order: OrderPayload, Orders, Order,
        payload(order::delete(core, actor, id, expected_version, false).await?));
}
