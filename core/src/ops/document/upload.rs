//! `uploadDocument`, `uploadRevision` and `deleteDocument`.

use entity::{document, document_revision};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set, SqlErr,
};
use tokio::io::{AsyncRead, AsyncReadExt};
use uuid::Uuid;

use super::{Holder, NAME_MAX, check_writable};
use crate::access::Actor;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::files::{Declared, Files, SNIFF_BYTES, checked_type};
use crate::store::{Author, Core, new_id, now, update_in_workspace};

/// Where an upload goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A new document on `holder`, titled `title` (by default the file's name).
    New {
        holder: Holder,
        title: Option<String>,
    },
    /// The next revision of a document. With `expected_revision`, refused
    /// (`CONFLICT`) unless that is still its latest revision's number.
    Revision {
        document_id: Uuid,
        expected_revision: Option<i32>,
    },
}

/// A file as it arrives.
pub struct Incoming<R> {
    pub file_name: String,
    /// What the client declared (a multipart part's `Content-Type`).
    pub content_type: Option<String>,
    pub reader: R,
}

/// An upload: where to, what, and the most bytes it may hold.
pub struct Upload<R> {
    pub target: Target,
    pub file: Incoming<R>,
    pub max_bytes: u64,
}

/// The document and the revision an upload made.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub document: document::Model,
    pub revision: document_revision::Model,
}

/// Checks, stores and records an upload (see the module's documentation).
pub async fn upload<R: AsyncRead + Unpin + Send>(
    core: &Core,
    actor: &Actor,
    upload: Upload<R>,
) -> CoreResult<Uploaded> {
    let Upload {
        target,
        file,
        max_bytes,
    } = upload;
    let file_name =
        text::required_name(&file.file_name, NAME_MAX).map_err(CoreError::invalid("file"))?;
    // A new document's title: the one given, or its file's name.
    let title = match &target {
        Target::New {
            title: Some(title), ..
        } => text::required_name(title, NAME_MAX).map_err(CoreError::invalid("input.title"))?,
        _ => file_name.clone(),
    };
    // Checked before the bytes move, and again when the rows are written.
    let txn = core.begin().await?;
    let document_id = match &target {
        Target::New { holder, .. } => {
            holder.record_type("input.recordId")?;
            check_writable(&txn, actor, *holder).await?;
            new_id()
        }
        Target::Revision { document_id, .. } => {
            let document = live_document(&txn, actor, *document_id).await?;
            document.id
        }
    };
    txn.rollback().await?;

    let mut reader = file.reader;
    let mut first = Vec::with_capacity(SNIFF_BYTES);
    (&mut reader)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut first)
        .await
        .map_err(|e| CoreError::bad_input("file", format!("cannot be read: {e}")))?;
    let content_type = checked_type(Declared(file.content_type.as_deref()), &first)?;
    let revision_id = new_id();
    let key = Files::key(actor.workspace_id, document_id, revision_id);
    let stored = core
        .files
        .put(key, first, reader, max_bytes, "file")
        .await?;
    // Until the rows commit, the bytes are deleted again however this ends:
    // an error, or the request cancelled at its time limit.
    let pending = Pending(Some((core.files.clone(), stored.key.clone())));

    let written = async {
        let txn = core.begin().await?;
        let at = now();
        let document = match &target {
            Target::New { holder, .. } => {
                check_writable(&txn, actor, *holder).await?;
                document::ActiveModel {
                    id: Set(document_id),
                    workspace_id: Set(actor.workspace_id),
                    record_type: Set(holder.record_type("input.recordId")?),
                    record_id: Set(holder.id),
                    title: Set(title),
                    created_by: Set(Some(actor.member_id)),
                    created_at: Set(at),
                    updated_at: Set(at),
                }
                .insert(&txn)
                .await?
            }
            Target::Revision {
                expected_revision, ..
            } => {
                let document = live_document(&txn, actor, document_id).await?;
                let latest = latest_number(&txn, actor.workspace_id, document_id).await?;
                if expected_revision.is_some_and(|expected| expected != latest) {
                    return Err(CoreError::Conflict(format!(
                        "the document's latest revision is v{latest}, not v{}",
                        expected_revision.unwrap_or_default()
                    )));
                }
                let mut change: document::ActiveModel = document.into();
                change.updated_at = Set(at);
                let (workspace, id) = (actor.workspace_id, document_id);
                update_in_workspace::<document::Entity>(&txn, workspace, id, change).await?
            }
        };
        let number = latest_number(&txn, actor.workspace_id, document_id).await? + 1;
        let revision = document_revision::ActiveModel {
            id: Set(revision_id),
            workspace_id: Set(actor.workspace_id),
            document_id: Set(document_id),
            number: Set(number),
            file_name: Set(file_name),
            content_type: Set(content_type),
            size: Set(stored.size),
            sha256: Set(stored.sha256.clone()),
            storage_key: Set(stored.key.clone()),
            uploaded_by: Set(Some(actor.member_id)),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await
        .map_err(raced)?;
        core.commit(txn, Author::of(actor), Vec::new()).await?;
        Ok(Uploaded { document, revision })
    }
    .await;
    match written {
        Ok(uploaded) => {
            pending.keep();
            Ok(uploaded)
        }
        Err(error) => {
            pending.delete().await;
            Err(error)
        }
    }
}

