//! Group-by aggregates: counts and amount statistics of the records a
//! filter selects, grouped by fields and date buckets, in one statement per
//! request, so that a dashboard draws any chart with one query.
//!
//! Amounts are never combined across currencies: every money statistic is
//! per currency within its group.

use rapport_core::error::CoreError;
use std::collections::BTreeMap;

use async_graphql::{Context, Enum, SimpleObject};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Condition, Expr, Query};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult};
use uuid::Uuid;

use super::context::{actor, db};
use super::error::{ApiError, ApiResult};
use super::filter::{RecordFilter, limits};
use super::ids::{self, Kind};
use super::list::{Record, scope};
use crate::domain::money;
use rapport_core::rules::sums;

/// Most `groupBy` entries in one request.
const MAX_GROUP_FIELDS: usize = 3;

/// A calendar bucket for grouping timestamps and dates (UTC; weeks start on Monday).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBucket {
    /// One calendar day.
    Day,
    /// An ISO week, Monday to Sunday; the key is its Monday.
    Week,
    /// A calendar month; the key is its first day.
    Month,
    /// A calendar quarter (January, April, July, October); the key is its first day.
    Quarter,
    /// A calendar year; the key is 1 January.
    Year,
}

/// Count, sum, average, minimum and maximum of the amounts in one currency.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct AmountStats {
    /// ISO 4217 code the amounts are in; amounts in different currencies are never added together.
    pub currency: String,
    /// How many amounts in this currency.
    pub count: i64,
    /// Their total, exact.
    pub sum: Decimal,
    /// Rounded to the currency's decimals.
    pub avg: Decimal,
    /// The smallest amount.
    pub min: Decimal,
    /// The largest amount.
    pub max: Decimal,
}

/// One group of records.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct AggregateGroup {
    /// The group's value for each `groupBy` entry, in order: a global id, an
    /// enum value or text, or a bucket's first day (`YYYY-MM-DD`); null for
    /// records without a value.
    pub key: Vec<Option<String>>,
    /// How many records fall in the group.
    pub count: i64,
    /// Amount statistics per currency (empty for records without amounts,
    /// and for roles that see no amounts).
    pub amounts: Vec<AmountStats>,
    /// Mean hours from opening to resolution over the group's resolved
    /// tickets (tickets only).
    pub average_resolution_hours: Option<f64>,
}

/// How a grouping column reads back.
#[derive(Debug, Clone, Copy)]
pub enum GroupValue {
    /// A reference, shown as the global id of this kind.
    Id(Kind),
    /// Text or an enum's stored value.
    Text,
    /// A calendar date column, grouped by a bucket.
    Date,
    /// A timestamp column, grouped by a bucket of its UTC date.
    Timestamp,
}

/// One grouping column of a record type.
#[derive(Debug, Clone, Copy)]
pub struct GroupColumn {
    /// The table it is in: the record's own when `None`, else one that
    /// [`Measures::joined`] brings in.
    pub table: Option<&'static str>,
    pub column: &'static str,
    pub value: GroupValue,
}

/// Tables joined to the records when a grouping reads one of their columns
/// (an order's lines and their products), and the amount then measured.
#[derive(Debug, Clone, Copy)]
pub struct Joined {
    /// `(table, ON condition)`, left-joined in order.
    pub joins: &'static [(&'static str, &'static str)],
    /// The amount of one joined row (SQL): a line's total, or the whole
    /// record's amount where it has no joined row.
    pub amount: &'static str,
}

/// What a request aggregates besides the count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measures {
    /// The table has `amount_e4` and `currency`.
    pub amounts: bool,
    /// The table has `opened_at` and `resolved_at` (tickets).
    pub resolution: bool,
    /// What grouping by a column of another table joins (orders: lines).
    pub joined: Option<Joined>,
}

