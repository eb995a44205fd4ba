//! What an operation over a websocket follows, for `/metrics` and traces.

use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The span of an operation starting over a websocket, joined to the trace
/// `connection_init` named. Its later results run outside it.
pub fn span(kind: &str, parent: &opentelemetry::Context) -> tracing::Span {
    let span = tracing::info_span!("graphql.subscribe", otel.name = %format!("subscribe {kind}"));
    // Without an exporter there is no OpenTelemetry layer, and nothing to join.
    let _ = span.set_parent(parent.clone());
    span
}

/// The root field an operation follows (its kind in `/metrics`): read only
/// from a document whose bracket nesting is within bounds, so that parsing
/// it is safe (the guard refuses the others before they run).
pub fn of(request: &async_graphql::Request) -> String {
    use crate::graphql::bounds;
    use async_graphql::parser::types::{DocumentOperations, Selection};
    if bounds::nesting(&request.query, bounds::MAX_NESTING) > bounds::MAX_NESTING {
        return "unknown".into();
    }
    let Some(document) = crate::graphql::parsed::parse(&request.query) else {
        return "unknown".into();
    };
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) => operations.values().next(),
    };
    let field = operation.and_then(|op| {
        op.node
            .selection_set
            .node
            .items
            .iter()
            .find_map(|item| match &item.node {
                Selection::Field(field) => Some(field.node.name.node.to_string()),
                _ => None,
            })
    });
    field.unwrap_or_else(|| "unknown".into())
}
