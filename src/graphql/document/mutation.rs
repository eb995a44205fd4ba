//! `uploadDocument`, `uploadRevision` and `deleteDocument`: each takes its
//! file through the GraphQL multipart request spec and calls one core
//! operation (`rapport_core::ops::document`).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use rapport_core::ops::document::{self as ops, Holder, Incoming, Target, Uploaded};

use super::{Document, DocumentRevision};
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;

/// A new document.
#[derive(InputObject)]
pub struct UploadDocumentInput {
    /// The company, contact, deal or ticket to keep it on.
    pub record_id: ID,
    /// What to call it (1 to 255 characters); by default the file's name.
    pub title: Option<String>,
}

/// What an upload made.
#[derive(SimpleObject)]
pub struct DocumentPayload {
    /// The document, its new revision included.
    pub document: Document,
    /// The revision just uploaded.
    pub revision: DocumentRevision,
}

/// A deleted document.
#[derive(SimpleObject)]
pub struct DeleteDocumentPayload {
    /// The id it had.
    pub deleted_document_id: ID,
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Keeps a file on a record as the first revision of a new document.
    /// The file comes as a multipart upload (at most
    /// `RAPPORT_MAX_FILE_BYTES`); its declared type must agree with its
    /// bytes. Whoever may change the record may upload to it.
    async fn upload_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record to keep it on, and its title.")] input: UploadDocumentInput,
        #[graphql(desc = "The file: the multipart request's file part mapped to this variable.")]
        file: Upload,
    ) -> ApiResult<DocumentPayload> {
        let (kind, id) = ids::decode_any(&input.record_id)
            .ok_or_else(|| ApiError::bad_input("input.recordId", "not a record id"))?;
        let target = Target::New {
            holder: Holder { kind, id },
            title: input.title,
        };
        upload(ctx, target, file).await
    }

    /// Uploads the next revision (v2, v3, …) of a document. With
    /// `expectedRevision`, refused (`CONFLICT`) unless that is still the
    /// latest revision's number, so two editors never overwrite each other
    /// unknowingly.
    async fn upload_revision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document to add a revision to.")] document_id: ID,
        #[graphql(desc = "The file: the multipart request's file part mapped to this variable.")]
        file: Upload,
        #[graphql(desc = "The number of the revision this one replaces.")]
        expected_revision: Option<i32>,
    ) -> ApiResult<DocumentPayload> {
        let target = Target::Revision {
            document_id: ids::decode(&document_id, Kind::Document, "documentId")?,
            expected_revision,
        };
        upload(ctx, target, file).await
    }

    /// Deletes a document with all its revisions and their files, for good.
    async fn delete_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document to delete.")] id: ID,
    ) -> ApiResult<DeleteDocumentPayload> {
        let document_id = ids::decode(&id, Kind::Document, "id")?;
        let deleted = ops::delete(&state(ctx)?.core, actor(ctx)?, document_id).await?;
        Ok(DeleteDocumentPayload {
            deleted_document_id: ids::encode(Kind::Document, deleted.id),
        })
    }
}

async fn upload(ctx: &Context<'_>, target: Target, file: Upload) -> ApiResult<DocumentPayload> {
    let actor = actor(ctx)?;
    let state = state(ctx)?;
    let file = file
        .value(ctx)
        .map_err(|e| ApiError::bad_input("file", format!("cannot be read: {e}")))?;
    let upload = ops::Upload {
        target,
        file: Incoming {
            file_name: file.filename,
            content_type: file.content_type,
            reader: tokio::fs::File::from_std(file.content),
        },
        max_bytes: state.config.max_file_bytes,
    };
    let Uploaded { document, revision } = ops::upload(&state.core, actor, upload).await?;
    Ok(DocumentPayload {
        document: Document(Level::single(document)),
        revision: DocumentRevision(Level::single(revision)),
    })
}
