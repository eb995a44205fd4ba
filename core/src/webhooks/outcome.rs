//! What an attempt's outcome does: every attempt is logged; a failure
//! schedules the next attempt with exponential backoff and jitter, or, once
//! the event has failed for longer than the policy allows, disables the
//! endpoint with the reason, a `webhook.disabled` event and a task for an ADMIN.

use crate::store::Fresh;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::enums::{ActivityKind, Role};
use entity::{activity, member, webhook_delivery, webhook_endpoint};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::json;
use uuid::Uuid;

use super::RetryPolicy;
use super::message::Message;
use crate::error::CoreResult;
use crate::events::NewEvent;
use crate::store::{Author, Core, event_for_new, new_id, now};

/// The longest response excerpt kept per attempt, in characters.
pub const EXCERPT_MAX: usize = 1024;

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status: Option<u16>,
    pub latency: Duration,
    /// The start of the response body.
    pub excerpt: Option<String>,
    /// Why there was no answer (timeout, connection refused, refused target).
    pub error: Option<String>,
}

impl Attempt {
    /// A 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// Why it failed, in a line.
    pub fn failure(&self) -> String {
        match (&self.error, self.status) {
            (Some(error), _) => error.clone(),
            (None, Some(status)) => format!("answered HTTP {status}"),
            (None, None) => "no answer".to_owned(),
        }
    }
}

/// Logs attempt number `number` at `message` to `endpoint`.
pub async fn log<C: ConnectionTrait>(
    db: &C,
    endpoint: &webhook_endpoint::Model,
    message: &Message,
    number: i32,
    attempt: &Attempt,
) -> Result<webhook_delivery::Model, DbErr> {
    let at = now();
    let excerpt = attempt
        .excerpt
        .as_ref()
        .map(|text| text.chars().take(EXCERPT_MAX).collect::<String>());
    webhook_delivery::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(endpoint.workspace_id),
        endpoint_id: Set(endpoint.id),
        message_id: Set(message.id.clone()),
        event_kind: Set(message.kind.clone()),
        event_seq: Set(message.seq),
        attempt: Set(number),
        succeeded: Set(attempt.succeeded()),
        status_code: Set(attempt.status.map(i32::from)),
        latency_ms: Set(i32::try_from(attempt.latency.as_millis()).unwrap_or(i32::MAX)),
        response_excerpt: Set(excerpt),
        error: Set(attempt.error.clone()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
}

/// What a failure led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// The next attempt is due then.
    RetryAt(DateTime<Utc>),
    /// The endpoint was disabled.
    Disabled,
}

/// The wait before retry number `failures` (1 after the first failure):
/// the base doubled per earlier failure, capped, then "equal jitter" (a
/// random point in its upper half) so endpoints failing together spread out.
pub fn backoff(policy: &RetryPolicy, failures: i32) -> Duration {
    let doublings = u32::try_from(failures.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    let full = policy
        .backoff_base
        .saturating_mul(1 << doublings)
        .min(policy.backoff_max);
    let half = full / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}

/// Records that the event after `endpoint`'s cursor failed again (`reason`)
/// and lets go of the lease: the endpoint is retried later, or disabled when
/// it has failed for longer than the policy allows.
pub async fn failed(
    core: &Core,
    endpoint: &webhook_endpoint::Model,
    owner: Uuid,
    policy: &RetryPolicy,
    reason: &str,
) -> CoreResult<AfterFailure> {
    let at = now();
    let since = endpoint.failing_since.unwrap_or(at);
    let given_up =
        chrono::Duration::from_std(policy.give_up_after).is_ok_and(|allowed| at - since >= allowed);
    if given_up {
        disable(core, endpoint, &format!("failing since {since}: {reason}")).await?;
        return Ok(AfterFailure::Disabled);
    }
    let failures = endpoint.failed_attempts + 1;
    let retry_at = at + chrono::Duration::from_std(backoff(policy, failures)).unwrap_or_default();
    use webhook_endpoint::Column;
    webhook_endpoint::Entity::update_many()
        .col_expr(Column::FailedAttempts, Expr::value(failures))
        .col_expr(Column::FailingSince, Expr::value(Some(since)))
        .col_expr(Column::NextAttemptAt, Expr::value(Some(retry_at)))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<Uuid>::None))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::WorkspaceId.eq(endpoint.workspace_id))
        .filter(Column::Id.eq(endpoint.id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(&core.db)
        .await?;
    Ok(AfterFailure::RetryAt(retry_at))
}

/// Disables `endpoint` with `reason`, in one transaction with a
/// `webhook.disabled` event and a task for the workspace's first ADMIN.
pub async fn disable(
    core: &Core,
    endpoint: &webhook_endpoint::Model,
    reason: &str,
) -> CoreResult<()> {
    let txn = core.begin().await?;
    let at = now();
    use webhook_endpoint::Column;
    webhook_endpoint::Entity::update_many()
        .col_expr(Column::Enabled, Expr::value(false))
        .col_expr(Column::DisabledReason, Expr::value(reason))
        .col_expr(Column::LeaseOwner, Expr::value(Option::<Uuid>::None))
        .col_expr(
            Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(Column::UpdatedAt, Expr::value(at))
        .filter(Column::WorkspaceId.eq(endpoint.workspace_id))
        .filter(Column::Id.eq(endpoint.id))
        .exec(&txn)
        .await?;
    let admin = member::Entity::find()
        .filter(member::Column::WorkspaceId.eq(endpoint.workspace_id))
        .filter(member::Column::Role.eq(Role::Admin))
        .filter(member::Column::DeactivatedAt.is_null())
        .order_by_asc(member::Column::CreatedAt)
        .one(&txn)
        .await?;
    let task = activity::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(endpoint.workspace_id),
        kind: Set(ActivityKind::Task),
        subject: Set(format!("Webhook endpoint disabled: {}", endpoint.url)),
        body: Set(Some(format!(
            "Deliveries to {} kept failing and stopped: {reason}. Fix the receiver, then \
             enable the endpoint again (updateWebhookEndpoint); it resumes at event cursor {}.",
            endpoint.url, endpoint.cursor
        ))),
        occurred_at: Set(at),
        due_at: Set(None),
        completed_at: Set(None),
        contact_id: Set(None),
        company_id: Set(None),
        deal_id: Set(None),
        ticket_id: Set(None),
        author_id: Set(None),
        assignee_id: Set(admin.map(|m| m.id)),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    let disabled = NewEvent {
        topic: "webhook".to_owned(),
        kind: "webhook.disabled".to_owned(),
        record_type: "WebhookEndpoint",
        record_id: endpoint.id,
        payload: json!({
            "endpointId": endpoint.id,
            "url": endpoint.url,
            "reason": reason,
            "cursor": endpoint.cursor,
            "taskId": task.id,
        }),
        new_record: false,
    };
    let events = vec![
        disabled,
        event_for_new::<activity::Entity>(&task, "created")?,
    ];
    core.commit(txn, Author::server(endpoint.workspace_id), events)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_jitter_and_stops_at_the_cap() {
        let policy = RetryPolicy {
            backoff_base: Duration::from_secs(10),
            backoff_max: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(3 * 86_400),
            lease: Duration::from_secs(30),
        };
        for failures in 1..=4 {
            let full = Duration::from_secs(10 * (1 << (failures - 1)));
            let wait = backoff(&policy, failures);
            assert!(wait >= full / 2 && wait <= full, "{failures}: {wait:?}");
        }
        assert!(backoff(&policy, 40) <= Duration::from_secs(3600));
    }
}
