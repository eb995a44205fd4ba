//! An order's lines: catalogue products with a quantity, a unit price (the
//! product's list price in the order's currency unless given) and a
//! discount off the line. An order with lines takes its amount (the sum of
//! the line totals), its quantity (the sum of theirs) and, unless given, its
//! product text (their names) from them; lines are written as a whole set.

use std::collections::HashMap;

use entity::{order_line, product};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::domain::money;
use crate::error::{CoreError, CoreResult};
use crate::ops::product::prices;
use crate::store::now;

/// Most lines on one order.
pub const MAX_LINES: usize = 200;
/// Longest product text an order keeps (the column's width).
const PRODUCT_TEXT_MAX: usize = 200;

/// A line as given.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub product_id: Uuid,
    /// At least 1; defaults to 1.
    pub quantity: Option<i32>,
    /// Defaults to the product's list price in the order's currency.
    pub unit_price: Option<Decimal>,
    /// Taken off the line as a whole; defaults to 0, at most the line's gross.
    pub discount: Option<Decimal>,
}

impl NewLine {
    /// One line of `product_id` whose total is `amount` (an imported order
    /// known by its SKU and its total): the unit price is the total per unit
    /// rounded up to the currency's minor unit, the rounding given back as
    /// the discount, so the line adds up to the total exactly. Without an
    /// amount, the list price applies.
    pub fn for_total(
        product_id: Uuid,
        quantity: Option<i32>,
        amount: Option<Decimal>,
        currency: &str,
    ) -> Self {
        let count = quantity.unwrap_or(1);
        let priced = amount.filter(|_| count >= 1).map(|amount| {
            let code = crate::domain::currency::normalize_currency(currency).unwrap_or_default();
            let places = crate::domain::currency::exponent(&code).unwrap_or(4);
            let unit = (amount / Decimal::from(count))
                .round_dp_with_strategy(places, rust_decimal::RoundingStrategy::AwayFromZero);
            (unit, unit * Decimal::from(count) - amount)
        });
        Self {
            product_id,
            quantity,
            unit_price: priced.map(|(unit, _)| unit),
            discount: priced.map(|(_, discount)| discount),
        }
    }
}

/// A line checked against the catalogue, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedLine {
    pub product_id: Uuid,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price_e4: i64,
    pub discount_e4: i64,
    pub total_e4: i64,
}

/// What an order takes from its lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub amount_e4: i64,
    pub quantity: i32,
    /// The products' names, comma-separated, cut to the column's width.
    pub product_text: String,
}

