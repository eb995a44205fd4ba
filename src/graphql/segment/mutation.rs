//! Saved-view mutations: each checks its filter and ordering against the
//! record type's inputs, then calls one core operation
//! (`rapport_core::ops::segment`), where the rules live.

use async_graphql::types::Json;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::enums::{SegmentKind, SegmentType};
use rapport_core::ops::segment::{self, NewSegment, SegmentChanges};
use rapport_macros::connections;

use super::Segment;
use super::members::{self, at, parse};
use crate::auth::{Actor, Area};
use crate::graphql::company::CompanyFilter;
use crate::graphql::contact::ContactFilter;
use crate::graphql::context::acting;
use crate::graphql::deal::DealFilter;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::filter::{RecordFilter, limits};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use rapport_core::error::CoreError;

/// A new segment or list.
#[derive(InputObject)]
pub struct CreateSegmentInput {
    /// What it is called (1 to 200 characters).
    pub name: String,
    /// The records it holds.
    pub r#type: SegmentType,
    /// SEGMENT (a saved filter, the default) or LIST (records added by hand).
    #[graphql(default_with = "SegmentKind::Segment")]
    pub kind: SegmentKind,
    /// A segment's filter: the `filter` argument of the type's list (e.g.
    /// `contacts`), as an object. Required for a segment, refused for a list.
    pub filter: Option<Json<serde_json::Value>>,
    /// The `orderBy` of the type's list, as a list of `{ field, direction }`.
    pub order_by: Option<Json<serde_json::Value>>,
    /// Whether the whole workspace sees it (the default) or only you.
    #[graphql(default = true)]
    pub shared: bool,
}

/// Changes to a saved view; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateSegmentInput {
    /// What it is called.
    pub name: Option<String>,
    /// A segment's new filter (a list takes none).
    pub filter: Option<Json<serde_json::Value>>,
    /// A new ordering.
    pub order_by: Option<Json<serde_json::Value>>,
    /// Shared with the workspace, or private to its owner.
    pub shared: Option<bool>,
}

/// The result of a saved-view mutation.
#[derive(SimpleObject)]
pub struct SegmentPayload {
    /// The view as the mutation left it.
    pub segment: Segment,
}

impl SegmentPayload {
    fn of(row: entity::segment::Model) -> Self {
        Self {
            segment: Segment(Level::single(row)),
        }
    }
}

/// The result of adding records to a list or removing them.
#[derive(SimpleObject)]
pub struct ListMembersPayload {
    /// The list.
    pub segment: Segment,
    /// How many records were added (or removed); those already on it (or
    /// not on it) count for nothing.
    pub changed: i64,
}

/// `filter` checked as the filter input `F` for `actor` (its size limits,
/// and no value its role may not see), and given back as stored.
fn checked_filter<F: RecordFilter>(
    actor: &Actor,
    filter: &serde_json::Value,
) -> ApiResult<serde_json::Value> {
    let parsed = parse::<F>(filter, "input.filter")?;
    limits::check(&parsed).map_err(|e| at("input.filter", e))?;
    if let Some(field) = parsed.hidden_field(actor) {
        return Err(ApiError(CoreError::Forbidden(format!(
            "this role may not filter by {field}"
        ))));
    }
    Ok(filter.clone())
}

/// The filter and ordering of a view of `record_type`, checked.
fn checked(
    actor: &Actor,
    record_type: SegmentType,
    filter: Option<&serde_json::Value>,
    order_by: Option<&serde_json::Value>,
) -> ApiResult<(Option<serde_json::Value>, Option<serde_json::Value>)> {
    let filter = filter
        .map(|f| match record_type {
            SegmentType::Contact => checked_filter::<ContactFilter>(actor, f),
            SegmentType::Company => checked_filter::<CompanyFilter>(actor, f),
            SegmentType::Deal => checked_filter::<DealFilter>(actor, f),
        })
        .transpose()?;
    if let Some(o) = order_by {
        let keys = match record_type {
            SegmentType::Contact => members::contact_keys,
            SegmentType::Company => members::company_keys,
            SegmentType::Deal => members::deal_keys,
        };
        keys(Some(o), "input.orderBy")?;
    }
    let order_by = order_by.cloned();
    Ok((filter, order_by))
}

