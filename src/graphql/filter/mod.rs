//! Filter inputs: typed operators per scalar, composed with `and`/`or`/`not`.

pub mod custom;
mod fields;
pub mod limits;
mod operators;
mod record;
pub mod relation;
pub mod search_forms;
mod text;

use async_graphql::{ID, InputObject, InputType};
use entity::enums::TaggableType;
use rust_decimal::Decimal;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, Value};
use uuid::Uuid;

use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use crate::domain::money;
pub use fields::{ColumnFilter, Fields};
pub use limits::MAX_FILTER_DEPTH;
pub(crate) use record::record_filter_composition;
pub use record::{FilterNode, RecordFilter};

pub use operators::{DateFilter, DateTimeFilter, DecimalFilter, IdFilter, IntFilter, StringFilter};

/// Conditions on an enumerated field.
#[derive(InputObject, Debug, Clone, PartialEq, Eq, Hash)]
#[graphql(concrete(name = "DealStatusFilter", params(entity::enums::DealStatus)))]
#[graphql(concrete(name = "TicketStatusFilter", params(entity::enums::TicketStatus)))]
#[graphql(concrete(name = "TicketPriorityFilter", params(entity::enums::TicketPriority)))]
#[graphql(concrete(name = "LifecycleStageFilter", params(entity::enums::LifecycleStage)))]
#[graphql(concrete(name = "ActivityKindFilter", params(entity::enums::ActivityKind)))]
#[graphql(concrete(name = "StageKindFilter", params(entity::enums::StageKind)))]
#[graphql(concrete(name = "RoleFilter", params(entity::enums::Role)))]
#[graphql(concrete(name = "SurveyKindFilter", params(entity::enums::SurveyKind)))]
#[graphql(concrete(name = "ReasonKindFilter", params(entity::enums::ReasonKind)))]
#[graphql(concrete(name = "ScoringTargetFilter", params(entity::enums::ScoringTarget)))]
#[graphql(concrete(name = "TriggerKindFilter", params(entity::enums::TriggerKind)))]
#[graphql(concrete(name = "CampaignChannelFilter", params(entity::enums::CampaignChannel)))]
#[graphql(concrete(name = "CampaignStatusFilter", params(entity::enums::CampaignStatus)))]
#[graphql(concrete(name = "OrderStatusFilter", params(entity::enums::OrderStatus)))]
pub struct EnumFilter<T: InputType> {
    /// Equal to this value.
    pub eq: Option<T>,
    /// Not equal to this value (records without a value do not match).
    pub ne: Option<T>,
    /// Equal to one of these values.
    #[graphql(name = "in")]
    pub in_: Option<Vec<T>>,
    /// Equal to none of these values (records without a value do not match).
    pub not_in: Option<Vec<T>>,
}

/// Records carrying tags, by tag name.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TagFilter {
    /// At least one of these tags.
    pub any: Option<Vec<String>>,
    /// Every one of these tags.
    pub all: Option<Vec<String>>,
    /// None of these tags.
    pub none: Option<Vec<String>>,
}

/// A column reference `table.column`.
/// The condition of a list's `search` filter: the records `search` would
/// find by `text` (see `rapport_core::search::filter`).
/// On PostgreSQL, the indexed form when the list's probe chose it
/// ([`search_forms`]).
pub fn search(
    table: &'static str,
    text: &str,
    workspace_id: uuid::Uuid,
    backend: sea_orm::DbBackend,
) -> ApiResult<Expr> {
    let built = if backend == sea_orm::DbBackend::Postgres && search_forms::indexed(table, text) {
        rapport_core::search::list_filter::indexed(table, text, workspace_id)
    } else {
        rapport_core::search::filter(backend, table, text, workspace_id)
    };
    let (sql, values) = built.map_err(|e| match e {
        rapport_core::error::CoreError::BadInput { message, .. } => {
            super::error::ApiError::bad_input("filter.search", message)
        }
        other => super::error::ApiError(other),
    })?;
    Ok(Expr::cust_with_values(sql, values))
}

pub fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((table, column))
}

/// A comparison operator applied to a column and a value.
type Comparison<V> = fn(Expr, V) -> Expr;

/// Adds `col op value` for each bound given, in the order eq, ne, lt, lte, gt, gte.
fn ordered<V: Into<Value> + Clone>(c: Condition, col: &Expr, bounds: [&Option<V>; 6]) -> Condition {
    let mut c = c;
    let ops: [Comparison<V>; 6] = [
        |e, v| e.eq(v),
        |e, v| e.ne(v),
        |e, v| e.lt(v),
        |e, v| e.lte(v),
        |e, v| e.gt(v),
        |e, v| e.gte(v),
    ];
    for (value, op) in bounds.into_iter().zip(ops) {
        if let Some(v) = value {
            c = c.add(op(col.clone(), v.clone()));
        }
    }
    c
}

fn null_check(c: Condition, col: &Expr, is_null: Option<bool>) -> Condition {
    match is_null {
        Some(true) => c.add(col.clone().is_null()),
        Some(false) => c.add(col.clone().is_not_null()),
        None => c,
    }
}

fn membership<V: Into<Value> + Clone>(
    c: Condition,
    col: &Expr,
    in_: &Option<Vec<V>>,
    not_in: &Option<Vec<V>>,
) -> Condition {
    let mut c = c;
    if let Some(values) = in_ {
        c = c.add(
            col.clone().is_in(
                values
                    .iter()
                    .cloned()
                    .map(Into::into)
                    .collect::<Vec<Value>>(),
            ),
        );
    }
    if let Some(values) = not_in {
        c = c.add(
            col.clone().is_not_in(
                values
                    .iter()
                    .cloned()
                    .map(Into::into)
                    .collect::<Vec<Value>>(),
            ),
        );
    }
    c
}