/// Checks `given` in `currency` against the workspace's live products (one
/// statement). A product must be active unless it is in `kept` (already on
/// the order: editing an old order does not need its product still sold).
pub async fn check(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    given: Vec<NewLine>,
    currency: &str,
    kept: &[Uuid],
) -> CoreResult<Vec<CheckedLine>> {
    if given.is_empty() {
        return Err(CoreError::bad_input(
            "input.lines",
            "give at least one line",
        ));
    }
    if given.len() > MAX_LINES {
        return Err(CoreError::bad_input(
            "input.lines",
            format!("at most {MAX_LINES} lines"),
        ));
    }
    let ids: Vec<Uuid> = given.iter().map(|l| l.product_id).collect();
    let products: HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::WorkspaceId.eq(workspace_id))
        .filter(product::Column::DeletedAt.is_null())
        .filter(product::Column::Id.is_in(ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut checked = Vec::with_capacity(given.len());
    for (i, line) in given.into_iter().enumerate() {
        let field = |name: &str| format!("input.lines.{i}.{name}");
        let Some(product) = products.get(&line.product_id) else {
            return Err(CoreError::bad_input(field("productId"), "no such Product"));
        };
        if !product.active && !kept.contains(&product.id) {
            return Err(CoreError::bad_input(
                field("productId"),
                format!("{} is not sold any more (inactive)", product.sku),
            ));
        }
        let quantity = line.quantity.unwrap_or(1);
        if quantity < 1 {
            return Err(CoreError::bad_input(
                field("quantity"),
                "must be at least 1",
            ));
        }
        let unit_price_e4 = match line.unit_price {
            Some(price) => non_negative(price, currency, &field("unitPrice"))?,
            None => prices::in_currency(&product.list_prices, currency).ok_or_else(|| {
                CoreError::bad_input(
                    field("unitPrice"),
                    format!(
                        "{} has no list price in {currency}: give the unit price",
                        product.sku
                    ),
                )
            })?,
        };
        let discount_e4 = match line.discount {
            Some(discount) => non_negative(discount, currency, &field("discount"))?,
            None => 0,
        };
        let gross = i64::from(quantity)
            .checked_mul(unit_price_e4)
            .ok_or_else(|| CoreError::bad_input(field("quantity"), "the line is too large"))?;
        if discount_e4 > gross {
            return Err(CoreError::bad_input(
                field("discount"),
                "must not be more than quantity × unit price",
            ));
        }
        checked.push(CheckedLine {
            product_id: product.id,
            product_name: product.name.clone(),
            quantity,
            unit_price_e4,
            discount_e4,
            total_e4: gross - discount_e4,
        });
    }
    Ok(checked)
}

/// The order's amount, quantity and product text from its lines.
pub fn totals(lines: &[CheckedLine]) -> CoreResult<Totals> {
    let too_large = || CoreError::bad_input("input.lines", "the order's total is too large");
    let mut amount_e4: i64 = 0;
    let mut quantity: i32 = 0;
    let mut names: Vec<&str> = Vec::new();
    for line in lines {
        amount_e4 = amount_e4.checked_add(line.total_e4).ok_or_else(too_large)?;
        quantity = quantity.checked_add(line.quantity).ok_or_else(too_large)?;
        if !names.contains(&line.product_name.as_str()) {
            names.push(&line.product_name);
        }
    }
    let joined = names.join(", ");
    let product_text = match joined.char_indices().nth(PRODUCT_TEXT_MAX) {
        // Cut on a character, leaving room for the ellipsis.
        Some(_) => {
            let cut: String = joined.chars().take(PRODUCT_TEXT_MAX - 1).collect();
            format!("{cut}…")
        }
        None => joined,
    };
    Ok(Totals {
        amount_e4,
        quantity,
        product_text,
    })
}

/// Replaces order `order_id`'s lines with `lines` (none: the order has no
/// lines any more).
pub async fn replace(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    order_id: Uuid,
    lines: &[CheckedLine],
) -> CoreResult<()> {
    order_line::Entity::delete_many()
        .filter(Expr::col(order_line::Column::WorkspaceId).eq(workspace_id))
        .filter(Expr::col(order_line::Column::OrderId).eq(order_id))
        .exec(txn)
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = lines
        .iter()
        .enumerate()
        .map(|(i, line)| order_line::ActiveModel {
            id: Set(crate::store::new_id()),
            workspace_id: Set(workspace_id),
            order_id: Set(order_id),
            product_id: Set(line.product_id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            quantity: Set(line.quantity),
            unit_price_e4: Set(line.unit_price_e4),
            discount_e4: Set(line.discount_e4),
            total_e4: Set(line.total_e4),
            created_at: Set(at),
            updated_at: Set(at),
        });
    order_line::Entity::insert_many(rows).exec(txn).await?;
    Ok(())
}

/// The products on order `order_id` now.
pub async fn products_on(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    order_id: Uuid,
) -> CoreResult<Vec<Uuid>> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::WorkspaceId.eq(workspace_id))
        .filter(order_line::Column::OrderId.eq(order_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| l.product_id)
        .collect())
}

fn non_negative(amount: Decimal, currency: &str, field: &str) -> CoreResult<i64> {
    if amount.is_sign_negative() {
        return Err(CoreError::bad_input(field, "must not be negative"));
    }
    money::amount_e4(amount, currency).map_err(CoreError::invalid(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, quantity: i32, total_e4: i64) -> CheckedLine {
        CheckedLine {
            product_id: Uuid::nil(),
            product_name: name.into(),
            quantity,
            unit_price_e4: 0,
            discount_e4: 0,
            total_e4,
        }
    }

    #[test]
    fn an_imported_total_splits_into_a_unit_price_and_its_rounding() {
        let line = NewLine::for_total(Uuid::nil(), Some(3), Some(Decimal::new(1000, 2)), "usd");
        assert_eq!(line.unit_price, Some(Decimal::new(334, 2)));
        assert_eq!(line.discount, Some(Decimal::new(2, 2)));
        let listed = NewLine::for_total(Uuid::nil(), None, None, "USD");
        assert_eq!((listed.unit_price, listed.discount), (None, None));
    }

    #[test]
    fn an_order_takes_its_totals_and_names_from_its_lines() {
        let t = totals(&[
            line("Widget", 2, 20_000),
            line("Gadget", 1, 5_000),
            line("Widget", 1, 1),
        ])
        .unwrap();
        assert_eq!((t.amount_e4, t.quantity), (25_001, 4));
        assert_eq!(t.product_text, "Widget, Gadget");
        let long = "x".repeat(150);
        let t = totals(&[line(&long, 1, 1), line(&"y".repeat(150), 1, 1)]).unwrap();
        assert_eq!(t.product_text.chars().count(), PRODUCT_TEXT_MAX);
        assert!(totals(&[line("a", 1, i64::MAX), line("b", 1, 1)]).is_err());
    }
}
