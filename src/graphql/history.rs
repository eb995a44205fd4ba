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
use sea_orm::PaginatorTrait;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use super::api_key::ApiKey;
use super::context::{actor, db};
use super::error::{ApiError, ApiResult};
use super::history_kind::{HistoryEntryKind, reference_kind};
use super::ids::{self, Kind};
use super::level::ConnectionTotals;
use super::list;
use super::member::Member;
use super::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageArgs};
use crate::auth::{Actor, Area};

/// One field's change.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The API's name of the field, e.g. `stageId` or `amount`; a custom field value as `customFields.<key>`.
    pub field: String,
    /// The value before the change, as JSON (references as global ids); null when it had none.
    pub before: Json<Value>,
    /// The value after the change, as JSON (references as global ids); null when it has none.
    pub after: Json<Value>,
}

/// One change to a record.
pub struct HistoryEntry(record_change::Model);

/// One recorded change of a record: who, when, what kind, and each field before and after.
#[Object]
impl HistoryEntry {
    /// What happened to the record.
    async fn kind(&self) -> HistoryEntryKind {
        HistoryEntryKind::of(&self.0.kind)
    }
    /// The event's own name, e.g. `deal.moved`.
    #[graphql(
        deprecation = "Use `kind`, an enum; the record's type is its id's. Removed in the next release."
    )]
    async fn event(&self) -> &str {
        &self.0.kind
    }
    /// When the change was made.
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
    let reference = reference_kind(field);
    // A reference shows as the global id clients know the record by.
    let global = |kind, v: &Value| match v.as_str().map(str::parse::<Uuid>) {
        Some(Ok(id)) => Value::String(ids::encode(kind, id).to_string()),
        _ => v.clone(),
    };
    let value = |v: &Value| match (scaled, v.as_i64(), reference, v) {
        (true, Some(e4), _, _) => Value::String(Decimal::new(e4, 4).normalize().to_string()),
        (_, _, Some(kind), Value::Array(items)) => {
            Value::Array(items.iter().map(|item| global(kind, item)).collect())
        }
        (_, _, Some(kind), _) => global(kind, v),
        _ => v.clone(),
    };
    // A custom field keeps its key as the workspace defined it.
    let field = match name.strip_prefix("custom_fields.") {
        Some(key) => format!("customFields.{key}"),
        None => camel(name),
    };
    FieldChange {
        field,
        before: Json(value(before)),
        after: Json(value(after)),
    }
}

/// `snake_case` as `camelCase`: a column's name as the API spells the field.
pub(crate) fn camel(snake: &str) -> String {
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

fn decode_cursor(text: &str, field: &str) -> ApiResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|t| t.strip_prefix(CURSOR_PREFIX)?.parse().ok())
        .ok_or_else(|| ApiError::bad_input(field, "not a history cursor"))
}

/// A page of a record's history: entries with cursors, `pageInfo` and `totalCount`.
pub type HistoryConnection = Connection<String, HistoryEntry, ConnectionTotals, EmptyFields>;

/// The page size asked for by `field`, within bounds.
fn page_size(size: Option<i32>, field: &str) -> ApiResult<Option<u64>> {
    match size {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE_SIZE).contains(&n) => Ok(Some(u64::try_from(n).unwrap_or(0))),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        )),
    }
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

/// Whether `id`, a deal, company, contact or activity, is one the actor's
/// role does not read (deleted records included: history outlives a
/// deletion).
async fn hidden(ctx: &Context<'_>, actor: &Actor, kind: Kind, id: Uuid) -> ApiResult<bool> {
    use crate::graphql::{activity::Activity, company::Company, contact::Contact, deal::Deal};
    match kind {
        Kind::Company => hidden_in::<Company>(ctx, actor, id).await,
        Kind::Contact => hidden_in::<Contact>(ctx, actor, id).await,
        Kind::Deal => hidden_in::<Deal>(ctx, actor, id).await,
        Kind::Activity => hidden_in::<Activity>(ctx, actor, id).await,
        _ => Ok(false),
    }
}

/// Whether the row `id` of `R` exists outside what the actor reads.
async fn hidden_in<R: list::Record>(ctx: &Context<'_>, actor: &Actor, id: Uuid) -> ApiResult<bool> {
    use rapport_core::store::{col, owned_by};
    use sea_orm::sea_query::ExprTrait;
    let Some(read) = owned_by::<R::Entity>(actor, R::TABLE) else {
        return Ok(false);
    };
    let outside = R::Entity::find()
        .filter(col(R::TABLE, "workspace_id").eq(actor.workspace_id))
        .filter(col(R::TABLE, "id").eq(id))
        .filter(read.not())
        .count(db(ctx)?)
        .await?;
    Ok(outside > 0)
}

