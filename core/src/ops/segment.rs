//! Segments and lists: saved views of contacts, companies or deals. A
//! segment stores a filter and an ordering, checked and written by the API
//! as its filter input of the record type, and is evaluated when read; a
//! list holds records put on it by hand. A member sees the shared views and
//! its own private ones; it changes its own, and ADMIN and MANAGER change
//! every shared one (`Table::check_write`).

use crate::store::Fresh;
use entity::enums::{Role, SegmentKind, SegmentType};
use entity::{company, contact, deal, segment, segment_member};
use sea_orm::sea_query::OnConflict;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::store::{
    Author, Core, Table, check_version, event_for, load_live, new_id, now, save_if_unchanged, scope,
};

const NAME_MAX: usize = 200;
/// Most records one call puts on or takes off a list.
pub const MEMBERS_MAX: usize = 1000;

/// A new segment or list.
#[derive(Debug, Clone)]
pub struct NewSegment {
    pub name: String,
    pub record_type: SegmentType,
    pub kind: SegmentKind,
    /// A segment's filter (required for a segment, refused for a list).
    pub filter: Option<serde_json::Value>,
    pub order_by: Option<serde_json::Value>,
    pub shared: bool,
}

/// Changes to a view; `None` fields stay.
#[derive(Debug, Clone, Default)]
pub struct SegmentChanges {
    pub name: Option<String>,
    pub filter: Option<serde_json::Value>,
    pub order_by: Option<serde_json::Value>,
    pub shared: Option<bool>,
}

/// Whether `actor` sees `row`: shared, or its own.
pub fn visible(actor: &Actor, row: &segment::Model) -> bool {
    row.shared || row.owner_id == actor.member_id
}

/// Whether `actor` may change `row`: its own, or a shared one for ADMIN
/// and MANAGER.
pub fn may_change(actor: &Actor, row: &segment::Model) -> CoreResult<()> {
    if row.owner_id == actor.member_id {
        return Ok(());
    }
    if !row.shared {
        return Err(CoreError::NotFound("Segment"));
    }
    if matches!(actor.role, Role::Admin | Role::Manager) {
        return Ok(());
    }
    Err(CoreError::Forbidden(
        "only its owner, ADMIN and MANAGER may change a shared segment".into(),
    ))
}

/// Saves a new view, owned by `actor`.
pub async fn create(core: &Core, actor: &Actor, new: NewSegment) -> CoreResult<segment::Model> {
    actor.require(Area::Views)?;
    let name = check_name(&new.name)?;
    match (new.kind, &new.filter) {
        (SegmentKind::Segment, None) => {
            return Err(CoreError::bad_input(
                "input.filter",
                "a segment needs the filter of its record type",
            ));
        }
        (SegmentKind::List, Some(_)) => {
            return Err(CoreError::bad_input(
                "input.filter",
                "a list holds the records put on it, not a filter",
            ));
        }
        _ => {}
    }
    let txn = core.begin().await?;
    let at = now();
    let row = segment::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        record_type: Set(new.record_type),
        kind: Set(new.kind),
        filter: Set(new.filter),
        order_by: Set(new.order_by),
        shared: Set(new.shared),
        owner_id: Set(actor.member_id),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    core.finish::<segment::Entity>(txn, actor, row, "created")
        .await
}

