//! Calculated figures of contacts, companies and deals as SQL expressions
//! over the row being listed, so lists filter and sort by them
//! (`ticketCount`, `churnRisk`…) in the same statement that pages them, and
//! the figure fields load them per level with the same expression.
//!
//! Churn risk, 0–100 (higher is riskier), is the sum of three parts:
//! - satisfaction, 0–40: (5 − latest CSAT) × 10; without a CSAT, the latest
//!   NPS: detractor 40, passive 20, promoter 0; without either, 20;
//! - support load, 0–30: 10 per open ticket (OPEN or PENDING), at most 30;
//! - recency, 0–30: the latest order placed within 30 days 0, within 90
//!   days 10, within 180 days 20, older or never 30.

use chrono::Duration;
use entity::enums::TicketStatus;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{ActiveEnum, DbBackend};

/// Whose figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Of {
    Contact,
    Company,
}

/// One calculated figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    TicketCount(Of),
    OpenTicketCount(Of),
    LastTicketAt(Of),
    LatestNps(Of),
    LatestCsat(Of),
    /// Σ of order amounts, by nominal amount across currencies (×10⁴).
    LifetimeValue(Of),
    ChurnRisk(Of),
    /// Mean resolution time of resolved tickets, in hours ×10⁴ (so that a
    /// decimal filter compares it exactly, like amounts).
    AverageResolution(Of),
    /// A company's highest contact lead score.
    CompanyLeadScore,
    /// Whole days a deal has been in its stage, at the server's clock.
    DealDaysInStage,
    /// Whole days from a deal's creation to its closing, or to now while open.
    DealAgeDays,
    /// A deal's amount × its stage's win probability (×10⁴).
    DealWeightedAmount,
}

/// How a figure's values read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureType {
    BigInt,
    Int,
    Timestamp,
}

impl Of {
    /// The table of the rows the figure is of.
    pub fn table(self) -> &'static str {
        match self {
            Of::Contact => "contact",
            Of::Company => "company",
        }
    }

    /// `alias.<contact_id|company_id> = <row>.id`.
    fn owns(self, alias: &str) -> String {
        let key = match self {
            Of::Contact => "contact_id",
            Of::Company => "company_id",
        };
        format!(r#""{alias}"."{key}" = "{}"."id""#, self.table())
    }

    /// FROM … WHERE … of the live survey answers of the row.
    fn surveys(self) -> String {
        match self {
            Of::Contact => format!(
                r#"FROM "survey_response" AS "s" WHERE {} AND "s"."deleted_at" IS NULL"#,
                self.owns("s")
            ),
            Of::Company => r#"FROM "survey_response" AS "s" JOIN "contact" AS "sc" ON "sc"."id" = "s"."contact_id" AND "sc"."deleted_at" IS NULL WHERE "sc"."company_id" = "company"."id" AND "s"."deleted_at" IS NULL"#.to_owned(),
        }
    }
}

