//! Calculated figures of contacts, companies and deals as SQL expressions
//! over the row being listed, so lists filter and sort by them
//! (`ticketCount`, `churnRisk`…) in the same statement that pages them, and
//! the figure fields load them per level with the same expression.
//!
//! Figures that only change when records change are stored in columns of
//! the row ([`stored_figures`](super::stored_figures) recomputes them in the
//! transaction of every write to their inputs): they read, filter and sort
//! through an index, never a subquery. Figures that move with the clock are
//! expressions over the row's own columns: churn risk (its recency part),
//! a deal's age; a deal's days in stage sort by `stage_entered_at`.
//!
//! Churn risk, 0–100 (higher is riskier), is the sum of three parts:
//! - satisfaction, 0–40: (5 − latest CSAT) × 10; without a CSAT, the latest
//!   NPS: detractor 40, passive 20, promoter 0; without either, 20;
//! - support load, 0–30: 10 per open ticket (OPEN or PENDING), at most 30;
//! - recency, 0–30: the latest order placed within 30 days 0, within 90
//!   days 10, within 180 days 20, older or never 30.
//!
//! Whole days (a deal's age, its days in stage) are the elapsed time
//! divided by 24 hours, rounded down: a stage entered 14.5 days in the
//! future is −15 days. Fields, filters and sorts all follow that one rule.

use chrono::{DateTime, Duration, Utc};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, Func};

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
    /// Σ of order amounts, by nominal amount across currencies (×10⁴);
    /// held at the largest BIGINT rather than overflowing.
    LifetimeValue(Of),
    ChurnRisk(Of),
    /// Mean resolution time of resolved tickets, in hours ×10⁴ (so that a
    /// decimal filter compares it exactly, like amounts).
    AverageResolution(Of),
    /// The latest touch: the newest activity, engagement, order, ticket
    /// or survey answer (see [`stored_figures`](super::stored_figures)).
    LastTouchedAt(Of),
    /// The share of the record type's key fields that are filled, as a
    /// whole percentage rounded down: a contact's first and last name,
    /// email, phone, job title, company, city and country; a company's
    /// name, domain, industry, employee count, annual revenue, city and
    /// country. A column the database generates from the row itself, so
    /// no write can leave it behind.
    Completeness(Of),
    /// A company's highest contact lead score.
    CompanyLeadScore,
    /// Whole days a deal has been in its stage, at the server's clock.
    DealDaysInStage,
    /// Whole days from a deal's creation to its closing, or to now while open.
    DealAgeDays,
    /// A deal's amount × its stage's win probability, rounded half up to
    /// the currency's minor unit (×10⁴).
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
}

