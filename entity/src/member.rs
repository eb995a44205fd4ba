//! A person who works in a workspace (the users of the CRM).

use crate::enums::Role;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Lower-cased, unique per workspace.
    pub email: String,
    pub name: String,
    pub role: Role,
    pub title: Option<String>,
    /// Commission on won deals, in basis points (1000 = 10%).
    pub commission_bps: i32,
    /// Argon2id hash; members without one can only use issued tokens.
    /// Never serialised (events carry members without it).
    #[serde(skip_serializing, default)]
    pub password_hash: Option<String>,
    /// Set when an admin deactivates the member; their tokens stop working.
    pub deactivated_at: Option<DateTimeUtc>,
    /// SHA-256 of the pending invitation code, until it is redeemed.
    #[serde(skip_serializing, default)]
    pub invitation_hash: Option<String>,
    pub invitation_expires_at: Option<DateTimeUtc>,
    /// The member's team, if any (see `team`).
    pub team_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
