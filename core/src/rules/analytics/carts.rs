//! The abandoned-cart rate of a period: of the carts started in it, how
//! many were abandoned. A cart counts by when it was started
//! (`cart_started_at`), whatever became of it since, so a period's rate
//! settles as its carts are placed or abandoned.

use entity::enums::OrderStatus;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ConnectionTrait};

use super::Scope;
use super::customers::bought_from;
use super::sql::{count_if, int, ratio, rows};
use crate::error::CoreResult;

/// The carts started in a period and what became of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Carts {
    /// Carts started in the period (live orders that began as a cart).
    pub started: i64,
    /// Of those, the ones abandoned.
    pub abandoned: i64,
    /// Of those, the ones placed (cancelled and refunded orders were placed).
    pub placed: i64,
    /// Of those, the ones still open.
    pub open: i64,
    /// abandoned ÷ started; null when no cart was started.
    pub abandoned_rate: Option<f64>,
}

/// The period's carts (of buyers the owner asked for owns), in one
/// statement on the carts' index.
pub async fn carts<C: ConnectionTrait>(db: &C, scope: &Scope) -> CoreResult<Carts> {
    let status = || Expr::col(("customer_order", "status"));
    let is = |s: OrderStatus| status().eq(s.to_value());
    let mut select = Query::select();
    select
        .from("customer_order")
        .cond_where(
            scope
                .live("customer_order")
                .add(scope.within("customer_order", "cart_started_at")),
        )
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "started")
        .expr_as(count_if(is(OrderStatus::Abandoned)), "abandoned")
        .expr_as(count_if(is(OrderStatus::Cart)), "open");
    bought_from(scope, &mut select);
    let found = rows(db, scope.workspace_id, &select).await?;
    let (started, abandoned, open) = match found.first() {
        Some(row) => (
            int(row, "started")?,
            int(row, "abandoned")?,
            int(row, "open")?,
        ),
        None => (0, 0, 0),
    };
    Ok(Carts {
        started,
        abandoned,
        placed: started - abandoned - open,
        open,
        abandoned_rate: ratio(abandoned, started),
    })
}
