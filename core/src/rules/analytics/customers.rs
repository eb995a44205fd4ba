//! Customer figures of a period: satisfaction (NPS, CSAT) and what buyers
//! order. Answers and orders are facts of the past: deleting the contact or
//! company they belong to does not take them out (see the module rules).

use entity::enums::{OrderStatus, SurveyKind};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ActiveEnum, ConnectionTrait};

use super::Scope;
use super::sql::{count_when, float, int, ratio, round2, rows};
use crate::access::Owned;
use crate::error::CoreResult;

/// NPS answers given in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Nps {
    pub responses: i64,
    /// Scores 9–10.
    pub promoters: i64,
    /// Scores 7–8.
    pub passives: i64,
    /// Scores 0–6.
    pub detractors: i64,
    /// (promoters − detractors) ÷ responses × 100, from −100 to 100.
    pub score: Option<f64>,
}

/// CSAT answers given in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Csat {
    pub responses: i64,
    /// Mean score (1–5).
    pub average: Option<f64>,
    /// Answers of 4 or 5: satisfied customers.
    pub satisfied: i64,
    /// satisfied ÷ responses, 0–1: the usual CSAT score (shown ×100 as a percentage).
    pub satisfied_rate: Option<f64>,
}

/// Orders placed in the period, by what kind of buying they are.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderMix {
    pub orders: i64,
    pub first_orders: i64,
    pub upsell_orders: i64,
    pub cross_sell_orders: i64,
    pub upsell_rate: Option<f64>,
    pub cross_sell_rate: Option<f64>,
}

/// Live survey answers of `kind` in the period; with an owner, answers of
/// that member's contacts (deleted contacts included: their answers stand),
/// and for a narrowed reader those of the contacts it reads.
fn surveys(scope: &Scope, kind: SurveyKind) -> SelectStatement {
    let mut select = Query::select();
    select.from("survey_response").cond_where(
        scope
            .live("survey_response")
            .add(scope.within("survey_response", "responded_at"))
            .add(Expr::col(("survey_response", "kind")).eq(kind.to_value())),
    );
    if scope.narrowed(Owned::Contacts) {
        select
            .inner_join(
                "contact",
                Expr::col(("contact", "workspace_id"))
                    .equals(("survey_response", "workspace_id"))
                    .and(Expr::col(("contact", "id")).equals(("survey_response", "contact_id"))),
            )
            .cond_where(scope.owned("contact", "owner_id"));
    }
    select
}

