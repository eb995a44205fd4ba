//! Sends one signed message to an endpoint and reports how it went. Targets
//! are checked after DNS resolution (a resolver that drops forbidden
//! addresses) and redirects are not followed, so neither a host name nor a
//! redirect can lead a webhook into the server's own network. At most
//! [`BODY_READ_MAX`] bytes of an answer are read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use entity::webhook_endpoint;
use rapport_core::webhooks::message::Message;
use rapport_core::webhooks::outcome::{Attempt, EXCERPT_MAX};
use rapport_core::webhooks::target;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect::Policy;

use super::WebhookSettings;
use super::sign::signature_header;

/// The most of a response body read (the excerpt kept is shorter).
const BODY_READ_MAX: usize = 4 * EXCERPT_MAX;

/// An HTTP client for webhooks.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(settings: &WebhookSettings) -> reqwest::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(Policy::none())
            .timeout(settings.timeout())
            .connect_timeout(settings.timeout())
            .user_agent(concat!("Rapport-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !settings.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private: settings.allow_private,
        })
    }

    /// POSTs `message` to `endpoint`, signed with its secret (and the previous
    /// one while it is still valid).
    pub async fn send(&self, endpoint: &webhook_endpoint::Model, message: &Message) -> Attempt {
        let started = Instant::now();
        let failed = |error: String| Attempt {
            status: None,
            latency: started.elapsed(),
            excerpt: None,
            error: Some(error),
        };
        if let Err(refusal) = target::parse(&endpoint.url, self.allow_private) {
            return failed(format!("refused target: {refusal}"));
        }
        let timestamp = chrono::Utc::now().timestamp();
        let mut secrets = vec![endpoint.secret.as_str()];
        if let (Some(previous), Some(until)) =
            (&endpoint.previous_secret, endpoint.previous_secret_until)
            && until > chrono::Utc::now()
        {
            secrets.push(previous.as_str());
        }
        let request = self
            .client
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header("webhook-id", &message.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signature_header(&secrets, &message.id, timestamp, &message.body),
            )
            .body(message.body.clone());
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return failed(describe(&error)),
        };
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while body.len() < BODY_READ_MAX {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                // An answer cut short still counts by its status.
                Ok(None) | Err(_) => break,
            }
        }
        body.truncate(BODY_READ_MAX);
        let excerpt = String::from_utf8_lossy(&body).into_owned();
        Attempt {
            status: Some(status),
            latency: started.elapsed(),
            excerpt: (!excerpt.is_empty()).then_some(excerpt),
            error: None,
        }
    }
}

/// A failed request in a line, without the URL (the endpoint names it).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Resolves host names, keeping only public addresses; a name with none
/// left fails to resolve.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| !target::is_forbidden(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok::<Addrs, BoxError>(Box::new(public.into_iter()))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[tokio::test]
    async fn names_resolving_only_to_internal_addresses_do_not_resolve() {
        let name = Name::from_str("localhost").expect("a name");
        let resolved = PublicOnly.resolve(name).await;
        assert!(resolved.is_err());
    }
}
