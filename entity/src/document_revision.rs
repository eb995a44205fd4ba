//! One uploaded file of a document (v1, v2, …): what it is and where its
//! bytes are in the file store.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "document_revision")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub document_id: Uuid,
    /// 1 for the first upload, then one more per revision.
    pub number: i32,
    pub file_name: String,
    /// Checked against the bytes when they were uploaded.
    pub content_type: String,
    pub size: i64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// The object's path in the file store.
    pub storage_key: String,
    pub uploaded_by: Option<Uuid>,
    /// When it was uploaded.
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