/// Stored bytes no row names yet: deleted when dropped unless kept.
struct Pending(Option<(Files, String)>);

impl Pending {
    fn keep(mut self) {
        self.0 = None;
    }

    /// Deletes the bytes now (an error: the caller hears of it after).
    async fn delete(mut self) {
        if let Some((files, key)) = self.0.take() {
            files.delete_all(&[key]).await;
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some((files, key)) = self.0.take() {
            // Drop cannot wait: the deletion runs on its own.
            tokio::spawn(async move { files.delete_all(&[key]).await });
        }
    }
}

/// Deletes a document, its revisions and their files, for good.
pub async fn delete(core: &Core, actor: &Actor, document_id: Uuid) -> CoreResult<document::Model> {
    let txn = core.begin().await?;
    let document = live_document(&txn, actor, document_id).await?;
    let keys = remove_in(&txn, actor.workspace_id, &[document.id]).await?;
    core.commit(txn, Author::of(actor), Vec::new()).await?;
    core.files.delete_all(&keys).await;
    Ok(document)
}

/// Deletes the rows of `documents` and answers their files' keys, which the
/// caller deletes once the transaction commits.
pub(crate) async fn remove_in(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    documents: &[Uuid],
) -> CoreResult<Vec<String>> {
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    let keys = super::revisions_of(txn, workspace_id, documents)
        .await?
        .into_iter()
        .map(|revision| revision.storage_key)
        .collect();
    document_revision::Entity::delete_many()
        .filter(document_revision::Column::WorkspaceId.eq(workspace_id))
        .filter(document_revision::Column::DocumentId.is_in(documents.iter().copied()))
        .exec(txn)
        .await?;
    document::Entity::delete_many()
        .filter(document::Column::WorkspaceId.eq(workspace_id))
        .filter(document::Column::Id.is_in(documents.iter().copied()))
        .exec(txn)
        .await?;
    Ok(keys)
}

/// A document of the actor's workspace whose record is live and which the
/// actor may change.
async fn live_document(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<document::Model> {
    let document = document::Entity::find_by_id(id)
        .filter(document::Column::WorkspaceId.eq(actor.workspace_id))
        .one(txn)
        .await?
        .ok_or(CoreError::NotFound("document"))?;
    let holder = Holder::of(document.record_type, document.record_id);
    // A document of a deleted record is as absent as the record.
    check_writable(txn, actor, holder)
        .await
        .map_err(|error| match error {
            CoreError::NotFound(_) => CoreError::NotFound("document"),
            error => error,
        })?;
    Ok(document)
}

/// The highest revision number of a document (0 before its first).
async fn latest_number(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    document_id: Uuid,
) -> CoreResult<i32> {
    let latest = document_revision::Entity::find()
        .filter(document_revision::Column::WorkspaceId.eq(workspace_id))
        .filter(document_revision::Column::DocumentId.eq(document_id))
        .order_by_desc(document_revision::Column::Number)
        .one(txn)
        .await?;
    Ok(latest.map_or(0, |revision| revision.number))
}

/// Two revisions raced for one number: the later one is told to retry.
fn raced(error: DbErr) -> CoreError {
    match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => CoreError::Conflict(
            "another revision of this document was uploaded at the same time: upload again".into(),
        ),
        _ => error.into(),
    }
}