impl Figure {
    /// The name used in error messages.
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
            Figure::LastTouchedAt(_) => "last_touched_at",
            Figure::Completeness(_) => "completeness",
            Figure::CompanyLeadScore => "company_lead_score",
            Figure::DealDaysInStage => "days_in_stage",
            Figure::DealAgeDays => "age_days",
            Figure::DealWeightedAmount => "weighted_amount",
        }
    }

    /// The table of the rows the figure is of.
    pub fn table(self) -> &'static str {
        match self {
            Figure::TicketCount(of)
            | Figure::OpenTicketCount(of)
            | Figure::LastTicketAt(of)
            | Figure::LatestNps(of)
            | Figure::LatestCsat(of)
            | Figure::LifetimeValue(of)
            | Figure::ChurnRisk(of)
            | Figure::AverageResolution(of)
            | Figure::LastTouchedAt(of)
            | Figure::Completeness(of) => of.table(),
            Figure::CompanyLeadScore => "company",
            Figure::DealDaysInStage | Figure::DealAgeDays | Figure::DealWeightedAmount => "deal",
        }
    }

    /// The column that stores the figure; `None` for figures that move with
    /// the clock.
    pub fn column(self) -> Option<&'static str> {
        Some(match self {
            Figure::TicketCount(_) => "ticket_count",
            Figure::OpenTicketCount(_) => "open_ticket_count",
            Figure::LastTicketAt(_) => "last_ticket_at",
            Figure::LatestNps(_) => "latest_nps",
            Figure::LatestCsat(_) => "latest_csat",
            Figure::LifetimeValue(_) => "lifetime_value_e4",
            Figure::AverageResolution(_) => "average_resolution_e4",
            Figure::LastTouchedAt(_) => "last_touched_at",
            Figure::Completeness(_) => "completeness",
            Figure::CompanyLeadScore => "lead_score",
            Figure::DealWeightedAmount => "weighted_amount_e4",
            Figure::ChurnRisk(_) | Figure::DealDaysInStage | Figure::DealAgeDays => return None,
        })
    }

    pub fn value_type(self) -> FigureType {
        match self {
            Figure::LastTicketAt(_) | Figure::LastTouchedAt(_) => FigureType::Timestamp,
            Figure::LatestNps(_)
            | Figure::LatestCsat(_)
            | Figure::CompanyLeadScore
            | Figure::Completeness(_) => FigureType::Int,
            _ => FigureType::BigInt,
        }
    }

    /// Whether rows can lack a value (sorted last).
    pub fn nullable(self) -> bool {
        matches!(
            self,
            Figure::LastTicketAt(_)
                | Figure::LastTouchedAt(_)
                | Figure::LatestNps(_)
                | Figure::LatestCsat(_)
                | Figure::AverageResolution(_)
        )
    }

    /// The figure as an expression over the listed row: its stored column,
    /// or the formula over its columns and the server's clock.
    pub fn expr(self, backend: DbBackend) -> Expr {
        let table = self.table();
        if let Some(column) = self.column() {
            return Expr::col((table, column));
        }
        let now = crate::clock::now();
        match self {
            Figure::ChurnRisk(_) => churn_risk(table, now),
            Figure::DealDaysInStage => whole_days(backend, r#""deal"."stage_entered_at""#, None),
            _ => whole_days(
                backend,
                r#""deal"."created_at""#,
                Some(r#""deal"."closed_at""#),
            ),
        }
    }
}

/// Whole days (rounded down) from `column` to `until` when set, else to
/// the server's clock, bound as a value.
fn whole_days(backend: DbBackend, column: &str, until: Option<&str>) -> Expr {
    let now = crate::clock::now();
    match backend {
        DbBackend::Postgres => {
            let end = until.map_or("$1".to_owned(), |u| format!("COALESCE({u}, $1)"));
            Expr::cust_with_values(
                format!("CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {column})) / 86400) AS BIGINT)"),
                [now],
            )
        }
        _ => {
            // SQLite's date functions keep milliseconds: the elapsed time in
            // whole milliseconds is exact, then divided rounding down.
            let end = until.map_or("?".to_owned(), |u| format!("COALESCE({u}, ?)"));
            let ms = format!(
                "CAST(ROUND((julianday({end}) - julianday({column})) * 86400000.0) AS INTEGER)"
            );
            Expr::cust_with_values(
                format!("(({ms}) - (CASE WHEN ({ms}) < 0 THEN 86399999 ELSE 0 END)) / 86400000"),
                [now, now],
            )
        }
    }
}

/// Whole days from `from` to `to`, rounded down: the rule of the SQL above.
pub fn whole_days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let micros = (to - from).num_microseconds().unwrap_or(i64::MAX);
    micros.div_euclid(86_400_000_000)
}

/// The latest entry time with at least `days` whole days elapsed by `now`:
/// whole days since `t` ≥ `days` exactly when `t` ≤ this. Days beyond any
/// representable time give the earliest or latest time there is.
pub fn entered_by(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    Duration::try_days(days)
        .and_then(|span| now.checked_sub_signed(span))
        .unwrap_or(if days > 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// The churn risk formula of the module documentation, over the stored
/// figures of `table`'s row.
fn churn_risk(table: &str, now: DateTime<Utc>) -> Expr {
    let c = |column: &str| format!(r#""{table}"."{column}""#);
    let (csat, nps, open) = (c("latest_csat"), c("latest_nps"), c("open_ticket_count"));
    let satisfaction_and_load = Expr::cust(format!(
        "(CASE WHEN {csat} IS NOT NULL THEN (5 - {csat}) * 10 \
         WHEN {nps} IS NOT NULL THEN (CASE WHEN {nps} >= 9 THEN 0 WHEN {nps} >= 7 THEN 20 ELSE 40 END) \
         ELSE 20 END) \
         + (CASE WHEN {open} >= 3 THEN 30 ELSE {open} * 10 END)"
    ));
    let last_order = Expr::cust(c("last_order_at"));
    let since = |days| last_order.clone().gte(now - Duration::days(days));
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
        assert_eq!(pg.matches("SELECT").count(), 1, "no subquery: {pg}");
    }

    #[test]
    fn whole_days_round_down_also_before_zero() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let now = t("2025-12-21T12:00:00Z");
        assert_eq!(whole_days_between(t("2025-12-01T00:00:00Z"), now), 20);
        assert_eq!(whole_days_between(t("2025-12-20T12:00:00Z"), now), 1);
        assert_eq!(whole_days_between(t("2025-12-20T12:00:00.000001Z"), now), 0);
        assert_eq!(whole_days_between(t("2026-01-05T00:00:00Z"), now), -15);
        for days in [-15, -1, 0, 1, 20] {
            let limit = entered_by(now, days);
            assert_eq!(whole_days_between(limit, now), days);
            let later = limit + Duration::microseconds(1);
            assert_eq!(whole_days_between(later, now), days - 1);
        }
        assert_eq!(entered_by(now, i64::MAX), DateTime::<Utc>::MIN_UTC);
    }
}
