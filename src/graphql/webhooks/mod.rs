//! Webhooks through GraphQL (ADMIN only): endpoints, their attempt log and
//! replays. The rules are the core's `ops::webhook`; delivery is the
//! server's `webhooks` worker.

mod mutation;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::TicketPriority;
use entity::{webhook_delivery, webhook_endpoint};
use rapport_core::events::cursor::event_cursor;
use rapport_core::ops::webhook;
use rapport_core::webhooks::filter;
use uuid::Uuid;

pub use mutation::WebhookMutation;

use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};

/// Most attempts on one page of `webhookDeliveries`.
const DELIVERIES_PAGE_MAX: i32 = 100;

/// Where the workspace's events are POSTed.
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

/// What narrows an endpoint's events beyond their kind.
#[derive(SimpleObject)]
pub struct WebhookFilter {
    /// Only events of deals and stages in this pipeline.
    pub pipeline_id: Option<ID>,
    /// Only events of tickets with one of these priorities.
    pub ticket_priorities: Vec<TicketPriority>,
}

/// Where the workspace's events are POSTed, signed, in event order.
#[Object]
impl WebhookEndpoint {
    /// The endpoint's id (a UUID; endpoints are not nodes).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where events are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// What the endpoint is for, in the admin's words.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The event kinds it receives (`deal.moved`, `ticket.*`); empty: every kind.
    async fn event_kinds(&self) -> Vec<String> {
        filter::kinds_of(&self.0)
    }
    /// What narrows its events, if anything.
    async fn filter(&self) -> Option<WebhookFilter> {
        let stored = filter::filter_of(&self.0);
        (!stored.is_empty()).then(|| WebhookFilter {
            pipeline_id: stored.pipeline_id.map(|id| ids::encode(Kind::Pipeline, id)),
            ticket_priorities: stored.ticket_priorities,
        })
    }
    /// Whether events are delivered to it.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// Why the server disabled it (deliveries failed for too long).
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }
    /// The cursor of the last event it was sent (or did not want).
    async fn cursor(&self) -> String {
        event_cursor(self.0.cursor)
    }
    /// Failed attempts at the next event so far.
    async fn failed_attempts(&self) -> i32 {
        self.0.failed_attempts
    }
    /// Since when the next event has been failing.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }
    /// When the next retry is due.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }
    /// Until when the secret replaced by the last rotation still signs.
    async fn previous_secret_valid_until(&self) -> Option<DateTime<Utc>> {
        self.0
            .previous_secret_until
            .filter(|until| *until > Utc::now())
    }
    /// When it was registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its settings last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One attempt at delivering a message.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One attempt at delivering a message to an endpoint.
#[Object]
impl WebhookDelivery {
    /// The attempt's id; `webhookDeliveries(after:)` pages from it.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The `webhook-id` header: the same for every attempt at one message.
    async fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// The event kind, or `webhook.ping` for `testWebhook`.
    async fn event_kind(&self) -> &str {
        &self.0.event_kind
    }
    /// The event's cursor; none for a ping.
    async fn event_cursor(&self) -> Option<String> {
        self.0.event_seq.map(event_cursor)
    }
    /// 1 for the first attempt at the message.
    async fn attempt(&self) -> i32 {
        self.0.attempt
    }
    /// Whether it was answered 2xx.
    async fn succeeded(&self) -> bool {
        self.0.succeeded
    }
    /// The HTTP status answered, if any.
    async fn status_code(&self) -> Option<i32> {
        self.0.status_code
    }
    /// Milliseconds from sending to the answer (or the failure).
    async fn latency_ms(&self) -> i32 {
        self.0.latency_ms
    }
    /// The start of the answer's body (at most 1024 characters).
    async fn response_excerpt(&self) -> Option<&str> {
        self.0.response_excerpt.as_deref()
    }
    /// Why there was no answer: a timeout, a refused connection, a refused target.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// When the attempt was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The request's actor, refused unless an ADMIN, before anything about the
/// input is looked at.
fn admin<'a>(ctx: &Context<'a>) -> ApiResult<&'a rapport_core::access::Actor> {
    let actor = actor(ctx)?;
    webhook::require_admin(actor)?;
    Ok(actor)
}

/// The uuid of an endpoint or delivery id argument.
fn uuid_of(id: &ID, field: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::bad_input(field, "not a webhook id"))
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The workspace's webhook endpoints, oldest first (ADMIN only).
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> ApiResult<Vec<WebhookEndpoint>> {
        let rows = webhook::list(&state(ctx)?.core, admin(ctx)?).await?;
        Ok(rows.into_iter().map(WebhookEndpoint).collect())
    }

    /// The attempts at delivering to an endpoint, newest first (ADMIN only).
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] endpoint_id: ID,
        #[graphql(default = 20, desc = "How many attempts, at most 100.")] first: i32,
        #[graphql(desc = "The `cursor` of the last attempt of the page before.")] after: Option<
            String,
        >,
    ) -> ApiResult<Connection<String, WebhookDelivery, EmptyFields, EmptyFields>> {
        let actor = admin(ctx)?;
        if !(0..=DELIVERIES_PAGE_MAX).contains(&first) {
            return Err(ApiError::bad_input(
                "first",
                format!("between 0 and {DELIVERIES_PAGE_MAX}"),
            ));
        }
        let endpoint = uuid_of(&endpoint_id, "endpointId")?;
        let before = after
            .as_deref()
            .map(|a| uuid_of(&ID(a.to_owned()), "after"))
            .transpose()?;
        let limit = u64::try_from(first).unwrap_or_default();
        let (rows, more) =
            webhook::deliveries(&state(ctx)?.core, actor, endpoint, limit, before).await?;
        let mut connection = Connection::new(before.is_some(), more);
        connection.edges = rows
            .into_iter()
            .map(|row| Edge::new(row.id.to_string(), WebhookDelivery(row)))
            .collect();
        Ok(connection)
    }
}
