//! What one role of a workspace reads of deals, companies and contacts. A
//! role without a row reads everything (`ALL`); ADMIN never has one.

use crate::enums::{Role, Visibility};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "role_visibility")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub workspace_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: Role,
    pub deals: Visibility,
    pub companies: Visibility,
    pub contacts: Visibility,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
