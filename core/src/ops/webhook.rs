//! Webhook endpoints (ADMIN only): where the workspace's events go, which
//! ones, their secret and its rotation, replays, and the attempt log.
//! Delivery itself is [`crate::webhooks`] and the server's worker.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use entity::enums::Role;
use entity::{pipeline, webhook_delivery, webhook_endpoint};
use rand::RngCore;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::access::Actor;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::outbox;
use crate::store::{Core, delete_in_workspace, new_id, now, update_in_workspace};
use crate::webhooks::filter::EventFilter;
use crate::webhooks::target;

/// How long a rotated-out secret still signs.
pub const OLD_SECRET_VALID_HOURS: i64 = 24;
const DESCRIPTION_MAX: usize = 1000;
const KINDS_MAX: usize = 50;

/// An endpoint's settings; on update, `None` keeps what is stored.
#[derive(Debug, Clone, Default)]
pub struct EndpointSettings {
    pub url: Option<String>,
    /// Event kinds (`deal.moved`), prefixes (`ticket.*`), or empty for all.
    pub event_kinds: Option<Vec<String>>,
    pub filter: Option<EventFilter>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub enabled: Option<bool>,
}

/// `FORBIDDEN` unless the actor is an ADMIN: endpoints send the workspace's
/// data elsewhere.
pub fn require_admin(actor: &Actor) -> CoreResult<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "the {:?} role may not manage webhooks",
            actor.role
        )))
    }
}

/// A fresh `whsec_…` secret: 24 random bytes, base64.
fn new_secret() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    format!("whsec_{}", STANDARD.encode(key))
}

/// Adds an endpoint, receiving the events written from now on; returns it
/// with its secret, which is shown this once.
pub async fn create(
    core: &Core,
    actor: &Actor,
    settings: EndpointSettings,
    allow_private: bool,
) -> CoreResult<(webhook_endpoint::Model, String)> {
    require_admin(actor)?;
    let url = settings
        .url
        .as_deref()
        .ok_or_else(|| CoreError::bad_input("input.url", "required"))?;
    let url = checked_url(url, allow_private)?;
    let kinds = checked_kinds(settings.event_kinds.unwrap_or_default())?;
    let filter = checked_filter(&core.db, actor, settings.filter.unwrap_or_default()).await?;
    let description = checked_description(settings.description.flatten())?;
    let secret = new_secret();
    let txn = core.begin().await?;
    let last = outbox::bounds(&txn, actor.workspace_id).await?.last;
    let at = now();
    let row = webhook_endpoint::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(actor.workspace_id),
        url: Set(url),
        description: Set(description),
        event_kinds: Set(serde_json::json!(kinds)),
        filter: Set(filter),
        enabled: Set(settings.enabled.unwrap_or(true)),
        disabled_reason: Set(None),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        cursor: Set(last),
        replays: Set(0),
        failed_attempts: Set(0),
        failing_since: Set(None),
        next_attempt_at: Set(None),
        lease_owner: Set(None),
        lease_until: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok((row, secret))
}

/// Changes endpoint `id`. Enabling it clears the reason it was disabled and
/// its failure count: delivery resumes at its cursor.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    settings: EndpointSettings,
    allow_private: bool,
) -> CoreResult<webhook_endpoint::Model> {
    require_admin(actor)?;
    let current = find(&core.db, actor, id).await?;
    let mut change = webhook_endpoint::ActiveModel {
        id: Set(id),
        updated_at: Set(now()),
        ..Default::default()
    };
    if let Some(url) = settings.url {
        change.url = Set(checked_url(&url, allow_private)?);
    }
    if let Some(kinds) = settings.event_kinds {
        change.event_kinds = Set(serde_json::json!(checked_kinds(kinds)?));
    }
    if let Some(filter) = settings.filter {
        change.filter = Set(checked_filter(&core.db, actor, filter).await?);
    }
    if let Some(description) = settings.description {
        change.description = Set(checked_description(description)?);
    }
    if let Some(enabled) = settings.enabled {
        change.enabled = Set(enabled);
        if enabled && !current.enabled {
            change.disabled_reason = Set(None);
            change.failed_attempts = Set(0);
            change.failing_since = Set(None);
            change.next_attempt_at = Set(None);
        }
    }
    Ok(
        update_in_workspace::<webhook_endpoint::Entity>(&core.db, actor.workspace_id, id, change)
            .await?,
    )
}

/// Deletes endpoint `id` and its attempt log.
pub async fn delete(core: &Core, actor: &Actor, id: Uuid) -> CoreResult<webhook_endpoint::Model> {
    require_admin(actor)?;
    let txn = core.begin().await?;
    let current = find(&txn, actor, id).await?;
    webhook_delivery::Entity::delete_many()
        .filter(webhook_delivery::Column::WorkspaceId.eq(actor.workspace_id))
        .filter(webhook_delivery::Column::EndpointId.eq(id))
        .exec(&txn)
        .await?;
    delete_in_workspace::<webhook_endpoint::Entity>(&txn, actor.workspace_id, id).await?;
    txn.commit().await?;
    Ok(current)
}

