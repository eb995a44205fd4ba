//! `orderBy` inputs: a list of (field, direction), ending implicitly with `id`.

use async_graphql::{Enum, InputObject, InputType};

use super::error::{ApiError, ApiResult};
use super::page::SortKey;

/// Which way a field sorts.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OrderDirection {
    /// Smallest first. NULLs come last.
    #[default]
    Asc,
    /// Largest first. NULLs come last.
    Desc,
}

/// One sort field and its direction.
#[derive(InputObject, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(concrete(name = "CompanyOrder", params(super::company::CompanyOrderField)))]
#[graphql(concrete(name = "ContactOrder", params(super::contact::ContactOrderField)))]
#[graphql(concrete(name = "DealOrder", params(super::deal::DealOrderField)))]
#[graphql(concrete(name = "TicketOrder", params(super::ticket::TicketOrderField)))]
#[graphql(concrete(name = "ActivityOrder", params(super::activity::ActivityOrderField)))]
#[graphql(concrete(name = "PipelineOrder", params(super::pipeline::PipelineOrderField)))]
#[graphql(concrete(name = "StageOrder", params(super::pipeline::StageOrderField)))]
#[graphql(concrete(name = "MemberOrder", params(super::member::MemberOrderField)))]
#[graphql(concrete(name = "TagOrder", params(super::tag::TagOrderField)))]
#[graphql(concrete(name = "OrderOrder", params(super::customer_order::OrderOrderField)))]
#[graphql(concrete(
    name = "LeadScoringRuleOrder",
    params(super::scoring::LeadScoringRuleOrderField)
))]
#[graphql(concrete(
    name = "TriggerRuleOrder",
    params(super::triggers::TriggerRuleOrderField)
))]
#[graphql(concrete(name = "FormOrder", params(super::form::FormOrderField)))]
#[graphql(concrete(name = "GoalOrder", params(super::goal::GoalOrderField)))]
#[graphql(concrete(name = "CampaignOrder", params(super::campaign::CampaignOrderField)))]
#[graphql(concrete(name = "ProductOrder", params(super::product::ProductOrderField)))]
#[graphql(concrete(name = "ReasonOrder", params(super::reason::ReasonOrderField)))]
#[graphql(concrete(name = "SegmentOrder", params(super::segment::SegmentOrderField)))]
#[graphql(concrete(
    name = "SurveyResponseOrder",
    params(super::survey::SurveyResponseOrderField)
))]
pub struct Ordering<F: InputType> {
    /// The field to sort by.
    pub field: F,
    /// Ascending (the default) or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// At most this many sort fields, which keeps cursors and indexes sane.
const MAX_ORDER_FIELDS: usize = 4;

/// The sort keys for `order_by`, or `default` when none is given; always ends with `id`.
pub fn sort_keys<F: InputType + Copy + PartialEq>(
    order_by: Option<&[Ordering<F>]>,
    table: &'static str,
    key: fn(F) -> SortKey,
    default: &[SortKey],
) -> ApiResult<Vec<SortKey>> {
    let order_by = order_by.unwrap_or_default();
    if order_by.len() > MAX_ORDER_FIELDS {
        return Err(ApiError::bad_input(
            "orderBy",
            format!("at most {MAX_ORDER_FIELDS} fields"),
        ));
    }
    let mut keys: Vec<SortKey> = if order_by.is_empty() {
        default.to_vec()
    } else {
        order_by
            .iter()
            .map(|o| {
                // A key may sort its column the other way round (a deal's
                // days in stage: by entry time, latest first).
                let key = key(o.field);
                SortKey {
                    desc: key.desc != (o.direction == OrderDirection::Desc),
                    ..key
                }
            })
            .collect()
    };
    for (i, k) in keys.iter().enumerate() {
        if keys[..i].iter().any(|earlier| earlier.column == k.column) {
            return Err(ApiError::bad_input("orderBy", "a field appears twice"));
        }
    }
    if !keys.iter().any(|k| k.column == "id") {
        // The tie-breaker runs the way of the key before it, so that one
        // index `(workspace_id, key, id)` serves the order in both
        // directions (scanned backwards for descending).
        let desc = keys.last().is_some_and(|k| k.desc);
        keys.push(SortKey {
            desc,
            ..SortKey::id(table)
        });
    }
    Ok(keys)
}

/// [`sort_keys`] whose default is newest first: `newest` descending, then
/// the (time-ordered, UUIDv7) id descending. Timelines read this way.
pub fn newest_first<F: InputType + Copy + PartialEq>(
    order_by: Option<&[Ordering<F>]>,
    table: &'static str,
    key: fn(F) -> SortKey,
    newest: F,
) -> ApiResult<Vec<SortKey>> {
    let default = [
        SortKey {
            desc: true,
            ..key(newest)
        },
        SortKey {
            desc: true,
            ..SortKey::id(table)
        },
    ];
    sort_keys(order_by, table, key, &default)
}