/// Changes view `id`; a list takes no filter.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: SegmentChanges,
    expected_version: Option<i32>,
) -> CoreResult<segment::Model> {
    actor.require(Area::Views)?;
    let name = changes.name.as_deref().map(check_name).transpose()?;
    let txn = core.begin().await?;
    let current = load_live::<segment::Entity>(&txn, actor, id).await?;
    may_change(actor, &current)?;
    check_version(expected_version, current.version)?;
    if current.kind == SegmentKind::List && changes.filter.is_some() {
        return Err(CoreError::bad_input(
            "input.filter",
            "a list holds the records put on it, not a filter",
        ));
    }
    let change = segment::ActiveModel {
        name: Set(name.unwrap_or_else(|| current.name.clone())),
        filter: Set(changes.filter.or_else(|| current.filter.clone())),
        order_by: Set(changes.order_by.or_else(|| current.order_by.clone())),
        shared: Set(changes.shared.unwrap_or(current.shared)),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row =
        save_if_unchanged::<segment::Entity>(&txn, actor, id, current.version, change).await?;
    core.finish::<segment::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes (`delete`) or restores view `id`; a list keeps its records.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<segment::Model> {
    delete_or_restore::<segment::Entity>(core, actor, Area::Views, id, expected_version, delete)
        .await
}

/// Puts (`add`) records on list `id`, or takes them off; records already
/// there (or not there) are left as they are. Every record must be a live
/// one of the list's type. Answers the list and how many records changed.
pub async fn change_members(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    records: Vec<Uuid>,
    add: bool,
) -> CoreResult<(segment::Model, u64)> {
    actor.require(Area::Views)?;
    if records.is_empty() || records.len() > MEMBERS_MAX {
        return Err(CoreError::bad_input(
            "ids",
            format!("give 1 to {MEMBERS_MAX} ids"),
        ));
    }
    let txn = core.begin().await?;
    let list = load_live::<segment::Entity>(&txn, actor, id).await?;
    may_change(actor, &list)?;
    if list.kind != SegmentKind::List {
        return Err(CoreError::bad_input(
            "listId",
            "a segment's records come from its filter; only a list takes records",
        ));
    }
    if add {
        check_records(&txn, actor, list.record_type, &records).await?;
    }
    let already = on_list(&txn, actor, list.id, &records).await?;
    let changed: Vec<Uuid> = if add {
        let mut new: Vec<Uuid> = records
            .iter()
            .copied()
            .filter(|r| !already.contains(r))
            .collect();
        new.sort();
        new.dedup();
        put_on(&txn, actor, list.id, &new).await?;
        new
    } else {
        take_off(&txn, actor, list.id, &already).await?;
        already
    };
    let mut events = Vec::new();
    if !changed.is_empty() {
        events.push(members_event(&list, add, &changed)?);
    }
    core.commit(txn, Author::of(actor), events).await?;
    Ok((list, changed.len() as u64))
}

/// `segment.members_added` (or `members_removed`) with the list and the ids
/// that changed under `members.contacts_added` (`companies_removed`, …),
/// which the list's history records as a change of that field and
/// `segmentChanges` follows.
fn members_event(list: &segment::Model, add: bool, changed: &[Uuid]) -> CoreResult<NewEvent> {
    let verb = if add {
        "members_added"
    } else {
        "members_removed"
    };
    let records = match list.record_type {
        SegmentType::Contact => "contacts",
        SegmentType::Company => "companies",
        SegmentType::Deal => "deals",
    };
    let which = if add { "added" } else { "removed" };
    let mut event = event_for::<segment::Entity>(list, verb)?;
    let field = format!("{records}_{which}");
    event.payload = json!({ "segment": event.payload, "members": { field: changed } });
    Ok(event)
}

/// Which of `records` are on list `list` now.
async fn on_list<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    list: Uuid,
    records: &[Uuid],
) -> CoreResult<Vec<Uuid>> {
    Ok(segment_member::Entity::find()
        .select_only()
        .column(segment_member::Column::RecordId)
        .filter(segment_member::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(segment_member::Column::SegmentId.eq(list))
        .filter(segment_member::Column::RecordId.is_in(records.iter().copied()))
        .into_tuple::<Uuid>()
        .all(txn)
        .await?)
}

async fn put_on<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    list: Uuid,
    records: &[Uuid],
) -> CoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let at = now();
    let rows = records.iter().map(|record| segment_member::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(actor.workspace_id),
        segment_id: Set(list),
        record_id: Set(*record),
        added_by: Set(Some(actor.member_id)),
        created_at: Set(at),
        updated_at: Set(at),
    });
    // A concurrent add of the same record finds it there and adds nothing.
    let conflict = OnConflict::columns([
        segment_member::Column::WorkspaceId,
        segment_member::Column::SegmentId,
        segment_member::Column::RecordId,
    ])
    .do_nothing()
    .to_owned();
    segment_member::Entity::insert_many(rows)
        .on_conflict(conflict)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn take_off<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    list: Uuid,
    records: &[Uuid],
) -> CoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    segment_member::Entity::delete_many()
        .filter(segment_member::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(segment_member::Column::SegmentId.eq(list))
        .filter(segment_member::Column::RecordId.is_in(records.iter().copied()))
        .exec(txn)
        .await?;
    Ok(())
}

/// `NOT_FOUND` on `ids` unless every record is a live one of `record_type`.
async fn check_records<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    record_type: SegmentType,
    records: &[Uuid],
) -> CoreResult<()> {
    let mut wanted = records.to_vec();
    wanted.sort();
    wanted.dedup();
    let found = match record_type {
        SegmentType::Contact => live::<contact::Entity, _>(txn, actor, &wanted).await?,
        SegmentType::Company => live::<company::Entity, _>(txn, actor, &wanted).await?,
        SegmentType::Deal => live::<deal::Entity, _>(txn, actor, &wanted).await?,
    };
    let missing = (wanted.len() as u64).saturating_sub(found);
    if missing > 0 {
        return Err(CoreError::bad_input(
            "ids",
            format!(
                "{missing} of the ids are no live {} of this workspace",
                record_type.to_value()
            ),
        ));
    }
    Ok(())
}

async fn live<T: Table, C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    ids: &[Uuid],
) -> CoreResult<u64> {
    Ok(T::find()
        .filter(scope::<T>(actor.workspace_id))
        .filter(Expr::col((T::TABLE, "id")).is_in(ids.iter().copied()))
        .count(txn)
        .await?)
}

fn check_name(raw: &str) -> CoreResult<String> {
    text::required_name(raw, NAME_MAX).map_err(CoreError::invalid("input.name"))
}
