//! Customer figures for a period: satisfaction (NPS, CSAT), churn, support
//! load and resolution, and what returning buyers order. One SQL statement
//! each.

use async_graphql::SimpleObject;
use entity::enums::SurveyKind;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr};

use super::sql::{Scope, count_when, float, int, ratio, round2, rows};
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

/// Survey answers of `kind` in the period, by contacts of the owner if given.
fn surveys(scope: &Scope, kind: SurveyKind) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .from("survey_response")
        .inner_join(
            "contact",
            Expr::col(("contact", "id")).equals(("survey_response", "contact_id")),
        )
        .cond_where(
            scope
                .live("survey_response")
                .add(scope.within("survey_response", "responded_at"))
                .add(Expr::col(("survey_response", "kind")).eq(kind.to_value()))
                .add(Expr::col(("contact", "deleted_at")).is_null())
                .add(scope.owned("contact", "owner_id")),
        )
        .to_owned()
}

pub async fn nps<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<NpsFigures, DbErr> {
    let select = surveys(scope, SurveyKind::Nps)
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "responses")
        .expr_as(count_when(r#""survey_response"."score" >= 9"#), "promoters")
        .expr_as(
            count_when(r#""survey_response"."score" <= 6"#),
            "detractors",
        )
        .to_owned();
    let found = rows(db, &select).await?;
    let (responses, promoters, detractors) = match found.first() {
        Some(row) => (
            int(row, "responses")?,
            int(row, "promoters")?,
            int(row, "detractors")?,
        ),
        None => (0, 0, 0),
    };
    Ok(NpsFigures {
        responses,
        promoters,
        passives: responses - promoters - detractors,
        detractors,
        score: ratio(promoters - detractors, responses).map(|r| round2(r * 100.0)),
    })
}

pub async fn csat<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<CsatFigures, DbErr> {
    let select = surveys(scope, SurveyKind::Csat)
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "responses")
        .expr_as(
            Expr::cust(r#"CAST(AVG("survey_response"."score") AS DOUBLE PRECISION)"#),
            "average",
        )
        .to_owned();
    let found = rows(db, &select).await?;
    Ok(match found.first() {
        Some(row) => CsatFigures {
            responses: int(row, "responses")?,
            average: float(row, "average")?.map(round2),
        },
        None => CsatFigures {
            responses: 0,
            average: None,
        },
    })
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
    let found = rows(db, &select).await?;
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
    let found = rows(db, &select).await?;
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
    rows(db, &select)
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

/// Orders of the period, each compared with its buyer's earlier orders
/// (by time, then id): no earlier order makes it a first order, an earlier
/// one of the same product an upsell, else a cross-sell. Only the period's
/// orders are read, each buyer's history through its index.
pub async fn order_mix<C: ConnectionTrait>(db: &C, scope: &Scope) -> Result<OrderMix, DbErr> {
    let earlier = |same_product: bool| {
        let product = if same_product {
            r#" AND "e"."product" = "customer_order"."product""#
        } else {
            ""
        };
        // The buyer is the company, else the contact (orders of no company).
        let by = |buyer: &str| {
            format!(
                r#"EXISTS (SELECT 1 FROM "customer_order" AS "e" WHERE "e"."workspace_id" = "customer_order"."workspace_id" AND {buyer} AND "e"."deleted_at" IS NULL{product} AND ("e"."ordered_at" < "customer_order"."ordered_at" OR ("e"."ordered_at" = "customer_order"."ordered_at" AND "e"."id" < "customer_order"."id")))"#
            )
        };
        format!(
            r#"(CASE WHEN "customer_order"."company_id" IS NOT NULL THEN {} ELSE {} END)"#,
            by(r#""e"."company_id" = "customer_order"."company_id""#),
            by(r#""e"."company_id" IS NULL AND "e"."contact_id" = "customer_order"."contact_id""#)
        )
    };
    // Each probe runs once per order of the period.
    let probed = Query::select()
        .expr_as(Expr::cust(earlier(false)), "returning")
        .expr_as(Expr::cust(earlier(true)), "same_product")
        .from("customer_order")
        .cond_where(
            scope
                .live("customer_order")
                .add(scope.within("customer_order", "ordered_at")),
        )
        // A LIMIT keeps it a subquery (neither database merges it into the
        // outer one), so each probe runs once per order, not once per use.
        .limit(i64::MAX as u64)
        .to_owned();
    let select = Query::select()
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "orders")
        .expr_as(count_when(r#"NOT "probed"."returning""#), "first_orders")
        .expr_as(count_when(r#""probed"."same_product""#), "upsell")
        .expr_as(
            count_when(r#""probed"."returning" AND NOT "probed"."same_product""#),
            "cross_sell",
        )
        .from_subquery(probed, Alias::new("probed"))
        .to_owned();
    let found = rows(db, &select).await?;
    let Some(row) = found.first() else {
        return Ok(OrderMix {
            orders: 0,
            first_orders: 0,
            upsell_orders: 0,
            cross_sell_orders: 0,
            upsell_rate: None,
            cross_sell_rate: None,
        });
    };
    let orders = int(row, "orders")?;
    let upsell = int(row, "upsell")?;
    let cross_sell = int(row, "cross_sell")?;
    Ok(OrderMix {
        orders,
        first_orders: int(row, "first_orders")?,
        upsell_orders: upsell,
        cross_sell_orders: cross_sell,
        upsell_rate: ratio(upsell, orders),
        cross_sell_rate: ratio(cross_sell, orders),
    })
}