#[derive(Default)]
pub struct SegmentMutation;

#[connections]
#[Object]
impl SegmentMutation {
    /// Saves a segment or a list of your own (every role but VIEWER).
    async fn create_segment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new view's settings.")] input: CreateSegmentInput,
    ) -> ApiResult<SegmentPayload> {
        let (core, actor) = acting(ctx, Area::Views)?;
        let (filter, order_by) = checked(
            actor,
            input.r#type,
            input.filter.as_ref().map(|j| &j.0),
            input.order_by.as_ref().map(|j| &j.0),
        )?;
        let new = NewSegment {
            name: input.name,
            record_type: input.r#type,
            kind: input.kind,
            filter,
            order_by,
            shared: input.shared,
        };
        Ok(SegmentPayload::of(segment::create(core, actor, new).await?))
    }

    /// Changes a view: your own, or (ADMIN and MANAGER) a shared one.
    async fn update_segment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the view.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateSegmentInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the view has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<SegmentPayload> {
        let (core, actor) = acting(ctx, Area::Views)?;
        let id = ids::decode(&id, Kind::Segment, "id")?;
        let record_type = current_type(ctx, id).await?;
        let (filter, order_by) = checked(
            actor,
            record_type,
            input.filter.as_ref().map(|j| &j.0),
            input.order_by.as_ref().map(|j| &j.0),
        )?;
        let changes = SegmentChanges {
            name: input.name,
            filter,
            order_by,
            shared: input.shared,
        };
        let row = segment::update(core, actor, id, changes, expected_version).await?;
        Ok(SegmentPayload::of(row))
    }

    /// Soft-deletes a view (a list keeps its records for a restore).
    lifecycle!(delete_segment: SegmentPayload, Views, Segment, segment::delete, true);

    /// Restores a deleted view.
    lifecycle!(restore_segment: SegmentPayload, Views, Segment, segment::delete, false);

    /// Puts records (of the list's type, 1 to 1,000) on a list; those on it stay once.
    async fn add_to_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
        #[graphql(desc = "The records' global ids.")] ids: Vec<ID>,
    ) -> ApiResult<ListMembersPayload> {
        members(ctx, list_id, ids, true).await
    }

    /// Takes records off a list.
    async fn remove_from_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
        #[graphql(desc = "The records' global ids.")] ids: Vec<ID>,
    ) -> ApiResult<ListMembersPayload> {
        members(ctx, list_id, ids, false).await
    }
}

/// The record type of view `id`, for checking a new filter against it.
async fn current_type(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<SegmentType> {
    let found = crate::graphql::list::find::<Segment>(ctx, id).await?;
    found
        .map(|s| s.0.model().record_type)
        .ok_or(ApiError(CoreError::NotFound("Segment")))
}

async fn members(
    ctx: &Context<'_>,
    list_id: ID,
    records: Vec<ID>,
    add: bool,
) -> ApiResult<ListMembersPayload> {
    let (core, actor) = acting(ctx, Area::Views)?;
    let id = ids::decode(&list_id, Kind::Segment, "listId")?;
    let record_type = current_type(ctx, id).await?;
    let kind = match record_type {
        SegmentType::Contact => Kind::Contact,
        SegmentType::Company => Kind::Company,
        SegmentType::Deal => Kind::Deal,
    };
    let records = records
        .iter()
        .map(|r| ids::decode(r, kind, "ids"))
        .collect::<Result<Vec<_>, _>>()?;
    let (row, changed) = segment::change_members(core, actor, id, records, add).await?;
    Ok(ListMembersPayload {
        segment: Segment(Level::single(row)),
        changed: i64::try_from(changed).unwrap_or(i64::MAX),
    })
}