/// The history of the record `record_id` of `kind`, newest first (entry
/// ids are UUIDv7, so their order is the order of the changes). `first`
/// pages from the newest towards the oldest, `last` from the oldest
/// towards the newest; either within `after`/`before`.
pub async fn history(
    ctx: &Context<'_>,
    kind: Kind,
    record_id: Uuid,
    page: PageArgs,
) -> ApiResult<HistoryConnection> {
    let actor = actor(ctx)?;
    if !actor.may_read_history() {
        return Err(ApiError(CoreError::Forbidden(
            "only ADMIN and MANAGER read history".into(),
        )));
    }
    let first = page_size(page.first, "first")?;
    let last = page_size(page.last, "last")?;
    if first.is_some() && last.is_some() {
        return Err(ApiError::bad_input(
            "last",
            "give `first` or `last`, not both",
        ));
    }
    let after = page
        .after
        .as_deref()
        .map(|c| decode_cursor(c, "after"))
        .transpose()?;
    let before = page
        .before
        .as_deref()
        .map(|c| decode_cursor(c, "before"))
        .transpose()?;
    // A record the actor may not read has no history for them, as it has
    // no node (`node(id)` answers null): the answer of a record that does
    // not exist, which tells nothing about it.
    if !may_read(actor, kind) || hidden(ctx, actor, kind, record_id).await? {
        return Ok(Connection::with_additional_fields(
            false,
            false,
            ConnectionTotals { total_count: 0 },
        ));
    }
    // The kind comes from the id the client sent, which it can forge: the
    // entries must be of that kind too, or an API key's history could be
    // read through its uuid in a company id.
    let entries = record_change::Entity::find()
        .filter(record_change::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(record_change::Column::RecordId.eq(record_id))
        .filter(record_change::Column::RecordType.eq(kind.name()));
    let db = db(ctx)?;
    let total_count = i64::try_from(entries.clone().count(db).await?).unwrap_or(i64::MAX);
    let mut window = entries;
    if let Some(after) = after {
        window = window.filter(record_change::Column::Id.lt(after));
    }
    if let Some(before) = before {
        window = window.filter(record_change::Column::Id.gt(before));
    }
    let backward = last.is_some();
    let size = last
        .or(first)
        .unwrap_or(u64::try_from(DEFAULT_PAGE_SIZE).unwrap_or(20));
    // Backward pages read the oldest end of the window, then turn round.
    let ordered = if backward {
        window.order_by_asc(record_change::Column::Id)
    } else {
        window.order_by_desc(record_change::Column::Id)
    };
    let mut rows = ordered.limit(size + 1).all(db).await?;
    let more = rows.len() > usize::try_from(size).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    if backward {
        rows.reverse();
    }
    let (has_previous, has_next) = if backward {
        (more, before.is_some())
    } else {
        (after.is_some(), more)
    };
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        ConnectionTotals { total_count },
    );
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
    #[graphql(complexity = "crate::graphql::page::cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The record whose history to read, by global id.")] record_id: ID,
        #[graphql(
            desc = "Newest first: at most this many entries after `after`; 0 to 100, and 20 when neither `first` nor `last` is given."
        )]
        first: Option<i32>,
        #[graphql(desc = "The entries older than this cursor.")] after: Option<String>,
        #[graphql(
            desc = "At most this many entries before `before` (the oldest of the log when `before` is not given); 0 to 100."
        )]
        last: Option<i32>,
        #[graphql(desc = "The entries newer than this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<HistoryConnection>> {
        let (kind, id) = ids::decode_any(&record_id)
            .ok_or_else(|| ApiError::bad_input("recordId", "not a record id"))?;
        let page = PageArgs {
            first,
            after,
            last,
            before,
        };
        history(ctx, kind, id, page).await.map(Some)
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
        let stage = Uuid::now_v7();
        let moved = present(
            "stage_id",
            &Value::Null,
            &serde_json::json!(stage.to_string()),
        );
        assert_eq!(
            moved.after.0,
            serde_json::json!(ids::encode(Kind::Stage, stage).to_string())
        );
    }
}
