//! Traces exported over OTLP, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. The SDK reads the standard
//! variables itself: the endpoint, `OTEL_EXPORTER_OTLP_PROTOCOL`
//! (`http/protobuf`, the default, or `http/json`), headers, timeout, the
//! batch processor's `OTEL_BSP_*`, `OTEL_SERVICE_NAME` (default `rapport`)
//! and `OTEL_RESOURCE_ATTRIBUTES`.
//!
//! What is exported: a span per HTTP request (`graphql`), a child per
//! operation (`graphql.operation`, named by its type and name), and SeaORM's
//! span per SQL statement below it. The caller's W3C trace context is taken
//! from the `traceparent`/`tracestate` headers, and over a websocket from
//! the same keys in `connection_init`'s payload.

use std::collections::HashMap;

use axum::http::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{Context, global};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::registry::LookupSpan;

/// The exporter, kept to flush what is buffered when the process ends.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

/// Whether the environment asks for traces.
fn configured() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

impl Telemetry {
    /// The tracing layer that exports spans, when an endpoint is set. Only
    /// Rapport's spans and SeaORM's statement spans go out, whatever
    /// `RUST_LOG` says about the log.
    pub fn from_env<S>() -> anyhow::Result<Option<(Self, impl Layer<S>)>>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        if !configured() {
            return Ok(None);
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()?;
        let mut resource = Resource::builder();
        if std::env::var("OTEL_SERVICE_NAME").is_err() {
            resource = resource.with_service_name("rapport");
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        let tracer = provider.tracer("rapport");
        global::set_text_map_propagator(TraceContextPropagator::new());
        let exported = Targets::new()
            .with_target("rapport", LevelFilter::INFO)
            .with_target("rapport_core", LevelFilter::INFO)
            .with_target("sea_orm", LevelFilter::INFO);
        let layer = tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(exported);
        Ok(Some((Self { provider }, layer)))
    }

    /// Sends what is still buffered.
    pub fn shutdown(self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(%error, "the last traces could not be sent");
        }
    }
}

/// The caller's trace context from HTTP headers (none without them).
pub fn parent_from_headers(headers: &HeaderMap) -> Context {
    TraceContextPropagator::new().extract(&Headers(headers))
}

/// The caller's trace context from a websocket's `connection_init` payload
/// (`{"traceparent": "00-…", "tracestate": "…"}`, beside the token).
pub fn parent_from_payload(payload: &serde_json::Value) -> Context {
    let fields: HashMap<String, String> = ["traceparent", "tracestate"]
        .iter()
        .filter_map(|key| {
            let value = payload.get(*key)?.as_str()?;
            Some(((*key).to_owned(), value.to_owned()))
        })
        .collect();
    TraceContextPropagator::new().extract(&fields)
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TraceContextExt;

    const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn the_callers_trace_is_read_from_headers_and_from_a_payload() {
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", PARENT.parse().expect("header"));
        for context in [
            parent_from_headers(&headers),
            parent_from_payload(&serde_json::json!({ "traceparent": PARENT })),
        ] {
            let span = context.span();
            let span = span.span_context();
            assert_eq!(
                span.trace_id().to_string(),
                "4bf92f3577b34da6a3ce929d0e0e4736"
            );
            assert_eq!(span.span_id().to_string(), "00f067aa0ba902b7");
            assert!(span.is_remote());
        }
        let none = parent_from_headers(&HeaderMap::new());
        assert!(!none.span().span_context().is_valid());
    }
}