/// The period's NPS: promoters (9–10), passives (7–8), detractors (0–6).
pub async fn nps<C: ConnectionTrait>(db: &C, scope: &Scope) -> CoreResult<Nps> {
    let select = surveys(scope, SurveyKind::Nps)
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "responses")
        .expr_as(count_when(r#""survey_response"."score" >= 9"#), "promoters")
        .expr_as(
            count_when(r#""survey_response"."score" <= 6"#),
            "detractors",
        )
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (responses, promoters, detractors) = match found.first() {
        Some(row) => (
            int(row, "responses")?,
            int(row, "promoters")?,
            int(row, "detractors")?,
        ),
        None => (0, 0, 0),
    };
    Ok(Nps {
        responses,
        promoters,
        passives: responses - promoters - detractors,
        detractors,
        score: ratio(promoters - detractors, responses).map(|r| round2(r * 100.0)),
    })
}

/// The period's CSAT: the mean score and the share of satisfied answers (4–5).
pub async fn csat<C: ConnectionTrait>(db: &C, scope: &Scope) -> CoreResult<Csat> {
    let select = surveys(scope, SurveyKind::Csat)
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "responses")
        .expr_as(
            Expr::cust(r#"CAST(AVG("survey_response"."score") AS DOUBLE PRECISION)"#),
            "average",
        )
        .expr_as(count_when(r#""survey_response"."score" >= 4"#), "satisfied")
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (responses, average, satisfied) = match found.first() {
        Some(row) => (
            int(row, "responses")?,
            float(row, "average")?.map(round2),
            int(row, "satisfied")?,
        ),
        None => (0, None, 0),
    };
    Ok(Csat {
        responses,
        average,
        satisfied,
        satisfied_rate: ratio(satisfied, responses),
    })
}

/// With an owner: the order's buyer (its company, else its contact) is the
/// owner's; for a narrowed reader, a buyer it reads. Deleted buyers keep
/// their owner, and their orders count.
pub(super) fn bought_from(scope: &Scope, select: &mut SelectStatement) {
    if !scope.narrowed(Owned::Companies) && !scope.narrowed(Owned::Contacts) {
        return;
    }
    let owner = |table: &Alias, area| match scope.owner_id {
        Some(owner) => Condition::all().add(Expr::col((table.clone(), "owner_id")).eq(owner)),
        None => scope.read(area, table.clone()),
    };
    let (company, contact) = (Alias::new("buyer_company"), Alias::new("buyer_contact"));
    select
        .join_as(
            JoinType::LeftJoin,
            "company",
            company.clone(),
            Expr::col((company.clone(), "workspace_id"))
                .equals(("customer_order", "workspace_id"))
                .and(Expr::col((company.clone(), "id")).equals(("customer_order", "company_id"))),
        )
        .join_as(
            JoinType::LeftJoin,
            "contact",
            contact.clone(),
            Expr::col((contact.clone(), "workspace_id"))
                .equals(("customer_order", "workspace_id"))
                .and(Expr::col((contact.clone(), "id")).equals(("customer_order", "contact_id"))),
        )
        .cond_where(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Expr::col(("customer_order", "company_id")).is_not_null())
                        .add(owner(&company, Owned::Companies)),
                )
                .add(
                    Condition::all()
                        .add(Expr::col(("customer_order", "company_id")).is_null())
                        .add(owner(&contact, Owned::Contacts)),
                ),
        );
}

/// Placed orders of the period, each compared with its buyer's earlier orders
/// (by time, then id): an earlier one of the same product makes it an
/// upsell, else any earlier one a cross-sell, else it is a first order. Only
/// the period's orders are read, each buyer's history through its index
/// (one probe for an upsell, most orders; a second for the others). The
/// owner narrows which orders are counted, not which earlier orders make a
/// buyer returning.
pub async fn order_mix<C: ConnectionTrait>(db: &C, scope: &Scope) -> CoreResult<OrderMix> {
    let placed = OrderStatus::Placed.to_value();
    // An earlier live placed order of the buyer (of the same product, with
    // `product`); `(time, id)` compared as a row, a bound of the index.
    let earlier = |buyer: &str, product: &str| {
        format!(
            r#"EXISTS (SELECT 1 FROM "customer_order" AS "e" WHERE "e"."workspace_id" = "customer_order"."workspace_id" AND {buyer} AND "e"."deleted_at" IS NULL AND "e"."status" = '{placed}'{product} AND ("e"."ordered_at", "e"."id") < ("customer_order"."ordered_at", "customer_order"."id"))"#
        )
    };
    // 2: upsell, 1: cross-sell, 0: first order; the second probe runs only
    // when the first finds nothing.
    let kind = |buyer: &str| {
        format!(
            "(CASE WHEN {} THEN 2 WHEN {} THEN 1 ELSE 0 END)",
            earlier(buyer, r#" AND "e"."product" = "customer_order"."product""#),
            earlier(buyer, "")
        )
    };
    // The buyer is the company, else the contact (orders of no company).
    let mut probed = Query::select();
    probed
        .expr_as(
            Expr::cust(format!(
                r#"(CASE WHEN "customer_order"."company_id" IS NOT NULL THEN {} ELSE {} END)"#,
                kind(r#""e"."company_id" = "customer_order"."company_id""#),
                kind(r#""e"."company_id" IS NULL AND "e"."contact_id" = "customer_order"."contact_id""#)
            )),
            "kind",
        )
        .from("customer_order")
        .cond_where(
            scope
                .live("customer_order")
                .add(scope.within("customer_order", "ordered_at"))
                .add(Expr::col(("customer_order", "status")).eq(OrderStatus::Placed.to_value())),
        );
    bought_from(scope, &mut probed);
    // A LIMIT keeps it a subquery (neither database merges it into the
    // outer one), so the probes run once per order, not once per use.
    probed.limit(i64::MAX as u64);
    let select = Query::select()
        .expr_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "orders")
        .expr_as(count_when(r#""probed"."kind" = 0"#), "first_orders")
        .expr_as(count_when(r#""probed"."kind" = 2"#), "upsell")
        .expr_as(count_when(r#""probed"."kind" = 1"#), "cross_sell")
        .from_subquery(probed, Alias::new("probed"))
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (orders, first_orders, upsell, cross_sell) = match found.first() {
        Some(row) => (
            int(row, "orders")?,
            int(row, "first_orders")?,
            int(row, "upsell")?,
            int(row, "cross_sell")?,
        ),
        None => (0, 0, 0, 0),
    };
    Ok(OrderMix {
        orders,
        first_orders,
        upsell_orders: upsell,
        cross_sell_orders: cross_sell,
        upsell_rate: ratio(upsell, orders),
        cross_sell_rate: ratio(cross_sell, orders),
    })
}
