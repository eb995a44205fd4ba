//! Managing webhook endpoints (ADMIN only).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::TicketPriority;
use rapport_core::ops::webhook::{self, EndpointSettings};
use rapport_core::webhooks::filter::EventFilter;
use rapport_core::webhooks::{message, outcome};

use super::{WebhookDelivery, WebhookEndpoint, admin, uuid_of};
use crate::graphql::context::state;
use crate::graphql::error::{ApiError, ApiResult};
use crate::graphql::ids::{self, Kind};
use crate::graphql::live::decode_cursor;

/// What narrows an endpoint's events beyond their kind; an event passes
/// when its record has each field set here and it matches.
#[derive(InputObject)]
pub struct WebhookFilterInput {
    /// Only events of deals and stages in this pipeline.
    pub pipeline_id: Option<ID>,
    /// Only events of tickets with one of these priorities.
    pub ticket_priorities: Option<Vec<TicketPriority>>,
}

/// A new endpoint.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// Where to POST events: http or https, a public address.
    pub url: String,
    /// Event kinds (`deal.moved`) or prefixes (`ticket.*`); empty or absent: every kind.
    pub event_kinds: Option<Vec<String>>,
    /// Narrows the events further (a pipeline, ticket priorities).
    pub filter: Option<WebhookFilterInput>,
    /// What the endpoint is for.
    pub description: Option<String>,
    /// Defaults to true.
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; absent fields stay.
#[derive(InputObject)]
pub struct UpdateWebhookEndpointInput {
    /// Where to POST events: http or https, a public address.
    pub url: Option<String>,
    /// Event kinds or prefixes; empty: every kind.
    pub event_kinds: Option<Vec<String>>,
    /// Replaces the filter; `{}` removes it.
    pub filter: Option<WebhookFilterInput>,
    /// What the endpoint is for.
    pub description: Option<String>,
    /// Enabling a disabled endpoint resumes delivery at its cursor.
    pub enabled: Option<bool>,
}

/// An endpoint with its secret, shown this once.
#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`: receivers verify signatures with it. It is not shown again.
    pub secret: String,
    /// Until when the replaced secret still signs (after a rotation).
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
}

fn settings_of(
    url: Option<String>,
    event_kinds: Option<Vec<String>>,
    filter: Option<WebhookFilterInput>,
    description: Option<String>,
    enabled: Option<bool>,
) -> ApiResult<EndpointSettings> {
    let filter = filter
        .map(|f| -> ApiResult<EventFilter> {
            Ok(EventFilter {
                pipeline_id: ids::decode_opt(
                    f.pipeline_id.as_ref(),
                    Kind::Pipeline,
                    "input.filter.pipelineId",
                )?,
                ticket_priorities: f.ticket_priorities.unwrap_or_default(),
            })
        })
        .transpose()?;
    Ok(EndpointSettings {
        url,
        event_kinds,
        filter,
        description: description.map(Some),
        enabled,
    })
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Adds an endpoint; it receives the events written from now on. The
    /// answer carries its signing secret, which is never shown again.
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's settings.")] input: CreateWebhookEndpointInput,
    ) -> ApiResult<WebhookSecretPayload> {
        let actor = admin(ctx)?;
        let services = state(ctx)?;
        let settings = settings_of(
            Some(input.url),
            input.event_kinds,
            input.filter,
            input.description,
            input.enabled,
        )?;
        let allow_private = services.config.webhooks.allow_private;
        let (row, secret) = webhook::create(&services.core, actor, settings, allow_private).await?;
        Ok(WebhookSecretPayload {
            endpoint: WebhookEndpoint(row),
            secret,
            previous_secret_valid_until: None,
        })
    }

    /// Changes an endpoint.
    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
        #[graphql(desc = "The settings to change.")] input: UpdateWebhookEndpointInput,
    ) -> ApiResult<WebhookEndpoint> {
        let actor = admin(ctx)?;
        let services = state(ctx)?;
        let settings = settings_of(
            input.url,
            input.event_kinds,
            input.filter,
            input.description,
            input.enabled,
        )?;
        let allow_private = services.config.webhooks.allow_private;
        let id = uuid_of(&id, "id")?;
        let row = webhook::update(&services.core, actor, id, settings, allow_private).await?;
        Ok(WebhookEndpoint(row))
    }

    /// Deletes an endpoint and its attempt log; returns it as it was.
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> ApiResult<WebhookEndpoint> {
        let actor = admin(ctx)?;
        let row = webhook::delete(&state(ctx)?.core, actor, uuid_of(&id, "id")?).await?;
        Ok(WebhookEndpoint(row))
    }

    /// Gives an endpoint a new secret, shown this once; the old one keeps
    /// signing beside it for 24 hours, so receivers can switch over.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> ApiResult<WebhookSecretPayload> {
        let actor = admin(ctx)?;
        let (row, secret) =
            webhook::rotate_secret(&state(ctx)?.core, actor, uuid_of(&id, "id")?).await?;
        Ok(WebhookSecretPayload {
            previous_secret_valid_until: row.previous_secret_until,
            endpoint: WebhookEndpoint(row),
            secret,
        })
    }

    /// Sends the endpoint its events again, in order, from the one after
    /// the `after` cursor (an event's `cursor`, or `eventCursor`).
    async fn replay_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] endpoint_id: ID,
        #[graphql(desc = "An event's `cursor`: the events after it are sent again.")] after: String,
    ) -> ApiResult<WebhookEndpoint> {
        let actor = admin(ctx)?;
        let id = uuid_of(&endpoint_id, "endpointId")?;
        let after = decode_cursor(&after)?;
        let row = webhook::replay(&state(ctx)?.core, actor, id, after).await?;
        Ok(WebhookEndpoint(row))
    }

    /// Sends the endpoint a signed `webhook.ping` now and answers how it went
    /// (also logged with its deliveries).
    async fn test_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The endpoint's id.")] id: ID,
    ) -> ApiResult<WebhookDelivery> {
        let actor = admin(ctx)?;
        let services = state(ctx)?;
        let endpoint = webhook::get(&services.core, actor, uuid_of(&id, "id")?).await?;
        let sender = crate::webhooks::Sender::new(&services.config.webhooks)
            .map_err(|e| ApiError(rapport_core::error::CoreError::Internal(e.to_string())))?;
        let ping = message::ping(endpoint.id, Utc::now());
        let attempt = sender.send(&endpoint, &ping).await;
        let row = outcome::log(&services.core.db, &endpoint, &ping, 1, &attempt).await?;
        Ok(WebhookDelivery(row))
    }
}