/// The SQL of `column` truncated to `bucket`, as a `YYYY-MM-DD` text.
fn bucket_sql(backend: DbBackend, column: &str, bucket: DateBucket, utc: bool) -> String {
    if backend == DbBackend::Postgres {
        // A timestamptz cast to timestamp would take the session's zone.
        let local = if utc {
            format!("({column} AT TIME ZONE 'UTC')")
        } else {
            format!("({column})::timestamp")
        };
        let unit = match bucket {
            DateBucket::Day => "day",
            DateBucket::Week => "week",
            DateBucket::Month => "month",
            DateBucket::Quarter => "quarter",
            DateBucket::Year => "year",
        };
        return format!("to_char(date_trunc('{unit}', {local}), 'YYYY-MM-DD')");
    }
    match bucket {
        DateBucket::Day => format!("strftime('%Y-%m-%d', {column})"),
        DateBucket::Week => format!(
            "date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')"
        ),
        DateBucket::Month => format!("strftime('%Y-%m-01', {column})"),
        DateBucket::Quarter => format!(
            "strftime('%Y', {column}) || '-' || printf('%02d', ((CAST(strftime('%m', {column}) AS INTEGER) - 1) / 3) * 3 + 1) || '-01'"
        ),
        DateBucket::Year => format!("strftime('%Y-01-01', {column})"),
    }
}

