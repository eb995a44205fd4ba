//! Which workspace a presented key belongs to (`key_directory`): an API
//! key's prefix, a web form's public key. Such a request names no
//! workspace; on Citus the directory is a reference table, so finding the
//! workspace is answered on the node that takes the request, and the key's
//! own row is then read on the one node holding the workspace, instead of
//! every node being asked. A key is entered in the transaction that makes it.

use entity::key_directory::{self, Entity};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};
use uuid::Uuid;

/// The kinds of key a request may present on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An API key, by its prefix.
    ApiKey,
    /// A web form, by its public key.
    Form,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Form => "form",
        }
    }
}

/// Enters `key` of `kind` as `workspace_id`'s; refused if it is taken.
pub async fn enter<C: ConnectionTrait>(
    db: &C,
    kind: KeyKind,
    key: &str,
    workspace_id: Uuid,
) -> Result<(), DbErr> {
    key_directory::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        key: Set(key.to_owned()),
        workspace_id: Set(workspace_id),
    }
    .insert(db)
    .await
    .map(drop)
}

/// The workspace `key` of `kind` belongs to, if it was ever entered.
pub async fn workspace_of<C: ConnectionTrait>(
    db: &C,
    kind: KeyKind,
    key: &str,
) -> Result<Option<Uuid>, DbErr> {
    let entry = Entity::find_by_id((kind.as_str().to_owned(), key.to_owned()))
        .one(db)
        .await?;
    Ok(entry.map(|entry| entry.workspace_id))
}
