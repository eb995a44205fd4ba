//! Documents with revisions on companies, contacts, deals and tickets: the
//! `documents` field of those types, the `Document` and `DocumentRevision`
//! types, and the upload mutations ([`mutation`]). Documents of a level
//! load in one statement, their revisions in one more, whatever the number
//! of parent records.

mod mutation;

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::{document, document_revision};
use rapport_core::ops::document::{self as ops, Holder};
use uuid::Uuid;

use super::context::{actor, db, state};
use super::error::{ApiError, ApiResult, CoreError};
use super::ids::{self, Kind};
use super::level::{Level, Row};
use super::list;
use super::member::Member;

pub use mutation::DocumentMutation;

/// How long a revision's signed `url` stays valid.
pub const LINK_SECONDS: i64 = 15 * 60;

/// Rows of one level grouped by parent: what a per-level load answers.
struct Grouped<M> {
    level: Arc<Level<M>>,
    by_parent: HashMap<Uuid, Vec<usize>>,
}

impl<M: Send + Sync + 'static> Grouped<M> {
    fn new(rows: Vec<M>, parent: impl Fn(&M) -> Uuid) -> Self {
        let mut by_parent: HashMap<Uuid, Vec<usize>> = HashMap::new();
        for (index, row) in rows.iter().enumerate() {
            by_parent.entry(parent(row)).or_default().push(index);
        }
        Self {
            level: Level::new(rows),
            by_parent,
        }
    }

    fn of(&self, parent: Uuid) -> Vec<Row<M>> {
        self.by_parent
            .get(&parent)
            .into_iter()
            .flatten()
            .map(|&index| Row {
                level: self.level.clone(),
                index,
            })
            .collect()
    }
}

/// The `documents` of `row`, a record of `kind`, loaded for its whole level.
pub async fn documents_of<M: Send + Sync + 'static>(
    ctx: &Context<'_>,
    row: &Row<M>,
    kind: Kind,
    id: fn(&M) -> Uuid,
) -> ApiResult<Vec<Document>> {
    let workspace_id = actor(ctx)?.workspace_id;
    let db = db(ctx)?;
    let record_type = Holder {
        kind,
        id: id(row.model()),
    }
    .record_type("documents")?;
    let loaded = row
        .level
        .load("documents".to_owned(), |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(id).collect();
            let found = ops::of_records(db, workspace_id, record_type, &ids).await?;
            Ok(Grouped::new(found, |document: &document::Model| {
                document.record_id
            }))
        })
        .await?;
    Ok(loaded
        .of(id(row.model()))
        .into_iter()
        .map(Document)
        .collect())
}

/// A document on a record (see the `#[Object]` description).
pub struct Document(pub Row<document::Model>);

impl Document {
    fn model(&self) -> &document::Model {
        self.0.model()
    }
}

/// A file kept on a company, contact, deal or ticket, with every version
/// uploaded. Readable by whoever reads the record; uploaded to and deleted
/// by whoever may change it. Gone while its record is deleted, back with
/// its restore.
#[Object]
impl Document {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Document, self.model().id)
    }
    /// What it is called (by default its first file's name).
    async fn title(&self) -> &str {
        &self.model().title
    }
    /// The company, contact, deal or ticket it is kept on.
    async fn record_id(&self) -> ID {
        let holder = Holder::of(self.model().record_type, self.model().record_id);
        ids::encode(holder.kind, holder.id)
    }
    /// When its first revision was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model().created_at
    }
    /// When its latest revision was uploaded.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model().updated_at
    }
    /// Who uploaded its first revision.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        list::referenced(ctx, &self.0, "createdBy", |m: &document::Model| {
            m.created_by
        })
        .await
    }
    /// Every revision, v1 first.
    async fn revisions(&self, ctx: &Context<'_>) -> ApiResult<Vec<DocumentRevision>> {
        revisions(ctx, &self.0).await
    }
    /// The newest revision.
    async fn latest(&self, ctx: &Context<'_>) -> ApiResult<DocumentRevision> {
        revisions(ctx, &self.0)
            .await?
            .pop()
            .ok_or_else(|| ApiError(CoreError::Internal("a document without revisions".into())))
    }
}

/// The revisions of `row`'s document, loaded for its whole level.
async fn revisions(
    ctx: &Context<'_>,
    row: &Row<document::Model>,
) -> ApiResult<Vec<DocumentRevision>> {
    let workspace_id = actor(ctx)?.workspace_id;
    let db = db(ctx)?;
    let loaded = row
        .level
        .load("revisions".to_owned(), |documents| async move {
            let ids: Vec<Uuid> = documents.iter().map(|document| document.id).collect();
            let found = ops::revisions_of(db, workspace_id, &ids).await?;
            Ok(Grouped::new(
                found,
                |revision: &document_revision::Model| revision.document_id,
            ))
        })
        .await?;
    Ok(loaded
        .of(row.model().id)
        .into_iter()
        .map(DocumentRevision)
        .collect())
}

/// A revision of a document (see the `#[Object]` description).
pub struct DocumentRevision(pub Row<document_revision::Model>);

impl DocumentRevision {
    fn model(&self) -> &document_revision::Model {
        self.0.model()
    }
}

/// One uploaded file of a document: v1, v2, ….
#[Object]
impl DocumentRevision {
    /// The global id; `GET /files/{id}` with the bearer token serves the file.
    async fn id(&self) -> ID {
        ids::encode(Kind::DocumentRevision, self.model().id)
    }
    /// 1 for the first upload, then one more per revision.
    async fn number(&self) -> i32 {
        self.model().number
    }
    /// The uploaded file's name.
    async fn file_name(&self) -> &str {
        &self.model().file_name
    }
    /// Its media type, checked against its bytes when it was uploaded.
    async fn content_type(&self) -> &str {
        &self.model().content_type
    }
    /// Its size in bytes.
    async fn size(&self) -> i64 {
        self.model().size
    }
    /// The SHA-256 of its bytes, lower-case hex.
    async fn sha256(&self) -> &str {
        &self.model().sha256
    }
    /// When it was uploaded.
    async fn uploaded_at(&self) -> DateTime<Utc> {
        self.model().created_at
    }
    /// Who uploaded it.
    async fn uploaded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        let by = |m: &document_revision::Model| m.uploaded_by;
        list::referenced(ctx, &self.0, "uploadedBy", by).await
    }
    /// A link that serves the file without a token for 15 minutes, to hand
    /// to a browser or share for a quick review.
    async fn url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let state = state(ctx)?;
        let expires = Utc::now().timestamp() + LINK_SECONDS;
        let revision = self.model();
        let signature = state
            .keys
            .sign_file_link(revision.workspace_id, revision.id, expires);
        let base = state.config.public_url.as_deref().unwrap_or_default();
        let id = ids::encode(Kind::DocumentRevision, revision.id).0;
        Ok(format!(
            "{}/files/{id}?workspace={}&expires={expires}&signature={signature}",
            base.trim_end_matches('/'),
            revision.workspace_id
        ))
    }
}