/// The groups of the `R` records `filter` selects, by `groups` (each with
/// its bucket, required for dates and refused otherwise), in one statement.
pub async fn groups<R: Record, F: RecordFilter>(
    ctx: &Context<'_>,
    filter: Option<&F>,
    groups: &[(GroupColumn, Option<DateBucket>)],
    measures: Measures,
) -> ApiResult<Vec<AggregateGroup>> {
    let actor = actor(ctx)?;
    let db = db(ctx)?;
    let backend = db.get_database_backend();
    if groups.is_empty() || groups.len() > MAX_GROUP_FIELDS {
        return Err(ApiError::bad_input(
            "groupBy",
            format!("give 1 to {MAX_GROUP_FIELDS} fields"),
        ));
    }
    if let Some(filter) = filter {
        limits::check(filter)?;
    }
    if let Some(field) = filter.and_then(|f| f.hidden_field(actor)) {
        return Err(ApiError(CoreError::Forbidden(format!(
            "this role may not filter by {field}"
        ))));
    }
    let mut condition = scope::<R>(actor);
    if let Some(filter) = filter {
        condition =
            condition.add(filter.condition(actor.workspace_id, db.get_database_backend(), 0)?);
    }
    let table = R::TABLE;
    let mut select = Query::select();
    let mut keys = Vec::new();
    let joined = measures
        .joined
        .filter(|_| groups.iter().any(|(g, _)| g.table.is_some()));
    for (i, (group, bucket)) in groups.iter().enumerate() {
        let column = format!(r#""{}"."{}""#, group.table.unwrap_or(table), group.column);
        let sql = match (group.value, bucket) {
            (GroupValue::Date, Some(bucket)) => bucket_sql(backend, &column, *bucket, false),
            (GroupValue::Timestamp, Some(bucket)) => bucket_sql(backend, &column, *bucket, true),
            (GroupValue::Date | GroupValue::Timestamp, None) => {
                return Err(ApiError::bad_input(
                    format!("groupBy.{i}.bucket"),
                    "a date field needs a bucket",
                ));
            }
            (_, Some(_)) => {
                return Err(ApiError::bad_input(
                    format!("groupBy.{i}.bucket"),
                    "only date fields take a bucket",
                ));
            }
            (_, None) => column,
        };
        let alias = format!("g{i}");
        select.expr_as(
            Expr::cust(sql.clone()),
            sea_orm::sea_query::Alias::new(alias),
        );
        keys.push(sql);
    }
    let amounts = measures.amounts && actor.sees_amounts();
    if amounts {
        let amount = joined.map_or_else(
            || format!(r#""{table}"."amount_e4""#),
            |j| j.amount.to_owned(),
        );
        select.expr_as(Expr::cust(format!(r#""{table}"."currency""#)), "currency");
        sums::select(&mut select, &amount, "sum")
            .expr_as(Expr::cust(format!("MIN({amount})")), "min")
            .expr_as(Expr::cust(format!("MAX({amount})")), "max");
        keys.push(format!(r#""{table}"."currency""#));
    }
    if measures.resolution {
        let seconds = rapport_core::rules::figures::seconds_between(
            backend,
            &format!(r#""{table}"."opened_at""#),
            &format!(r#""{table}"."resolved_at""#),
        );
        select.expr_as(
            Expr::cust(format!(
                r#"CAST(AVG(CASE WHEN "{table}"."resolved_at" IS NOT NULL THEN {seconds} END) AS DOUBLE PRECISION)"#
            )),
            "average_seconds",
        );
    }
    select
        .expr_as(Expr::cust("COUNT(*)"), "count")
        .from(table)
        .cond_where(Condition::all().add(condition));
    for (other, on) in joined.map_or(&[][..], |j| j.joins) {
        select.join(
            sea_orm::sea_query::JoinType::LeftJoin,
            sea_orm::sea_query::Alias::new(*other),
            Expr::cust(*on),
        );
    }
    for key in &keys {
        select.add_group_by([Expr::cust(key.clone())]);
        select.order_by_expr(Expr::cust(key.clone()), sea_orm::Order::Asc);
    }
    let rows = db.query_all(&select.to_owned()).await?;
    fold(rows, groups, amounts, measures.resolution)
}

/// Rows (one per group and currency) into groups with per-currency stats.
fn fold(
    rows: Vec<QueryResult>,
    groups: &[(GroupColumn, Option<DateBucket>)],
    amounts: bool,
    resolution: bool,
) -> ApiResult<Vec<AggregateGroup>> {
    let mut folded: BTreeMap<Vec<Option<String>>, AggregateGroup> = BTreeMap::new();
    let mut order = Vec::new();
    for row in rows {
        let mut key = Vec::with_capacity(groups.len());
        for (i, (group, bucket)) in groups.iter().enumerate() {
            let alias = format!("g{i}");
            let value = match (group.value, bucket) {
                (GroupValue::Id(kind), None) => row
                    .try_get::<Option<Uuid>>("", &alias)?
                    .map(|id| ids::encode(kind, id).to_string()),
                _ => row.try_get::<Option<String>>("", &alias)?,
            };
            key.push(value);
        }
        let count: i64 = row.try_get("", "count")?;
        let seconds: Option<f64> = if resolution {
            row.try_get("", "average_seconds")?
        } else {
            None
        };
        if !folded.contains_key(&key) {
            order.push(key.clone());
        }
        let group = folded.entry(key.clone()).or_insert_with(|| AggregateGroup {
            key,
            count: 0,
            amounts: Vec::new(),
            average_resolution_hours: seconds.map(|s| (s / 36.0).round() / 100.0),
        });
        group.count += count;
        if amounts {
            let currency: String = row.try_get("", "currency")?;
            let sum = sums::read(&row, "sum")?;
            let min: i64 = row.try_get("", "min")?;
            let max: i64 = row.try_get("", "max")?;
            // The mean, rounded to the currency by the one rule.
            let exact = Decimal::try_from_i128_with_scale(sum, money::STORED_SCALE)
                .unwrap_or(Decimal::MAX)
                / Decimal::from(count.max(1));
            let avg = money::round_to_currency(exact, &currency);
            group.amounts.push(AmountStats {
                count,
                sum: money::from_e4_wide(sum, &currency),
                avg,
                min: money::from_e4(min, &currency),
                max: money::from_e4(max, &currency),
                currency,
            });
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|key| folded.remove(&key))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_written_for_each_backend() {
        let column = "\"deal\".\"created_at\"";
        let pg = bucket_sql(DbBackend::Postgres, column, DateBucket::Month, true);
        assert!(pg.contains("date_trunc('month'") && pg.contains("AT TIME ZONE 'UTC'"));
        let lite = bucket_sql(DbBackend::Sqlite, "x", DateBucket::Quarter, true);
        assert!(lite.contains("printf('%02d'"));
    }
}
