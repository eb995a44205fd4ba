//! The SQL of the stored figures: each as an assignment correlated with the
//! row an UPDATE recomputes.

use entity::enums::{DealStatus, OrderStatus, SurveyKind, TicketStatus};
use sea_orm::{ActiveEnum, DbBackend};

use super::Inputs;
use crate::domain::currency;
use crate::rules::figures::{Of, seconds_between};

/// The SET assignments that recompute what `input` feeds on `of`'s table,
/// correlated with the row being updated. Each table read names the
/// workspace `ws` (SQL) itself: a correlation with the row's workspace is
/// not enough for Citus (issue 22) to send the update to one shard.
pub(super) fn assignment(of: Of, input: Inputs, backend: DbBackend, ws: &str) -> Option<String> {
    let table = of.table();
    let key = match of {
        Of::Contact => "contact_id",
        Of::Company => "company_id",
    };
    let owns = |alias: &str| {
        format!(
            r#""{alias}"."workspace_id" = {ws} AND "{alias}"."{key}" = "{table}"."id" AND "{alias}"."deleted_at" IS NULL"#
        )
    };
    Some(match input {
        Inputs::Tickets => {
            let open = [
                TicketStatus::Open.to_value(),
                TicketStatus::Pending.to_value(),
            ];
            let resolution = seconds_between(backend, r#""x"."opened_at""#, r#""x"."resolved_at""#);
            format!(
                r#"("ticket_count", "open_ticket_count", "last_ticket_at", "average_resolution_e4") = (SELECT COUNT(*), COALESCE(SUM(CASE WHEN "x"."status" IN ('{}', '{}') THEN 1 ELSE 0 END), 0), MAX("x"."opened_at"), CAST(ROUND(AVG(CASE WHEN "x"."resolved_at" IS NOT NULL THEN {resolution} END) / 0.36) AS BIGINT) FROM "ticket" AS "x" WHERE {})"#,
                open[0],
                open[1],
                owns("x")
            )
        }
        // Only placed orders: a cart, an abandoned cart, a cancelled or a
        // refunded order brought nothing in.
        Inputs::Orders => format!(
            r#"("lifetime_value_e4", "first_order_at", "last_order_at") = (SELECT {}, MIN("x"."ordered_at"), MAX("x"."ordered_at") FROM "customer_order" AS "x" WHERE {} AND "x"."status" = '{}')"#,
            saturating_sum(backend, r#""x"."amount_e4""#),
            owns("x"),
            OrderStatus::Placed.to_value()
        ),
        Inputs::Surveys => {
            // A company's answers are those of its live contacts.
            let answers = match of {
                Of::Contact => format!(r#"FROM "survey_response" AS "s" WHERE {}"#, owns("s")),
                Of::Company => format!(
                    r#"FROM "survey_response" AS "s" JOIN "contact" AS "sc" ON "sc"."workspace_id" = {ws} AND "sc"."id" = "s"."contact_id" AND "sc"."deleted_at" IS NULL WHERE "s"."workspace_id" = {ws} AND "sc"."company_id" = "company"."id" AND "s"."deleted_at" IS NULL"#
                ),
            };
            let latest = |kind: SurveyKind| {
                format!(
                    r#"(SELECT "s"."score" {answers} AND "s"."kind" = '{}' ORDER BY "s"."responded_at" DESC, "s"."id" DESC LIMIT 1)"#,
                    kind.to_value()
                )
            };
            format!(
                r#""latest_nps" = {}, "latest_csat" = {}"#,
                latest(SurveyKind::Nps),
                latest(SurveyKind::Csat)
            )
        }
        Inputs::LeadScores if of == Of::Company => format!(
            r#""lead_score" = COALESCE((SELECT MAX("x"."lead_score") FROM "contact" AS "x" WHERE {}), 0)"#,
            owns("x")
        ),
        Inputs::Customer if of == Of::Company => format!(
            r#""customer_since" = (SELECT MIN("x"."since") FROM (SELECT MIN("d"."closed_at") AS "since" FROM "deal" AS "d" WHERE {} AND "d"."status" = '{}' UNION ALL SELECT MIN("o"."ordered_at") FROM "customer_order" AS "o" WHERE {} AND "o"."status" = '{}') AS "x")"#,
            owns("d"),
            DealStatus::Won.to_value(),
            owns("o"),
            OrderStatus::Placed.to_value()
        ),
        Inputs::LeadScores | Inputs::Customer | Inputs::Touches => return None,
    })
}

/// Σ of a non-negative BIGINT column, held at the largest BIGINT rather
/// than failing when it would overflow.
fn saturating_sum(backend: DbBackend, value: &str) -> String {
    const MAX: &str = "9223372036854775807";
    match backend {
        DbBackend::Postgres => format!("CAST(LEAST(COALESCE(SUM({value}), 0), {MAX}) AS BIGINT)"),
        _ => {
            // Two sums that cannot overflow; past the largest BIGINT, SQLite
            // turns the total into a REAL, which the cast holds at the maximum.
            let high = format!("COALESCE(SUM({value} / 1000000000), 0)");
            let low = format!("COALESCE(SUM({value} % 1000000000), 0)");
            format!(
                "CAST(CASE WHEN {high} > 9223372035 THEN {MAX} ELSE {high} * 1000000000 + {low} END AS INTEGER)"
            )
        }
    }
}

/// `"weighted_amount_e4" = …` for the deal row being updated: the rule of
/// [`money::weighted_e4`](crate::domain::money::weighted_e4) in SQL. Its one
/// `?` is the workspace: named as a value rather than through the deal row,
/// so on Citus (issue 22) the update goes to the workspace's shard alone
/// instead of every shard.
pub(super) fn weight_assignment() -> String {
    format!(
        r#""weighted_amount_e4" = COALESCE((SELECT {} FROM "stage" AS "ws" WHERE "ws"."workspace_id" = ? AND "ws"."id" = "deal"."stage_id"), 0)"#,
        weighted_sql(
            r#""deal"."amount_e4""#,
            r#""deal"."currency""#,
            r#""ws"."win_probability""#
        )
    )
}

/// Amount ×10⁴ × percent ÷ 100, rounded half up to the currency's minor
/// unit, in integer arithmetic that cannot overflow (amounts are never
/// negative, and every intermediate stays below the amount).
pub fn weighted_sql(amount: &str, currency: &str, percent: &str) -> String {
    let codes = |exponent| {
        currency::codes_with_exponent(exponent)
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let unit = format!(
        "(CASE WHEN {currency} IN ({}) THEN 10000 WHEN {currency} IN ({}) THEN 10 WHEN {currency} IN ({}) THEN 1 ELSE 100 END)",
        codes(0),
        codes(3),
        codes(4)
    );
    let minor = format!("({amount} / {unit})");
    format!("(({minor} / 100) * {percent} + (({minor} % 100) * {percent} + 50) / 100) * {unit}")
}

/// `"stay_began_at" = …` for the stage change being updated: when the
/// deal's change before it was made.
pub(super) const STAY_BEGAN: &str = r#""stay_began_at" = (SELECT "p"."created_at" FROM "deal_stage_change" AS "p" WHERE "p"."workspace_id" = "deal_stage_change"."workspace_id" AND "p"."deal_id" = "deal_stage_change"."deal_id" AND ("p"."created_at" < "deal_stage_change"."created_at" OR ("p"."created_at" = "deal_stage_change"."created_at" AND "p"."id" < "deal_stage_change"."id")) ORDER BY "p"."created_at" DESC, "p"."id" DESC LIMIT 1)"#;
