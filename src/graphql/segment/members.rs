//! A segment's records: its stored filter and ordering, parsed back into
//! the record type's filter input, through the same list loader as the
//! type's own list (so the reader's role rules apply); a list's records are
//! those on it, still live.

use std::fmt::Debug;

use async_graphql::{Context, InputType};
use entity::enums::SegmentKind;
use entity::segment;
use rapport_core::error::CoreError;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};

use crate::graphql::context::{actor, db};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::RecordFilter;
use crate::graphql::level::Conn;
use crate::graphql::list::{self, ListArgs, Record};
use crate::graphql::order::OrderField;
use crate::graphql::page::{PageArgs, SortKey};

/// How a record type's stored `orderBy` (named `field` in a refusal)
/// becomes sort keys.
pub type Keys = fn(Option<&serde_json::Value>, &str) -> ApiResult<Vec<SortKey>>;

/// `value` read as the API input `T`; `field` names it in a refusal.
pub fn parse<T: InputType>(given: &serde_json::Value, field: &str) -> ApiResult<T> {
    let value = async_graphql::Value::from_json(given.clone())
        .map_err(|e| ApiError::bad_input(field, e.to_string()))?;
    let parsed = T::parse(Some(value))
        .map_err(|e| ApiError::bad_input(field, e.into_server_error(Default::default()).message))?;
    // Parsing skips names the input does not have: a typo would silently
    // widen a saved filter, so any such name is refused.
    let known = parsed
        .to_value()
        .into_json()
        .map_err(|e| ApiError::bad_input(field, e.to_string()))?;
    if let Some(name) = unknown_name(given, &known) {
        return Err(ApiError::bad_input(
            field,
            format!("no input field named {name}"),
        ));
    }
    Ok(parsed)
}

/// A name in `given` (an input as sent) that `known` (the same input read
/// back) lacks, at any depth.
fn unknown_name(given: &serde_json::Value, known: &serde_json::Value) -> Option<String> {
    use serde_json::Value::{Array, Object};
    match (given, known) {
        (Object(given), Object(known)) => {
            given
                .iter()
                .find_map(|(name, value)| match known.get(name) {
                    None => Some(name.clone()),
                    Some(back) => unknown_name(value, back),
                })
        }
        (Array(given), Array(known)) => given
            .iter()
            .zip(known)
            .find_map(|(value, back)| unknown_name(value, back)),
        _ => None,
    }
}

/// A refusal of a value given as `field`: a refused input keeps its
/// message and names `field`.
pub fn at(field: &str, error: ApiError) -> ApiError {
    match error.0 {
        CoreError::BadInput { message, .. } => ApiError::bad_input(field, message),
        other => ApiError(other),
    }
}

macro_rules! order_keys {
    ($name:ident, $field:ty) => {
        /// The sort keys of a stored `orderBy` of this record type.
        pub fn $name(value: Option<&serde_json::Value>, field: &str) -> ApiResult<Vec<SortKey>> {
            let parsed = value
                .map(|v| parse::<Vec<<$field as OrderField>::Input>>(v, field))
                .transpose()?;
            <$field>::keys(parsed.as_deref()).map_err(|e| at(field, e))
        }
    };
}

order_keys!(contact_keys, crate::graphql::contact::ContactOrderField);
order_keys!(company_keys, crate::graphql::company::CompanyOrderField);
order_keys!(deal_keys, crate::graphql::deal::DealOrderField);

/// [`page`], when `segment` holds records of `holds` (else none).
pub async fn page_of<R, F>(
    ctx: &Context<'_>,
    segment: &segment::Model,
    holds: entity::enums::SegmentType,
    page_args: PageArgs,
    keys: Keys,
) -> ApiResult<Option<Conn<R>>>
where
    R: Record,
    F: RecordFilter + Debug,
{
    if segment.record_type != holds {
        return Ok(None);
    }
    page::<R, F>(ctx, segment, page_args, keys).await.map(Some)
}

/// The page of `segment`'s records (of `R`, filtered by `F`, ordered by `O`).
pub async fn page<R, F>(
    ctx: &Context<'_>,
    segment: &segment::Model,
    page: PageArgs,
    keys: Keys,
) -> ApiResult<Conn<R>>
where
    R: Record,
    F: RecordFilter + Debug,
{
    let (filter, keys, extra) = query::<R, F>(segment, keys)?;
    let args = ListArgs {
        page,
        filter: filter.as_ref(),
        keys,
        extra,
    };
    list::top_level::<R, F>(ctx, args).await
}

/// The condition a record of `R` meets while it is among `segment`'s
/// records, as `actor` sees them (for following it live).
pub fn condition<R, F>(
    segment: &segment::Model,
    actor: &crate::auth::Actor,
    backend: sea_orm::DbBackend,
    keys: Keys,
) -> ApiResult<Condition>
where
    R: Record,
    F: RecordFilter + Debug,
{
    let (filter, keys, extra) = query::<R, F>(segment, keys)?;
    let args = ListArgs {
        page: PageArgs::default(),
        filter: filter.as_ref(),
        keys,
        extra,
    };
    args.condition::<R>(actor, backend)
}

/// How many records `segment` holds now.
pub async fn count<R, F>(ctx: &Context<'_>, segment: &segment::Model, keys: Keys) -> ApiResult<i64>
where
    R: Record,
    F: RecordFilter + Debug,
{
    let (filter, keys, extra) = query::<R, F>(segment, keys)?;
    let args = ListArgs {
        page: PageArgs::default(),
        filter: filter.as_ref(),
        keys,
        extra,
    };
    let db = db(ctx)?;
    let condition = args.condition::<R>(actor(ctx)?, db.get_database_backend())?;
    let n = R::Entity::find().filter(condition).count(db).await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

type Parts<F> = (Option<F>, Vec<SortKey>, Condition);

fn query<R: Record, F: RecordFilter>(segment: &segment::Model, keys: Keys) -> ApiResult<Parts<F>> {
    // Stored values were checked when saved: a refusal now is ours.
    let stored = |e: ApiError| ApiError(CoreError::Internal(format!("stored segment: {:?}", e.0)));
    let filter = segment
        .filter
        .as_ref()
        .map(|v| parse::<F>(v, "filter"))
        .transpose()
        .map_err(stored)?;
    let keys = keys(segment.order_by.as_ref(), "orderBy").map_err(stored)?;
    let extra = match segment.kind {
        SegmentKind::Segment => Condition::all(),
        SegmentKind::List => Condition::all().add(
            Expr::col((R::TABLE, "id")).in_subquery(
                Query::select()
                    .column("record_id")
                    .from("segment_member")
                    .and_where(Expr::col("workspace_id").eq(segment.workspace_id))
                    .and_where(Expr::col("segment_id").eq(segment.id))
                    .to_owned(),
            ),
        ),
    };
    Ok((filter, keys, extra))
}
