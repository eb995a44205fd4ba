//! A document kept on a company, contact, deal or ticket: a title and its
//! revisions (`document_revision`), read while its record is live.

use crate::enums::CustomFieldRecordType;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "document")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// The type of the record it belongs to (the four that carry custom
    /// fields carry documents too).
    pub record_type: CustomFieldRecordType,
    pub record_id: Uuid,
    pub title: String,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// When its latest revision was uploaded.
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
