//! History: who changed a record, when, and each field's before and after.
//! ADMIN and MANAGER only, and of a record only when the actor may read the
//! record itself: an API key's history (its name, role, revocation) is
//! ADMIN's, like the key. Members are read by every role, so their history
//! is not kept from MANAGER.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::record_change;
use rapport_core::error::CoreError;
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::api_key::ApiKey;
use super::context::{actor, db};
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::list;
use super::member::Member;
use super::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::auth::{Actor, Area};

/// One field's change.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The API's name of the field, e.g. `stageId` or `amount`.
    pub field: String,
    pub before: Json<Value>,
    pub after: Json<Value>,
}

/// One change to a record.
pub struct HistoryEntry(record_change::Model);

#[Object]
impl HistoryEntry {
    /// What happened, e.g. `deal.moved`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The member who made the change (for an API key, the key's creator).
    async fn member(&self, ctx: &Context<'_>) -> ApiResult<Option<Member>> {
        match self.0.actor_member_id {
            Some(id) => list::find::<Member>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The API key the change was made with, if it was (null for any but
    /// ADMIN: API keys are ADMIN's to read).
    async fn api_key(&self, ctx: &Context<'_>) -> ApiResult<Option<ApiKey>> {
        match self.0.actor_api_key_id {
            Some(id) if may_read(actor(ctx)?, Kind::ApiKey) => list::find::<ApiKey>(ctx, id).await,
            _ => Ok(None),
        }
    }
    /// The fields that changed (all of them, from null, on creation).
    async fn changes(&self) -> Vec<FieldChange> {
        self.0
            .changes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let field = c.get("field")?.as_str()?;
                Some(present(field, c.get("before")?, c.get("after")?))
            })
            .collect()
    }
}

/// A stored field as the API shows it: camelCase, and `*_e4` amounts as decimals.
fn present(field: &str, before: &Value, after: &Value) -> FieldChange {
    let (name, scaled) = match field.strip_suffix("_e4") {
        Some(base) => (base, true),
        None => (field, false),
    };
    let value = |v: &Value| match (scaled, v.as_i64()) {
        (true, Some(e4)) => Value::String(Decimal::new(e4, 4).normalize().to_string()),
        _ => v.clone(),
    };
    FieldChange {
        field: camel(name),
        before: Json(value(before)),
        after: Json(value(after)),
    }
}

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

const CURSOR_PREFIX: &str = "change:";

fn cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{id}"))
}

fn decode_cursor(text: &str) -> ApiResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| t.strip_prefix(CURSOR_PREFIX)?.parse().ok())
        .ok_or_else(|| ApiError::bad_input("after", "not a history cursor"))
}

/// Whether `actor` may read records of `kind` (every role reads every
/// record of its workspace, but for these).
fn may_read(actor: &Actor, kind: Kind) -> bool {
    match kind {
        // `apiKeys` is ADMIN's; keys are no `Node`.
        Kind::ApiKey => actor.may_write(Area::Members),
        // Quotas are deal amounts (see `node.rs`).
        Kind::Goal => actor.can_read_deals(),
        _ => true,
    }
}

/// The history of the record `record_id` of `kind`, newest first.
pub async fn history(
    ctx: &Context<'_>,
    kind: Kind,
    record_id: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, HistoryEntry, EmptyFields, EmptyFields>> {
    let actor = actor(ctx)?;
    if !actor.may_read_history() {
        return Err(ApiError(CoreError::Forbidden(
            "only ADMIN and MANAGER read history".into(),
        )));
    }
    let size = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(0..=MAX_PAGE_SIZE).contains(&size) {
        return Err(ApiError::bad_input(
            "first",
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        ));
    }
    // A record the actor may not read has no history for them, as it has
    // no node (`node(id)` answers null): the answer of a record that does
    // not exist, which tells nothing about it.
    if !may_read(actor, kind) {
        return Ok(Connection::new(false, false));
    }
    // The kind comes from the id the client sent, which it can forge: the
    // entries must be of that kind too, or an API key's history could be
    // read through its uuid in a company id.
    let mut query = record_change::Entity::find()
        .filter(record_change::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(record_change::Column::RecordId.eq(record_id))
        .filter(record_change::Column::RecordType.eq(kind.name()));
    if let Some(after) = after.as_deref() {
        query = query.filter(record_change::Column::Id.lt(decode_cursor(after)?));
    }
    let mut rows = query
        .order_by_desc(record_change::Column::Id)
        .limit(u64::try_from(size).unwrap_or(0) + 1)
        .all(db(ctx)?)
        .await?;
    let has_next = rows.len() > usize::try_from(size).unwrap_or(0);
    rows.truncate(usize::try_from(size).unwrap_or(0));
    let mut connection = Connection::new(after.is_some(), has_next);
    connection.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(cursor(row.id), HistoryEntry(row))),
    );
    Ok(connection)
}

#[derive(Default)]
pub struct HistoryQuery;

#[Object]
impl HistoryQuery {
    /// Who changed the record with this id, when, and how; newest first
    /// (ADMIN and MANAGER). Works for any record id, deleted records included;
    /// empty for a record the actor may not read (an API key's history is
    /// ADMIN's).
    async fn history(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, HistoryEntry, EmptyFields, EmptyFields>> {
        let (kind, id) = ids::decode_any(&record_id)
            .ok_or_else(|| ApiError::bad_input("recordId", "not a record id"))?;
        history(ctx, kind, id, first, after).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_fields_are_shown_by_their_api_names() {
        let change = present("amount_e4", &Value::Null, &serde_json::json!(12_345_000));
        assert_eq!(change.field, "amount");
        assert_eq!(change.after.0, serde_json::json!("1234.5"));
        assert_eq!(camel("stage_entered_at"), "stageEnteredAt");
    }
}
