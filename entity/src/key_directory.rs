//! Which workspace a key belongs to, for the keys a request presents without
//! naming its workspace: an API key's prefix and a web form's public key.
//! On Citus this is a reference table (a copy on every node): the look-up is
//! answered where the request arrives, then the key's row is read on the one
//! node holding the workspace, instead of asking every node. It also keeps
//! both kinds of key unique across the instance, which a table distributed
//! by workspace cannot.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "key_directory")]
pub struct Model {
    /// `api_key` (the key's prefix) or `form` (the form's key).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub workspace_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
