//! What `connection_init`'s payload carries besides the protocol: the
//! credential and the caller's trace.

use serde_json::Value;

/// The credential in `connection_init`'s payload, under any of the keys
/// clients use (`authorization`, `Authorization`, `authToken`), with or
/// without the `Bearer ` prefix.
pub fn credential(payload: Option<&Value>) -> Option<&str> {
    let payload = payload?;
    ["authorization", "Authorization", "authToken"]
        .iter()
        .find_map(|key| payload.get(key)?.as_str())
}

/// The caller's W3C trace context (`traceparent`, `tracestate`), if given.
pub fn trace_parent(payload: Option<&Value>) -> opentelemetry::Context {
    payload.map_or_else(
        opentelemetry::Context::new,
        crate::telemetry::parent_from_payload,
    )
}
