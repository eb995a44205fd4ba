//! Customer figures for a period: satisfaction (NPS, CSAT), churn, support
//! load and resolution, and what returning buyers order. One SQL statement
//! each; satisfaction and the order mix are computed by the core
//! (`rapport_core::rules::analytics`), their shapes are here.

use async_graphql::SimpleObject;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DbErr};

use super::sql::{Scope, float, int, ratio, round2, rows};
use rapport_core::rules::analytics;
use rapport_core::rules::figures::seconds_between;

/// NPS answers given in the period.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct NpsFigures {
    /// NPS answers given in the period.
    pub responses: i64,
    /// Scores 9–10.
    pub promoters: i64,
    /// Scores 7–8.
    pub passives: i64,
    /// Scores 0–6.
    pub detractors: i64,
    /// (promoters − detractors) ÷ responses × 100, from −100 to 100; null without responses.
    pub score: Option<f64>,
}

/// CSAT answers given in the period.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct CsatFigures {
    /// CSAT answers given in the period.
    pub responses: i64,
    /// Mean score (1–5); null without responses.
    pub average: Option<f64>,
    /// Answers of 4 or 5 (satisfied).
    pub satisfied: i64,
    /// satisfied ÷ responses, from 0 to 1: the usual CSAT score (quoted ×100
    /// as a percentage); null without responses.
    pub satisfied_rate: Option<f64>,
}

/// Customers lost in the period.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct ChurnFigures {
    /// Companies that were customers when the period began: a deal won or an
    /// order placed before it, and no exit recorded before it.
    pub customers_at_start: i64,
    /// Of those, companies whose exit is recorded in the period.
    pub churned: i64,
    /// churned ÷ customersAtStart; null without customers.
    pub rate: Option<f64>,
}

/// Tickets opened in the period in one category.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct CategoryCount {
    /// Null for tickets without a category.
    pub category: Option<String>,
    /// How many tickets were opened in the period in this category.
    pub count: i64,
}

/// Orders placed in the period, by what kind of buying they are.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct OrderMix {
    /// Orders placed in the period.
    pub orders: i64,
    /// Orders by a buyer (the company, else the contact) with no earlier order.
    pub first_orders: i64,
    /// Orders by a returning buyer of a product it bought before.
    pub upsell_orders: i64,
    /// Orders by a returning buyer of a product new to it.
    pub cross_sell_orders: i64,
    /// upsellOrders ÷ orders; null without orders.
    pub upsell_rate: Option<f64>,
    /// crossSellOrders ÷ orders; null without orders.
    pub cross_sell_rate: Option<f64>,
}

impl From<analytics::Nps> for NpsFigures {
    fn from(n: analytics::Nps) -> Self {
        NpsFigures {
            responses: n.responses,
            promoters: n.promoters,
            passives: n.passives,
            detractors: n.detractors,
            score: n.score,
        }
    }
}

impl From<analytics::Csat> for CsatFigures {
    fn from(c: analytics::Csat) -> Self {
        CsatFigures {
            responses: c.responses,
            average: c.average,
            satisfied: c.satisfied,
            satisfied_rate: c.satisfied_rate,
        }
    }
}

impl From<analytics::OrderMix> for OrderMix {
    fn from(m: analytics::OrderMix) -> Self {
        OrderMix {
            orders: m.orders,
            first_orders: m.first_orders,
            upsell_orders: m.upsell_orders,
            cross_sell_orders: m.cross_sell_orders,
            upsell_rate: m.upsell_rate,
            cross_sell_rate: m.cross_sell_rate,
        }
    }
}

/// Companies that were customers when the period began (their stored
/// `customer_since`, the first won deal or order, lies before it) and had
/// not left, through the index on that column.
pub async fn churn<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<ChurnFigures, DbErr> {
    let select = Query::select()
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "customers")
        .expr_as(
            Func::sum(Into::<Expr>::into(
                Expr::case(scope.within("company", "churned_at"), 1).finally(0),
            )),
            "churned",
        )
        .from("company")
        .cond_where(
            scope
                .live("company")
                .add(scope.owned("company", "owner_id"))
                .add(
                    Expr::col(("company", "churned_at"))
                        .is_null()
                        .or(Expr::col(("company", "churned_at")).gte(scope.from)),
                )
                .add(Expr::col(("company", "customer_since")).lt(scope.from)),
        )
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (customers, churned) = match found.first() {
        Some(row) => (int(row, "customers")?, int(row, "churned")?),
        None => (0, 0),
    };
    Ok(ChurnFigures {
        customers_at_start: customers,
        churned,
        rate: ratio(churned, customers),
    })
}

/// Mean hours from opening to resolution of tickets resolved in the period
/// (assigned to the owner, if given).
pub async fn resolution_hours<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Option<f64>, DbErr> {
    let seconds = seconds_between(
        db.get_database_backend(),
        r#""ticket"."opened_at""#,
        r#""ticket"."resolved_at""#,
    );
    let select = Query::select()
        .expr_as(
            Expr::cust(format!("CAST(AVG({seconds}) AS DOUBLE PRECISION)")),
            "seconds",
        )
        .from("ticket")
        .cond_where(
            scope
                .live("ticket")
                .add(scope.within("ticket", "resolved_at"))
                .add(scope.owned("ticket", "assignee_id")),
        )
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    Ok(match found.first() {
        Some(row) => float(row, "seconds")?.map(|s| round2(s / 3600.0)),
        None => None,
    })
}

/// Tickets opened in the period per category, largest first.
pub async fn ticket_volume<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> Result<Vec<CategoryCount>, DbErr> {
    let select = Query::select()
        .expr_as(Expr::col(("ticket", "category")), "category")
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "count")
        .from("ticket")
        .cond_where(
            scope
                .live("ticket")
                .add(scope.within("ticket", "opened_at"))
                .add(scope.owned("ticket", "assignee_id")),
        )
        .group_by_col(("ticket", "category"))
        .order_by_expr(Expr::cust("COUNT(*)"), sea_orm::Order::Desc)
        .order_by(("ticket", "category"), sea_orm::Order::Asc)
        .to_owned();
    rows(db, scope.workspace_id, &select)
        .await?
        .iter()
        .map(|row| {
            Ok(CategoryCount {
                category: row.try_get("", "category")?,
                count: int(row, "count")?,
            })
        })
        .collect()
}
