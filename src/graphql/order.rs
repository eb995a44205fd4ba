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

/// One sort of companies, contacts, deals or tickets: by a field, or by a
/// custom field of the record type.
#[derive(InputObject, Debug, Clone, PartialEq, Eq, Hash)]
#[graphql(concrete(name = "CompanyOrder", params(super::company::CompanyOrderField)))]
#[graphql(concrete(name = "ContactOrder", params(super::contact::ContactOrderField)))]
#[graphql(concrete(name = "DealOrder", params(super::deal::DealOrderField)))]
#[graphql(concrete(name = "TicketOrder", params(super::ticket::TicketOrderField)))]
pub struct RecordOrdering<F: InputType> {
    /// The field to sort by; give this or `customField`.
    pub field: Option<F>,
    /// The key of a custom field of the record type to sort by: numbers by
    /// value, text, dates and instants by their text (which is their order),
    /// records without a value last.
    pub custom_field: Option<String>,
    /// Ascending (the default) or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// What an `orderBy` argument of a list holds, per its field enum.
pub trait OrderField: Sized {
    /// One entry of the list's `orderBy`.
    type Input: InputType + Sorting<Field = Self>;
}

/// One `orderBy` entry, whichever input it comes as.
pub trait Sorting {
    type Field: Copy;
    /// The field named, if the entry names one.
    fn field(&self) -> Option<Self::Field>;
    /// The custom field key named, if the entry names one.
    fn custom_field(&self) -> Option<&str> {
        None
    }
    fn direction(&self) -> OrderDirection;
}

impl<F: InputType + Copy> Sorting for Ordering<F> {
    type Field = F;
    fn field(&self) -> Option<F> {
        Some(self.field)
    }
    fn direction(&self) -> OrderDirection {
        self.direction
    }
}

impl<F: InputType + Copy> Sorting for RecordOrdering<F> {
    type Field = F;
    fn field(&self) -> Option<F> {
        self.field
    }
    fn custom_field(&self) -> Option<&str> {
        self.custom_field.as_deref()
    }
    fn direction(&self) -> OrderDirection {
        self.direction
    }
}

macro_rules! order_input {
    ($input:ident: $($field:ty),+ $(,)?) => {
        $(impl OrderField for $field {
            type Input = $input<$field>;
        })+
    };
}

order_input!(RecordOrdering:
    super::company::CompanyOrderField,
    super::contact::ContactOrderField,
    super::deal::DealOrderField,
    super::ticket::TicketOrderField,
);
order_input!(Ordering:
    super::activity::ActivityOrderField,
    super::pipeline::PipelineOrderField,
    super::pipeline::StageOrderField,
    super::member::MemberOrderField,
    super::tag::TagOrderField,
    super::customer_order::OrderOrderField,
    super::scoring::LeadScoringRuleOrderField,
    super::triggers::TriggerRuleOrderField,
    super::form::FormOrderField,
    super::goal::GoalOrderField,
    super::campaign::CampaignOrderField,
    super::product::ProductOrderField,
    super::reason::ReasonOrderField,
    super::segment::SegmentOrderField,
    super::survey::SurveyResponseOrderField,
);

/// At most this many sort fields, which keeps cursors and indexes sane.
const MAX_ORDER_FIELDS: usize = 4;

/// The sort keys for `order_by`, or `default` when none is given; always ends with `id`.
pub fn sort_keys<S: Sorting>(
    order_by: Option<&[S]>,
    table: &'static str,
    key: fn(S::Field) -> SortKey,
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
            .enumerate()
            .map(|(i, o)| {
                // A key may sort its column the other way round (a deal's
                // days in stage: by entry time, latest first).
                let key = match (o.field(), o.custom_field()) {
                    (Some(field), None) => key(field),
                    (None, Some(custom)) => custom_key(table, custom, i)?,
                    _ => {
                        return Err(ApiError::bad_input(
                            format!("orderBy.{i}"),
                            "give either field or customField",
                        ));
                    }
                };
                Ok(SortKey {
                    desc: key.desc != (o.direction() == OrderDirection::Desc),
                    ..key
                })
            })
            .collect::<ApiResult<_>>()?
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

/// The key of custom field `custom` of `table`, refused unless it has a
/// custom field key's form (a key no field has sorts every record alike).
fn custom_key(table: &'static str, custom: &str, i: usize) -> ApiResult<SortKey> {
    if !rapport_core::ops::custom_field::is_key(custom) {
        return Err(ApiError::bad_input(
            format!("orderBy.{i}.customField"),
            "not a custom field key",
        ));
    }
    Ok(SortKey::custom_field(table, custom))
}

/// [`sort_keys`] whose default is newest first: `newest` descending, then
/// the (time-ordered, UUIDv7) id descending. Timelines read this way.
pub fn newest_first<S: Sorting>(
    order_by: Option<&[S]>,
    table: &'static str,
    key: fn(S::Field) -> SortKey,
    newest: S::Field,
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
