//! A public web form: what it asks, where each answer goes on the contact
//! or company, the consent it records, who gets the new contacts, and which
//! websites may post it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "form")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    /// The unguessable key in `POST /forms/{formKey}`.
    pub form_key: String,
    /// JSON array of `{ name, target, required, label }`.
    pub fields: Json,
    /// The consent wording shown beside the checkbox; none: no consent asked.
    pub consent_text: Option<String>,
    pub legal_basis: Option<crate::enums::LegalBasis>,
    /// JSON array of member ids who take new contacts in turn.
    pub owner_ids: Json,
    /// Owners handed out so far; the next is `owner_ids[owner_turn % len]`.
    pub owner_turn: i64,
    /// JSON array of origins (`https://example.com`) allowed to post it.
    pub allowed_origins: Json,
    /// Where a browser goes after a plain HTML submission.
    pub redirect_url: Option<String>,
    /// The campaign each submission touches (attribution), if any.
    pub campaign_id: Option<Uuid>,
    /// The member the public submissions act as (recorded on their history).
    pub created_by: Uuid,
    pub version: i32,
    pub deleted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
