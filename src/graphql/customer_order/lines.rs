//! An order's lines: the catalogue products bought, loaded for every order
//! of a level in one statement (and their products in one more).

use std::collections::HashMap;

use async_graphql::{Context, ID, InputObject, Object};
use entity::{customer_order, order_line};
use rapport_core::ops::order::lines::NewLine;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::domain::money;
use crate::graphql::context::{actor, db};
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::{Level, Row};
use crate::graphql::list::{self, in_ids};
use crate::graphql::product::Product;

/// One line of an order, as given.
#[derive(InputObject)]
pub struct OrderLineInput {
    /// The catalogue product (global id); it must be active, unless it is
    /// already on the order being changed.
    pub product_id: ID,
    /// At least 1; 1 when omitted.
    pub quantity: Option<i32>,
    /// The price of one unit in the order's currency; the product's list
    /// price in that currency when omitted (refused when it has none).
    pub unit_price: Option<Decimal>,
    /// Taken off the line as a whole, at most quantity × unit price; 0 when omitted.
    pub discount: Option<Decimal>,
}

/// The lines as the core takes them, refusing ids of other kinds.
pub fn given(lines: Vec<OrderLineInput>) -> ApiResult<Vec<NewLine>> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let field = format!("input.lines.{i}.productId");
            Ok(NewLine {
                product_id: ids::decode(&line.product_id, Kind::Product, &field)?,
                quantity: line.quantity,
                unit_price: line.unit_price,
                discount: line.discount,
            })
        })
        .collect()
}

/// One line of an order: a catalogue product, how many, at what price.
pub struct OrderLine {
    row: Row<order_line::Model>,
    currency: String,
}

/// One line of an order: a catalogue product, how many, at what price.
#[Object]
impl OrderLine {
    /// The product bought; null if it was deleted since.
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Option<Product>> {
        list::referenced(ctx, &self.row, "product", |m: &order_line::Model| {
            Some(m.product_id)
        })
        .await
    }
    /// How many units.
    async fn quantity(&self) -> i32 {
        self.row.model().quantity
    }
    /// The price of one unit, in the order's currency.
    async fn unit_price(&self) -> Decimal {
        money::from_e4(self.row.model().unit_price_e4, &self.currency)
    }
    /// Taken off the line as a whole.
    async fn discount(&self) -> Decimal {
        money::from_e4(self.row.model().discount_e4, &self.currency)
    }
    /// quantity × unit price − discount; the order's amount is the sum of these.
    async fn total(&self) -> Decimal {
        money::from_e4(self.row.model().total_e4, &self.currency)
    }
    /// ISO 4217 code of the amounts (the order's).
    async fn currency(&self) -> &str {
        &self.currency
    }
}

/// The lines of `parent`'s order, loaded for its whole level at once.
pub async fn of(
    ctx: &Context<'_>,
    parent: &Row<customer_order::Model>,
) -> ApiResult<Vec<OrderLine>> {
    let workspace_id = actor(ctx)?.workspace_id;
    let db = db(ctx)?;
    let loaded = parent
        .level
        .load("order-lines".to_owned(), |orders| async move {
            let ids: Vec<Uuid> = orders.iter().map(|o| o.id).collect();
            let backend = sea_orm::ConnectionTrait::get_database_backend(db);
            let rows = order_line::Entity::find()
                .filter(order_line::Column::WorkspaceId.eq(workspace_id))
                .filter(in_ids(
                    backend,
                    sea_orm::sea_query::Expr::col(("order_line", "order_id")),
                    ids,
                ))
                .order_by_asc(order_line::Column::OrderId)
                .order_by_asc(order_line::Column::Position)
                .all(db)
                .await?;
            let mut by_order: HashMap<Uuid, Vec<Row<order_line::Model>>> = HashMap::new();
            for row in Level::new(rows).all() {
                by_order.entry(row.model().order_id).or_default().push(row);
            }
            Ok(by_order)
        })
        .await?;
    let order = parent.model();
    Ok(loaded
        .get(&order.id)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|row| OrderLine {
            row,
            currency: order.currency.clone(),
        })
        .collect())
}