/// Gives endpoint `id` a new secret (returned this once); the old one keeps
/// signing beside it for [`OLD_SECRET_VALID_HOURS`], so receivers can switch.
pub async fn rotate_secret(
    core: &Core,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<(webhook_endpoint::Model, String)> {
    require_admin(actor)?;
    let current = find(&core.db, actor, id).await?;
    let secret = new_secret();
    let at = now();
    let change = webhook_endpoint::ActiveModel {
        id: Set(id),
        secret: Set(secret.clone()),
        previous_secret: Set(Some(current.secret)),
        previous_secret_until: Set(Some(at + Duration::hours(OLD_SECRET_VALID_HOURS))),
        updated_at: Set(at),
        ..Default::default()
    };
    let row =
        update_in_workspace::<webhook_endpoint::Entity>(&core.db, actor.workspace_id, id, change)
            .await?;
    Ok((row, secret))
}

/// Sends endpoint `id` its events again, from the one after event number
/// `after`, in order (an attempt under way finishes first).
pub async fn replay(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    after: i64,
) -> CoreResult<webhook_endpoint::Model> {
    require_admin(actor)?;
    find(&core.db, actor, id).await?;
    let bounds = outbox::bounds(&core.db, actor.workspace_id).await?;
    if after < 0 || after > bounds.last {
        return Err(CoreError::bad_input("after", "no such event cursor"));
    }
    if !bounds.can_replay_after(after) {
        return Err(CoreError::bad_input(
            "after",
            "events after this cursor were pruned from the outbox",
        ));
    }
    use webhook_endpoint::Column;
    webhook_endpoint::Entity::update_many()
        .col_expr(Column::Cursor, Expr::value(after))
        // A delivery under way sees this even when the cursor is the same.
        .col_expr(Column::Replays, Expr::col(Column::Replays).add(1))
        .col_expr(Column::FailedAttempts, Expr::value(0))
        .col_expr(
            Column::FailingSince,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(
            Column::NextAttemptAt,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now()))
        .filter(Column::Id.eq(id))
        .exec(&core.db)
        .await?;
    find(&core.db, actor, id).await
}

/// The workspace's endpoints, oldest first.
pub async fn list(core: &Core, actor: &Actor) -> CoreResult<Vec<webhook_endpoint::Model>> {
    require_admin(actor)?;
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::WorkspaceId.eq(actor.workspace_id))
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .order_by_asc(webhook_endpoint::Column::Id)
        .all(&core.db)
        .await?)
}

/// Endpoint `id` of the actor's workspace (ADMIN only).
pub async fn get(core: &Core, actor: &Actor, id: Uuid) -> CoreResult<webhook_endpoint::Model> {
    require_admin(actor)?;
    find(&core.db, actor, id).await
}

/// Up to `first` attempts at endpoint `id`, newest first, older than the
/// attempt `before` when given; and whether more follow.
pub async fn deliveries(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    first: u64,
    before: Option<Uuid>,
) -> CoreResult<(Vec<webhook_delivery::Model>, bool)> {
    require_admin(actor)?;
    find(&core.db, actor, id).await?;
    use webhook_delivery::Column;
    let mut query = webhook_delivery::Entity::find()
        .filter(Column::WorkspaceId.eq(actor.workspace_id))
        .filter(Column::EndpointId.eq(id));
    if let Some(before) = before {
        // Ids are UUID v7: their order is the order attempts were logged in.
        query = query.filter(Column::Id.lt(before));
    }
    let mut rows = query
        .order_by_desc(Column::Id)
        .limit(first + 1)
        .all(&core.db)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    Ok((rows, more))
}

async fn find<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> CoreResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id)
        .filter(webhook_endpoint::Column::WorkspaceId.eq(actor.workspace_id))
        .one(db)
        .await?
        .ok_or(CoreError::NotFound("WebhookEndpoint"))
}

fn checked_url(raw: &str, allow_private: bool) -> CoreResult<String> {
    target::parse(raw, allow_private)
        .map(String::from)
        .map_err(|message| CoreError::bad_input("input.url", message))
}

/// Kinds are lower-case dotted names (`deal.moved`), optionally ending in `*`.
fn checked_kinds(kinds: Vec<String>) -> CoreResult<Vec<String>> {
    const FIELD: &str = "input.eventKinds";
    if kinds.len() > KINDS_MAX {
        return Err(CoreError::bad_input(
            FIELD,
            format!("at most {KINDS_MAX} kinds"),
        ));
    }
    let mut checked: Vec<String> = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let kind = kind.trim().to_owned();
        let name = kind.strip_suffix('*').unwrap_or(&kind);
        let well_formed = !kind.is_empty()
            && kind.len() <= 100
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !well_formed {
            return Err(CoreError::bad_input(
                FIELD,
                format!("`{kind}` is not an event kind such as `deal.moved` or `ticket.*`"),
            ));
        }
        if !checked.iter().any(|k| k == &kind) {
            checked.push(kind);
        }
    }
    Ok(checked)
}

async fn checked_filter<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: EventFilter,
) -> CoreResult<Option<serde_json::Value>> {
    if let Some(pipeline_id) = filter.pipeline_id {
        let found = pipeline::Entity::find_by_id(pipeline_id)
            .filter(pipeline::Column::WorkspaceId.eq(actor.workspace_id))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(CoreError::bad_input(
                "input.filter.pipelineId",
                "no such pipeline",
            ));
        }
    }
    if filter.is_empty() {
        return Ok(None);
    }
    serde_json::to_value(filter)
        .map(Some)
        .map_err(|e| CoreError::Internal(format!("webhook filter: {e}")))
}

fn checked_description(raw: Option<String>) -> CoreResult<Option<String>> {
    text::optional_text(raw.as_deref(), DESCRIPTION_MAX)
        .map_err(CoreError::invalid("input.description"))
}
