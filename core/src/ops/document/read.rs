//! Reading documents: per level of records, and one revision for download.

use entity::enums::CustomFieldRecordType;
use entity::{document, document_revision};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::access::{Actor, Owned};
use crate::error::{CoreError, CoreResult};
use crate::store::across::across_workspaces;
use crate::store::owned_in;

/// A revision with its document, for download.
#[derive(Debug, Clone)]
pub struct Held {
    pub document: document::Model,
    pub revision: document_revision::Model,
}

/// The documents on `records` (all of one type), oldest first: one statement.
pub async fn of_records(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    records: &[Uuid],
) -> CoreResult<Vec<document::Model>> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    Ok(document::Entity::find()
        .filter(document::Column::WorkspaceId.eq(workspace_id))
        .filter(document::Column::RecordType.eq(record_type))
        .filter(document::Column::RecordId.is_in(records.iter().copied()))
        .order_by_asc(document::Column::CreatedAt)
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?)
}

/// The revisions of `documents`, by document then number: one statement.
pub async fn revisions_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    documents: &[Uuid],
) -> CoreResult<Vec<document_revision::Model>> {
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    Ok(document_revision::Entity::find()
        .filter(document_revision::Column::WorkspaceId.eq(workspace_id))
        .filter(document_revision::Column::DocumentId.is_in(documents.iter().copied()))
        .order_by_asc(document_revision::Column::DocumentId)
        .order_by_asc(document_revision::Column::Number)
        .all(db)
        .await?)
}

/// Revision `id` of the workspace with its document, while the document's
/// record is live and, with a `reader`, one it reads (a deal, company or
/// contact its role may narrow). `NOT_FOUND` otherwise.
pub async fn readable_revision(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
    reader: Option<&Actor>,
) -> CoreResult<Held> {
    let missing = || CoreError::NotFound("document revision");
    let revision = document_revision::Entity::find_by_id(id)
        .filter(document_revision::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let document = document::Entity::find_by_id(revision.document_id)
        .filter(document::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or_else(missing)?;
    if !is_live(
        db,
        workspace_id,
        document.record_type,
        document.record_id,
        reader,
    )
    .await?
    {
        return Err(missing());
    }
    Ok(Held { document, revision })
}

/// The workspace of revision `id`, to check a signed link that does not
/// name it against (links handed out before links named it). On Citus it
/// asks every node.
pub async fn workspace_of_revision(db: &DatabaseConnection, id: Uuid) -> CoreResult<Option<Uuid>> {
    let revision = across_workspaces(db, async |txn| {
        document_revision::Entity::find_by_id(id).one(txn).await
    })
    .await?;
    Ok(revision.map(|revision| revision.workspace_id))
}

/// Whether record `id` of `record_type` is live in the workspace (and
/// owned by someone `reader` reads, with one).
async fn is_live(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    record_type: CustomFieldRecordType,
    id: Uuid,
    reader: Option<&Actor>,
) -> CoreResult<bool> {
    let table = record_type.table();
    let mut query = Query::select()
        .expr(Expr::val(1))
        .from(table)
        .and_where(Expr::col("workspace_id").eq(workspace_id))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("deleted_at").is_null())
        .to_owned();
    let area = match record_type {
        CustomFieldRecordType::Company => Some(Owned::Companies),
        CustomFieldRecordType::Contact => Some(Owned::Contacts),
        CustomFieldRecordType::Deal => Some(Owned::Deals),
        CustomFieldRecordType::Ticket => None,
    };
    if let Some(owners) = area
        .zip(reader)
        .and_then(|(area, reader)| owned_in(reader, area, table))
    {
        query.cond_where(owners);
    }
    Ok(db.query_one(&query).await?.is_some())
}
