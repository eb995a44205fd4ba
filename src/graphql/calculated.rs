//! The calculated figures through GraphQL: the `figures` filter input, the
//! sort key of each figure, and the per-level loader of figure fields. The
//! figures themselves (stored columns, or SQL expressions over the listed
//! row) are the core's `rules::figures`.

use std::collections::HashMap;

use async_graphql::{Context, InputObject};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::context::{actor, db};
use super::error::ApiResult;
use super::filter::{DateTimeFilter, DecimalFilter, IntFilter};
use super::level::Row;
use super::list::in_ids;
use super::page::{KeyType, SortKey};

pub use rapport_core::rules::figures::{Figure, FigureType, Of, entered_by};

/// Conditions on the calculated figures of a contact or company.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FiguresFilter {
    /// Live tickets.
    pub ticket_count: Option<IntFilter>,
    /// Tickets OPEN or PENDING.
    pub open_ticket_count: Option<IntFilter>,
    /// Matches on `lastTicketAt`: when the latest ticket was opened.
    pub last_ticket_at: Option<DateTimeFilter>,
    /// Matches on `latestNps`: the score of the latest NPS answer (0–10).
    pub latest_nps: Option<IntFilter>,
    /// Matches on `latestCsat`: the score of the latest CSAT answer (1–5).
    pub latest_csat: Option<IntFilter>,
    /// Σ of the orders, compared by nominal amount whatever the currency
    /// (like `annualRevenue`); filter `orders` by currency for exact sums.
    pub lifetime_value: Option<DecimalFilter>,
    /// 0–100, see the README for the formula.
    pub churn_risk: Option<IntFilter>,
    /// Mean hours from opening to resolution of resolved tickets.
    pub average_resolution_hours: Option<DecimalFilter>,
    /// Matches on `lastTouchedAt`: the latest activity (not a task),
    /// engagement, order, ticket or survey answer.
    pub last_touched_at: Option<DateTimeFilter>,
    /// Matches on `completeness`: the percentage of key fields filled (0–100).
    pub completeness: Option<IntFilter>,
}

impl FiguresFilter {
    /// The filter's conditions on the listed rows of `of`.
    pub fn condition(&self, of: Of, backend: DbBackend) -> ApiResult<Condition> {
        let mut all = Condition::all();
        let counts = [
            (&self.ticket_count, Figure::TicketCount(of)),
            (&self.open_ticket_count, Figure::OpenTicketCount(of)),
            (&self.latest_nps, Figure::LatestNps(of)),
            (&self.latest_csat, Figure::LatestCsat(of)),
            (&self.churn_risk, Figure::ChurnRisk(of)),
            (&self.completeness, Figure::Completeness(of)),
        ];
        for (filter, figure) in counts {
            if let Some(f) = filter {
                all = all.add(f.condition(figure.expr(backend)));
            }
        }
        for (filter, figure) in [
            (&self.last_ticket_at, Figure::LastTicketAt(of)),
            (&self.last_touched_at, Figure::LastTouchedAt(of)),
        ] {
            if let Some(f) = filter {
                all = all.add(f.condition(figure.expr(backend)));
            }
        }
        if let Some(f) = &self.lifetime_value {
            all = all.add(f.condition(
                Figure::LifetimeValue(of).expr(backend),
                "filter.figures.lifetimeValue",
            )?);
        }
        if let Some(f) = &self.average_resolution_hours {
            all = all.add(f.condition(
                Figure::AverageResolution(of).expr(backend),
                "filter.figures.averageResolutionHours",
            )?);
        }
        Ok(all)
    }
}

/// The sort key of a figure: a deal's days in stage sort by when it entered
/// the stage (later entries have fewer days: an index on the column serves
/// it); every other figure by its expression, which for a stored figure is
/// its column, so an index serves those too. (Stored figures are not entity
/// fields, which keeps them out of event payloads and history, so their
/// cursor values come from the page statement like any expression's.)
pub fn sort_key(figure: Figure) -> SortKey {
    if figure == Figure::DealDaysInStage {
        return SortKey {
            column: "stage_entered_at",
            ty: KeyType::Timestamp,
            // Flipped by the requested direction (see `order::sort_keys`).
            desc: true,
            ..SortKey::id(figure.table())
        };
    }
    SortKey::calculated(figure.table(), figure)
}