impl Figure {
    /// The name used in cursors and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Figure::TicketCount(_) => "ticket_count",
            Figure::OpenTicketCount(_) => "open_ticket_count",
            Figure::LastTicketAt(_) => "last_ticket_at",
            Figure::LatestNps(_) => "latest_nps",
            Figure::LatestCsat(_) => "latest_csat",
            Figure::LifetimeValue(_) => "lifetime_value",
            Figure::ChurnRisk(_) => "churn_risk",
            Figure::AverageResolution(_) => "average_resolution",
            Figure::CompanyLeadScore => "company_lead_score",
            Figure::DealDaysInStage => "days_in_stage",
            Figure::DealAgeDays => "age_days",
            Figure::DealWeightedAmount => "weighted_amount",
        }
    }

    pub fn value_type(self) -> FigureType {
        match self {
            Figure::LastTicketAt(_) => FigureType::Timestamp,
            Figure::LatestNps(_) | Figure::LatestCsat(_) | Figure::CompanyLeadScore => {
                FigureType::Int
            }
            _ => FigureType::BigInt,
        }
    }

    /// Whether rows can lack a value (sorted last).
    pub fn nullable(self) -> bool {
        matches!(
            self,
            Figure::LastTicketAt(_)
                | Figure::LatestNps(_)
                | Figure::LatestCsat(_)
                | Figure::AverageResolution(_)
                | Figure::CompanyLeadScore
        )
    }

    /// The SQL of a figure without bound values, correlated with the
    /// listed row (churn risk binds the clock's limits: see [`Figure::expr`]).
    fn sql(self, backend: DbBackend) -> String {
        match self {
            Figure::TicketCount(of) => tickets(of, "COUNT(*)", ""),
            Figure::OpenTicketCount(of) => tickets(of, "COUNT(*)", &open_only()),
            Figure::LastTicketAt(of) => tickets(of, r#"MAX("t"."opened_at")"#, ""),
            Figure::LatestNps(of) => latest(of, "NPS"),
            Figure::LatestCsat(of) => latest(of, "CSAT"),
            Figure::LifetimeValue(of) => format!(
                r#"(SELECT CAST(COALESCE(SUM("o"."amount_e4"), 0) AS BIGINT) FROM "customer_order" AS "o" WHERE {} AND "o"."deleted_at" IS NULL)"#,
                of.owns("o")
            ),
            Figure::ChurnRisk(of) => Figure::OpenTicketCount(of).sql(backend),
            Figure::AverageResolution(of) => {
                let seconds = seconds_between(backend, r#""t"."opened_at""#, r#""t"."resolved_at""#);
                let whole = if backend == DbBackend::Postgres { "BIGINT" } else { "INTEGER" };
                tickets(
                    of,
                    &format!("CAST(ROUND(AVG({seconds}) / 0.36) AS {whole})"),
                    r#" AND "t"."resolved_at" IS NOT NULL"#,
                )
            }
            Figure::DealWeightedAmount => r#"(SELECT CAST("deal"."amount_e4" * "ws"."win_probability" / 100 AS BIGINT) FROM "stage" AS "ws" WHERE "ws"."id" = "deal"."stage_id")"#.to_owned(),
            Figure::DealDaysInStage => whole_days(backend, r#""deal"."stage_entered_at""#, None),
            Figure::DealAgeDays => whole_days(
                backend,
                r#""deal"."created_at""#,
                Some(r#""deal"."closed_at""#),
            ),
            Figure::CompanyLeadScore => r#"(SELECT MAX("lc"."lead_score") FROM "contact" AS "lc" WHERE "lc"."company_id" = "company"."id" AND "lc"."deleted_at" IS NULL)"#.to_owned(),
        }
    }

    /// The figure as an expression; churn risk binds the recency limits
    /// computed from the server's clock.
    pub fn expr(self, backend: DbBackend) -> Expr {
        match self {
            Figure::ChurnRisk(of) => churn_risk(of, backend),
            Figure::DealDaysInStage | Figure::DealAgeDays => {
                Expr::cust_with_values(self.sql(backend), [crate::clock::now()])
            }
            _ => Expr::cust(self.sql(backend)),
        }
    }
}

/// Whole days from `column` to `until` when set, else to the bound now
/// (the one placeholder).
fn whole_days(backend: DbBackend, column: &str, until: Option<&str>) -> String {
    let placeholder = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let end = match until {
        Some(until) => format!("COALESCE({until}, {placeholder})"),
        None => placeholder.to_owned(),
    };
    match backend {
        DbBackend::Postgres => {
            format!("CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {column})) / 86400) AS BIGINT)")
        }
        _ => format!("CAST((julianday({end}) - julianday({column})) AS INTEGER)"),
    }
}

fn open_only() -> String {
    format!(
        r#" AND "t"."status" IN ('{}', '{}')"#,
        TicketStatus::Open.to_value(),
        TicketStatus::Pending.to_value()
    )
}

fn tickets(of: Of, aggregate: &str, extra: &str) -> String {
    let cast = if aggregate.starts_with("COUNT") {
        format!("CAST({aggregate} AS BIGINT)")
    } else {
        aggregate.to_owned()
    };
    format!(
        r#"(SELECT {cast} FROM "ticket" AS "t" WHERE {} AND "t"."deleted_at" IS NULL{extra})"#,
        of.owns("t")
    )
}

fn latest(of: Of, kind: &str) -> String {
    format!(
        r#"(SELECT "s"."score" {} AND "s"."kind" = '{kind}' ORDER BY "s"."responded_at" DESC, "s"."id" DESC LIMIT 1)"#,
        of.surveys()
    )
}

/// The churn risk formula of the module documentation.
fn churn_risk(of: Of, backend: DbBackend) -> Expr {
    let csat = latest(of, "CSAT");
    let nps = latest(of, "NPS");
    let open = Figure::OpenTicketCount(of).sql(backend);
    let last_order = format!(
        r#"(SELECT MAX("o"."ordered_at") FROM "customer_order" AS "o" WHERE {} AND "o"."deleted_at" IS NULL)"#,
        of.owns("o")
    );
    let satisfaction_and_load = Expr::cust(format!(
        "(CASE WHEN {csat} IS NOT NULL THEN (5 - {csat}) * 10 \
         WHEN {nps} IS NOT NULL THEN (CASE WHEN {nps} >= 9 THEN 0 WHEN {nps} >= 7 THEN 20 ELSE 40 END) \
         ELSE 20 END) \
         + (CASE WHEN {open} >= 3 THEN 30 ELSE {open} * 10 END)"
    ));
    let now = crate::clock::now();
    let since = |days| Expr::cust(last_order.clone()).gte(now - Duration::days(days));
    let recency: Expr = Expr::case(since(30), 0)
        .case(since(90), 10)
        .case(since(180), 20)
        .finally(30)
        .into();
    Func::cast_as(satisfaction_and_load.add(recency), "BIGINT").into()
}

/// Seconds between two timestamp columns, as each backend computes it.
pub fn seconds_between(backend: DbBackend, from: &str, to: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("EXTRACT(EPOCH FROM ({to} - {from}))"),
        _ => format!("(julianday({to}) - julianday({from})) * 86400.0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

    #[test]
    fn churn_risk_binds_its_time_limits_on_both_backends() {
        let select = |backend| {
            Query::select()
                .expr(Figure::ChurnRisk(Of::Contact).expr(backend))
                .from("contact")
                .to_owned()
        };
        let (pg, pg_values) = select(DbBackend::Postgres).build(PostgresQueryBuilder);
        let (lite, lite_values) = select(DbBackend::Sqlite).build(SqliteQueryBuilder);
        // Three time limits and the four points of the recency part.
        assert_eq!(pg_values.0.len(), 7, "{pg}");
        assert_eq!(lite_values.0.len(), 7, "{lite}");
        assert!(pg.contains("$7"), "{pg}");
        assert_eq!(lite.matches('?').count(), 7, "{lite}");
    }
}
