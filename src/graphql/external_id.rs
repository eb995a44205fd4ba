//! External ids on records: the `externalIds` field (loaded for a whole
//! level in one statement) and the input that sets them.

use std::collections::HashMap;

use async_graphql::{Context, InputObject, SimpleObject};
use rapport_core::Kind;
use rapport_core::ops::external_id::{self, ExternalId as CoreExternalId};
use uuid::Uuid;

use super::context::{actor, db};
use super::error::ApiResult;
use super::level::Row;

/// An id the record has in another system.
#[derive(SimpleObject, Clone)]
#[graphql(name = "ExternalId")]
pub struct ExternalIdValue {
    /// The system, e.g. `hubspot`.
    pub source: String,
    /// The record's id there.
    pub id: String,
}

/// An id a record has in another system; unique per record type and source.
#[derive(InputObject, Clone)]
pub struct ExternalIdInput {
    /// The system, e.g. `hubspot` (at most 100 characters).
    pub source: String,
    /// The record's id there (at most 200 characters).
    pub id: String,
}

impl From<ExternalIdInput> for CoreExternalId {
    fn from(input: ExternalIdInput) -> Self {
        CoreExternalId::new(input.source, input.id)
    }
}

/// The core's ids of an optional input list (absent means none).
pub fn given(ids: Option<Vec<ExternalIdInput>>) -> Vec<CoreExternalId> {
    ids.unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The external ids of `row`, loaded for every row of its level at once.
pub async fn external_ids_of<M: Send + Sync + 'static>(
    ctx: &Context<'_>,
    row: &Row<M>,
    kind: Kind,
    id: fn(&M) -> Uuid,
) -> ApiResult<Vec<ExternalIdValue>> {
    let workspace_id = actor(ctx)?.workspace_id;
    let db = db(ctx)?;
    let loaded = row
        .level
        .load("externalIds".to_owned(), |rows| async move {
            let ids: Vec<Uuid> = rows.iter().map(id).collect();
            let found = external_id::of_records(db, workspace_id, kind, &ids).await?;
            let mut by_record: HashMap<Uuid, Vec<ExternalIdValue>> = HashMap::new();
            for (record_id, found) in found {
                by_record
                    .entry(record_id)
                    .or_default()
                    .push(ExternalIdValue {
                        source: found.source,
                        id: found.id,
                    });
            }
            Ok(by_record)
        })
        .await?;
    Ok(loaded.get(&id(row.model())).cloned().unwrap_or_default())
}
