//! What a GraphQL request over HTTP carries besides its body, and what
//! every way of sending one (POST, GET, multipart) checks first.

use axum::response::Response;

use super::answer::MediaType;
use crate::auth::{Actor, Refused};
use crate::graphql::RapportSchema;
use crate::state::AppState;

/// What every GraphQL request over HTTP carries besides its body.
pub struct Call {
    pub state: AppState,
    pub schema: RapportSchema,
    pub actor: Option<Actor>,
    /// Why the credential the request carried stands for no one.
    pub refused_credential: Option<Refused>,
    pub request_id: String,
    pub media: MediaType,
    /// The client's address (behind trusted proxies, the forwarded one), for login lockouts.
    pub address: Option<std::net::IpAddr>,
    /// Whose allowance the request's operations are taken from.
    pub rate_key: String,
    /// The caller's trace (W3C `traceparent`), the parent of the request's span.
    pub trace_parent: opentelemetry::Context,
}

impl Call {
    /// Takes `operations` from the caller's allowance; the refusal when it
    /// has not that many left (see [`super::rate_limit::admit`]).
    pub async fn admit(&self, operations: usize) -> Option<Response> {
        let state = &self.state;
        super::rate_limit::admit(
            &state.rate_limiter,
            &state.metrics,
            &self.rate_key,
            operations,
        )
        .await
    }
}
