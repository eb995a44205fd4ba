//! External ids: the ids a record has in other systems, one set per record,
//! each `(source, id)` naming at most one record of its type per workspace.
//! Imports link rows across files and find what an earlier run wrote by
//! them; the API sets them on create and update.

use entity::external_id;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr};
use uuid::Uuid;

use crate::Kind;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{col, new_id, now};

/// The longest source name kept.
pub const SOURCE_MAX: usize = 100;
/// The longest external id kept.
pub const ID_MAX: usize = 200;
/// Where a single-record input carries its external ids, for errors.
pub const INPUT_FIELD: &str = "input.externalIds";

/// An id of a record in another system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalId {
    /// The system, e.g. `hubspot` or `billing`.
    pub source: String,
    /// The record's id there.
    pub id: String,
}

impl ExternalId {
    /// `id` in `source`, as given (checked by [`validate`]).
    pub fn new(source: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            id: id.into(),
        }
    }
}

/// Trims and checks every id (`field` is the list's input path, e.g.
/// `input.externalIds`); the same `(source, id)` twice counts once.
pub fn validate(ids: Vec<ExternalId>, field: &str) -> CoreResult<Vec<ExternalId>> {
    let mut checked: Vec<ExternalId> = Vec::with_capacity(ids.len());
    for (i, given) in ids.into_iter().enumerate() {
        let source = text::required_name(&given.source, SOURCE_MAX)
            .map_err(CoreError::invalid(format!("{field}.{i}.source")))?;
        let id = text::required_name(&given.id, ID_MAX)
            .map_err(CoreError::invalid(format!("{field}.{i}.id")))?;
        let id = ExternalId { source, id };
        if !checked.contains(&id) {
            checked.push(id);
        }
    }
    Ok(checked)
}

/// Gives record `record_id` of `kind` the ids `ids` (already validated), in
/// the caller's transaction. With `replace`, ids the record had that are not
/// in `ids` go (an update sending its whole set); otherwise they stay. An id
/// that names another record is refused on `field`.
pub async fn attach<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    kind: Kind,
    record_id: Uuid,
    ids: &[ExternalId],
    replace: bool,
    field: &str,
) -> CoreResult<()> {
    let had = of_records(txn, workspace_id, kind, &[record_id]).await?;
    let had: Vec<ExternalId> = had.into_iter().map(|(_, id)| id).collect();
    if replace {
        let gone: Vec<&ExternalId> = had.iter().filter(|id| !ids.contains(id)).collect();
        for id in gone {
            external_id::Entity::delete_many()
                .filter(col("external_id", "workspace_id").eq(workspace_id))
                .filter(col("external_id", "record_type").eq(kind.name()))
                .filter(col("external_id", "source").eq(id.source.as_str()))
                .filter(col("external_id", "external_id").eq(id.id.as_str()))
                .exec(txn)
                .await?;
        }
    }
    let at = now();
    for (i, id) in ids.iter().enumerate() {
        if had.contains(id) {
            continue;
        }
        if let Some(owner) = find(txn, workspace_id, kind, id).await?
            && owner != record_id
        {
            return Err(taken(kind, id, &format!("{field}.{i}")));
        }
        let row = external_id::ActiveModel {
            id: Set(new_id()),
            workspace_id: Set(workspace_id),
            record_type: Set(kind.name().to_owned()),
            record_id: Set(record_id),
            source: Set(id.source.clone()),
            external_id: Set(id.id.clone()),
            created_at: Set(at),
            updated_at: Set(at),
        };
        row.insert(txn).await.map_err(|err| match err.sql_err() {
            // Another writer took it between the look-up and the insert.
            Some(SqlErr::UniqueConstraintViolation(_)) => taken(kind, id, &format!("{field}.{i}")),
            _ => CoreError::from(err),
        })?;
    }
    Ok(())
}

/// The record of `kind` that `id` names in the workspace, if any (deleted
/// records keep their ids, so this may name one).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    kind: Kind,
    id: &ExternalId,
) -> Result<Option<Uuid>, DbErr> {
    Ok(external_id::Entity::find()
        .filter(col("external_id", "workspace_id").eq(workspace_id))
        .filter(col("external_id", "record_type").eq(kind.name()))
        .filter(col("external_id", "source").eq(id.source.as_str()))
        .filter(col("external_id", "external_id").eq(id.id.as_str()))
        .one(db)
        .await?
        .map(|row| row.record_id))
}

/// The ids of records `record_ids` of `kind`, as `(record id, external id)`
/// in order of source then id.
pub async fn of_records<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    kind: Kind,
    record_ids: &[Uuid],
) -> Result<Vec<(Uuid, ExternalId)>, DbErr> {
    if record_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = external_id::Entity::find()
        .filter(col("external_id", "workspace_id").eq(workspace_id))
        .filter(col("external_id", "record_type").eq(kind.name()))
        .filter(col("external_id", "record_id").is_in(record_ids.iter().copied()))
        .all(db)
        .await?;
    // Sorted here: an ORDER BY on (source, id) lets SQLite pick the unique
    // index in that order and walk every id of the type instead.
    let mut found: Vec<(Uuid, ExternalId)> = rows
        .into_iter()
        .map(|row| (row.record_id, ExternalId::new(row.source, row.external_id)))
        .collect();
    found.sort_by(|a, b| (&a.1.source, &a.1.id).cmp(&(&b.1.source, &b.1.id)));
    Ok(found)
}

fn taken(kind: Kind, id: &ExternalId, field: &str) -> CoreError {
    CoreError::bad_input(
        field,
        format!(
            "another {} already has the id {:?} in {:?}",
            kind.name(),
            id.id,
            id.source
        ),
    )
}