/// `filter` on the whole days since `column` (rounded down), at `now`, as
/// conditions on the column itself, so that an index on it serves them:
/// whole days ≥ N exactly when `column` ≤ now − N days.
pub fn whole_days_condition(filter: &IntFilter, column: Expr, now: DateTime<Utc>) -> Condition {
    let at_least = |days: i64| column.clone().lte(entered_by(now, days));
    let below = |days: i64| column.clone().gt(entered_by(now, days));
    let exactly = |days: i64| {
        Condition::all()
            .add(at_least(days))
            .add(below(days.saturating_add(1)))
    };
    let never = || Expr::cust("1 = 0");
    let mut all = Condition::all();
    if let Some(n) = filter.eq {
        all = all.add(exactly(n));
    }
    if let Some(n) = filter.ne {
        all = all.add(exactly(n).not());
    }
    if let Some(n) = filter.lt {
        all = all.add(below(n));
    }
    if let Some(n) = filter.lte {
        all = all.add(below(n.saturating_add(1)));
    }
    if let Some(n) = filter.gt {
        all = all.add(at_least(n.saturating_add(1)));
    }
    if let Some(n) = filter.gte {
        all = all.add(at_least(n));
    }
    let any_of = |values: &[i64]| {
        values
            .iter()
            .fold(Condition::any().add(never()), |any, n| any.add(exactly(*n)))
    };
    if let Some(values) = &filter.in_ {
        all = all.add(any_of(values));
    }
    if let Some(values) = &filter.not_in {
        all = all.add(any_of(values).not());
    }
    match filter.is_null {
        // A deal always has whole days in its stage.
        Some(true) => all.add(never()),
        _ => all,
    }
}

/// A figure of every row of `parent`'s level, in one statement: the same
/// expression lists filter and sort by, so the field and the ordering
/// always agree.
pub async fn load<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    parent_id: fn(&P) -> Uuid,
    figure: Figure,
) -> ApiResult<Option<i64>> {
    let loaded = load_values(ctx, parent, parent_id, figure).await?;
    Ok(match loaded {
        Some(Value::Number(n)) => Some(n),
        _ => None,
    })
}

/// [`load`] for a figure that is a time.
pub async fn load_time<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    parent_id: fn(&P) -> Uuid,
    figure: Figure,
) -> ApiResult<Option<DateTime<Utc>>> {
    let loaded = load_values(ctx, parent, parent_id, figure).await?;
    Ok(match loaded {
        Some(Value::Time(t)) => Some(t),
        _ => None,
    })
}

/// A loaded figure's value.
#[derive(Debug, Clone, Copy)]
enum Value {
    Number(i64),
    Time(DateTime<Utc>),
}

async fn load_values<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    parent_id: fn(&P) -> Uuid,
    figure: Figure,
) -> ApiResult<Option<Value>> {
    let db = db(ctx)?;
    let workspace_id = actor(ctx)?.workspace_id;
    let backend = db.get_database_backend();
    let table = figure.table();
    let loaded = parent
        .level
        .load(format!("figure|{}", figure.name()), |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(parent_id).collect();
            let select = Query::select()
                .expr_as(Expr::col((table, "id")), "id")
                .expr_as(figure.expr(backend), "v")
                .from(table)
                .and_where(Expr::col((table, "workspace_id")).eq(workspace_id))
                .and_where(in_ids(backend, Expr::col((table, "id")), ids))
                .to_owned();
            let mut values: HashMap<Uuid, Option<Value>> = HashMap::new();
            for row in db.query_all(&select).await? {
                let value = match figure.value_type() {
                    FigureType::Int => row
                        .try_get::<Option<i32>>("", "v")?
                        .map(|n| Value::Number(n.into())),
                    FigureType::BigInt => row.try_get::<Option<i64>>("", "v")?.map(Value::Number),
                    FigureType::Timestamp => row
                        .try_get::<Option<DateTime<Utc>>>("", "v")?
                        .map(Value::Time),
                };
                values.insert(row.try_get("", "id")?, value);
            }
            Ok(values)
        })
        .await?;
    Ok(loaded.get(&parent_id(parent.model())).copied().flatten())
}
