//! A saved view of contacts, companies or deals: a segment (a saved filter
//! and ordering, evaluated when read) or a list (a static set of records,
//! `segment_member`), shared with the workspace or private to its owner.

use crate::enums::{SegmentKind, SegmentType};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "segment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub record_type: SegmentType,
    pub kind: SegmentKind,
    /// A segment's filter, as the API's filter input of its record type.
    pub filter: Option<Json>,
    /// A segment's ordering, as the API's `orderBy` of its record type.
    pub order_by: Option<Json>,
    /// Whether every member of the workspace sees it (else only its owner).
    pub shared: bool,
    /// The member who made it.
    pub owner_id: Uuid,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