impl StringFilter {
    pub fn condition(&self, col: Expr, backend: DbBackend) -> Condition {
        let c = ordered(
            Condition::all(),
            &col,
            [&self.eq, &self.ne, &self.lt, &self.lte, &self.gt, &self.gte],
        );
        let mut c = null_check(
            membership(c, &col, &self.in_, &self.not_in),
            &col,
            self.is_null,
        );
        if let Some(text) = &self.contains {
            c = c.add(text::matches(&col, text, text::At::Anywhere, backend));
        }
        if let Some(text) = &self.starts_with {
            c = c.add(text::matches(&col, text, text::At::Start, backend));
        }
        c
    }
}

impl IntFilter {
    pub fn condition(&self, col: Expr) -> Condition {
        let c = ordered(
            Condition::all(),
            &col,
            [&self.eq, &self.ne, &self.lt, &self.lte, &self.gt, &self.gte],
        );
        null_check(
            membership(c, &col, &self.in_, &self.not_in),
            &col,
            self.is_null,
        )
    }
}

impl DecimalFilter {
    /// Compares the `*_e4` column with each amount scaled the same way.
    pub fn condition(&self, col: Expr, field: &str) -> ApiResult<Condition> {
        let scale = |v: &Option<Decimal>| {
            v.map(|d| money::to_e4(d).map_err(ApiError::invalid(field)))
                .transpose()
        };
        let scale_all = |v: &Option<Vec<Decimal>>| {
            v.as_ref()
                .map(|all| {
                    all.iter()
                        .map(|d| money::to_e4(*d).map_err(ApiError::invalid(field)))
                        .collect::<ApiResult<Vec<i64>>>()
                })
                .transpose()
        };
        let c = ordered(
            Condition::all(),
            &col,
            [
                &scale(&self.eq)?,
                &scale(&self.ne)?,
                &scale(&self.lt)?,
                &scale(&self.lte)?,
                &scale(&self.gt)?,
                &scale(&self.gte)?,
            ],
        );
        Ok(null_check(
            membership(c, &col, &scale_all(&self.in_)?, &scale_all(&self.not_in)?),
            &col,
            self.is_null,
        ))
    }
}

impl DateTimeFilter {
    pub fn condition(&self, col: Expr) -> Condition {
        let c = ordered(
            Condition::all(),
            &col,
            [&self.eq, &self.ne, &self.lt, &self.lte, &self.gt, &self.gte],
        );
        null_check(c, &col, self.is_null)
    }
}

impl DateFilter {
    pub fn condition(&self, col: Expr) -> Condition {
        let c = ordered(
            Condition::all(),
            &col,
            [&self.eq, &self.ne, &self.lt, &self.lte, &self.gt, &self.gte],
        );
        null_check(c, &col, self.is_null)
    }
}

impl IdFilter {
    /// Ids of another type are refused; ids of another workspace simply match nothing.
    pub fn condition(&self, col: Expr, kind: Kind, field: &str) -> ApiResult<Condition> {
        let one = |id: &Option<ID>| ids::decode_opt(id.as_ref(), kind, field);
        let many = |list: &Option<Vec<ID>>| {
            list.as_ref()
                .map(|l| {
                    l.iter()
                        .map(|id| ids::decode(id, kind, field))
                        .collect::<ApiResult<Vec<Uuid>>>()
                })
                .transpose()
        };
        let none = None::<Uuid>;
        let c = ordered(
            Condition::all(),
            &col,
            [&one(&self.eq)?, &one(&self.ne)?, &none, &none, &none, &none],
        );
        Ok(null_check(
            membership(c, &col, &many(&self.in_)?, &many(&self.not_in)?),
            &col,
            self.is_null,
        ))
    }
}

impl<T: InputType + Into<Value> + Clone> EnumFilter<T> {
    pub fn condition(&self, col: Expr) -> Condition {
        let none = None::<T>;
        let c = ordered(
            Condition::all(),
            &col,
            [&self.eq, &self.ne, &none, &none, &none, &none],
        );
        membership(c, &col, &self.in_, &self.not_in)
    }
}

impl TagFilter {
    /// EXISTS subqueries on the tagging table, scoped to the workspace.
    pub fn condition(
        &self,
        workspace_id: Uuid,
        record_type: TaggableType,
        record_id: Expr,
    ) -> Condition {
        let tagged_with = |names: &[String]| {
            let names: Vec<Value> = names
                .iter()
                .map(|n| Value::from(n.trim().to_owned()))
                .collect();
            Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from("tagging")
                    .inner_join("tag", col("tag", "id").eq(col("tagging", "tag_id")))
                    .and_where(col("tagging", "workspace_id").eq(workspace_id))
                    .and_where(col("tag", "workspace_id").eq(workspace_id))
                    .and_where(col("tagging", "record_type").eq(record_type))
                    .and_where(col("tagging", "record_id").eq(record_id.clone()))
                    .and_where(col("tag", "name").is_in(names))
                    .to_owned(),
            )
        };
        let mut c = Condition::all();
        if let Some(any) = &self.any {
            c = c.add(tagged_with(any));
        }
        for name in self.all.iter().flatten() {
            c = c.add(tagged_with(std::slice::from_ref(name)));
        }
        if let Some(none) = &self.none {
            c = c.add(tagged_with(none).not());
        }
        c
    }
}
