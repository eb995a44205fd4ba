//! Refusing hostile documents before they run, and giving every error a code.
//!
//! async-graphql limits depth, complexity and directives itself; this guard
//! first bounds what those limits cannot see in time (bracket nesting before
//! the parser recurses, fragment expansion before validation walks it, see
//! [`super::bounds`]), adds an alias limit and a limit on password checks per
//! request ([`super::password_cap`]), and puts an `extensions.code` on the errors
//! async-graphql raises without one (parse, validation, limits), so that a
//! client can always tell what went wrong by its code. What runs is then
//! completed to the spec's shape ([`super::completion`]).
//!
//! It wraps execution instead of being an async-graphql extension: with any
//! extension registered, async-graphql sends every field and every list item
//! through the extension chain (a boxed future and a registry lookup each),
//! which made up a large share of the executor's time on 10,000-object
//! results (BENCHMARKS.md), although this guard never looks at fields.

use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Request, Response, ServerError};
use futures_util::stream::{self, Stream, StreamExt};
use rapport_core::metrics::Metrics;
use tracing::Instrument;

use super::completion::{self, Shape};
use super::exact_numbers::Inexact;
use super::{RapportSchema, bounds, password_cap};

/// Runs a query or mutation: refused before it runs when its document nests
/// too deep, expands to too many fields, has more than `max_aliases`
/// aliases or checks more than one password; every error leaves with a code.
/// Its duration goes to `metrics` with its type, name and outcome code.
pub async fn execute(
    schema: &RapportSchema,
    mut request: Request,
    max_aliases: usize,
    metrics: &Metrics,
) -> Response {
    let started = Instant::now();
    let (mut response, operation_type, name) = match refuse(&mut request, max_aliases) {
        Some(error) => (Response::from_errors(vec![error]), "unknown", None),
        None => {
            // The document is parsed by now (and safe to look at).
            let (operation_type, name) = operation_of(&mut request);
            let shape = Shape::prepare(&mut request);
            let inexact = Inexact::of(&request);
            let span = tracing::info_span!(
                "graphql.operation",
                otel.name = %format!("{operation_type} {}", name.as_deref().unwrap_or("")).trim_end(),
                graphql.operation.r#type = operation_type,
                graphql.operation.name = name.as_deref().unwrap_or(""),
            );
            let mut response = inexact
                .scope(schema.execute(request))
                .instrument(span)
                .await;
            if let Some(shape) = shape {
                shape.complete(&mut response);
            }
            (response, operation_type, name)
        }
    };
    add_codes(&mut response);
    metrics.labelled.operation(
        operation_type,
        name.as_deref(),
        outcome(&response),
        started.elapsed(),
    );
    response
}

/// How an operation ended, as `/metrics` labels it: `OK`, or the code of
/// its first error (`OTHER` when that error has none).
pub fn outcome(response: &Response) -> &str {
    response
        .errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|x| x.get("code"))
        .and_then(|code| match code {
            async_graphql::Value::String(code) => Some(code.as_str()),
            _ => None,
        })
        .unwrap_or(if response.errors.is_empty() {
            "OK"
        } else {
            "OTHER"
        })
}

/// The type and name of the operation `request` runs (its document parsed).
pub fn operation_of(request: &mut Request) -> (&'static str, Option<String>) {
    let named = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return ("unknown", named);
    };
    let (operation, name) = match &document.operations {
        DocumentOperations::Single(operation) => (Some(operation), named),
        DocumentOperations::Multiple(operations) => match named {
            Some(name) => (operations.get(name.as_str()), Some(name)),
            None if operations.len() == 1 => {
                operations.iter().next().map_or((None, None), |(name, op)| {
                    (Some(op), Some(name.to_string()))
                })
            }
            None => (None, None),
        },
    };
    let operation_type = match operation.map(|op| op.node.ty) {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "unknown",
    };
    (operation_type, name)
}

/// [`execute`] for each request of a batch, in order.
pub async fn execute_batch(
    schema: &RapportSchema,
    batch: BatchRequest,
    max_aliases: usize,
    metrics: &Metrics,
) -> BatchResponse {
    match batch {
        BatchRequest::Single(request) => {
            BatchResponse::Single(execute(schema, request, max_aliases, metrics).await)
        }
        BatchRequest::Batch(mut requests) => {
            // The cap holds for the batch as a whole, or a batch of ten
            // documents would check ten passwords.
            let checks: usize = requests.iter_mut().map(password_cap::count).sum();
            if checks > password_cap::MAX_PER_REQUEST {
                let refused = requests.iter().map(|_| {
                    let mut response = Response::from_errors(vec![password_cap::refusal(checks)]);
                    add_codes(&mut response);
                    response
                });
                return BatchResponse::Batch(refused.collect());
            }
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(schema, request, max_aliases, metrics).await);
            }
            BatchResponse::Batch(responses)
        }
    }
}

/// Runs a subscription (or any operation over a websocket) as [`execute`] does.
pub fn execute_stream(
    schema: &RapportSchema,
    mut request: Request,
    max_aliases: usize,
) -> impl Stream<Item = Response> + Send + 'static {
    match refuse(&mut request, max_aliases) {
        Some(error) => stream::once(async move {
            let mut response = Response::from_errors(vec![error]);
            add_codes(&mut response);
            response
        })
        .left_stream(),
        None => {
            let shape = Shape::prepare(&mut request);
            let inexact = Inexact::of(&request);
            inexact
                .scope_stream(schema.execute_stream(request))
                .map(move |mut response| {
                    if let Some(shape) = &shape {
                        shape.complete(&mut response);
                    }
                    add_codes(&mut response);
                    response
                })
                .right_stream()
        }
    }
}

/// The error refusing `request` before it runs, if any: the checks run in
/// the order that keeps each one cheap (text, then variables, then the
/// parsed document). A document that does not parse is left to execution,
/// which reports it.
fn refuse(request: &mut Request, max_aliases: usize) -> Option<ServerError> {
    let nesting = bounds::nesting(&request.query, bounds::MAX_NESTING);
    if nesting > bounds::MAX_NESTING {
        return Some(coded(
            format!(
                "the document nests brackets more than {} deep",
                bounds::MAX_NESTING
            ),
            "QUERY_TOO_DEEP",
        ));
    }
    if let Some(depth) = variables_too_deep(request) {
        return Some(coded(
            format!(
                "the variables nest {depth} deep; at most {} levels are allowed",
                bounds::MAX_NESTING
            ),
            "VARIABLES_TOO_DEEP",
        ));
    }
    // Only now is the document safe to parse (or to take parsed from the cache).
    super::parsed::reuse(request);
    let checks = password_cap::count(request);
    if checks > password_cap::MAX_PER_REQUEST {
        return Some(password_cap::refusal(checks));
    }
    fill_variable_defaults(request);
    let document = request.parsed_query().ok()?;
    match bounds::expanded_fields(document, MAX_FIELDS) {
        Ok(_) => {}
        Err(bounds::Expansion::TooLarge) => {
            return Some(coded(
                format!(
                    "the document selects more than {MAX_FIELDS} fields once its fragments are spread"
                ),
                "QUERY_TOO_COMPLEX",
            ));
        }
        Err(bounds::Expansion::Cycle(name)) => {
            return Some(coded(
                format!("fragment {name} spreads itself"),
                "GRAPHQL_VALIDATION_FAILED",
            ));
        }
        Err(bounds::Expansion::TooDeep) => {
            return Some(coded(
                "fragments are spread inside one another too deep".to_owned(),
                "QUERY_TOO_DEEP",
            ));
        }
    }
    let aliases = count_aliases(document);
    if aliases <= max_aliases {
        return None;
    }
    Some(coded(
        format!("the document has {aliases} aliases; at most {max_aliases} are allowed"),
        "TOO_MANY_ALIASES",
    ))
}

/// Fields one document may select with every fragment spread expanded (a
/// field inside a fragment spread three times counts three times).
pub const MAX_FIELDS: usize = 2_000;

/// How deep the request's variables nest, when deeper than allowed.
fn variables_too_deep(request: &Request) -> Option<usize> {
    // Variables arrive as JSON, whose parser already stops at 128 levels;
    // this bound is the document's, so both ways in agree.
    let depth = request
        .variables
        .values()
        .map(bounds::value_nesting)
        .max()
        .unwrap_or(0);
    (depth > bounds::MAX_NESTING).then_some(depth)
}

/// A GraphQL error with `extensions.code`.
pub(crate) fn coded(message: String, code: &str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// Adds each variable the request leaves out but its operation gives a
/// default to. async-graphql evaluates `@skip(if: $v)`/`@include(if: $v)`
/// against the variables sent only, so `query($v: Boolean = true)` sent
/// without `v` dropped every `@include(if: $v)` field; arguments were right.
fn fill_variable_defaults(request: &mut Request) {
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return;
    };
    // The operation async-graphql will run (`prepare_request`'s choice).
    let Some(operation) = completion::operation(document, operation_name.as_deref()) else {
        return;
    };
    let defaults: Vec<_> = operation
        .node
        .variable_definitions
        .iter()
        .filter_map(|def| {
            let default = def.node.default_value.as_ref()?;
            Some((def.node.name.node.clone(), default.node.clone()))
        })
        .collect();
    for (name, value) in defaults {
        request.variables.entry(name).or_insert(value);
    }
}

/// Aliased fields in every operation and fragment of the document (each
/// written alias once, so fragment cycles cannot make it loop).
fn count_aliases(document: &ExecutableDocument) -> usize {
    bounds::count_written(document, &|field| usize::from(field.alias.is_some()))
}

/// Puts a code on each error that has none.
pub fn add_codes(response: &mut Response) {
    for error in &mut response.errors {
        super::scalars::explain_decimal_refusal(error);
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let code = code_for(error);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
}

fn code_for(error: &ServerError) -> &'static str {
    let message = error.message.as_str();
    if message.starts_with("Query is nested too deep") {
        "QUERY_TOO_DEEP"
    } else if message.starts_with("Query is too complex") {
        "QUERY_TOO_COMPLEX"
    } else if message.starts_with("The number of directives") {
        "TOO_MANY_DIRECTIVES"
    } else if message.contains("= expected") || message.starts_with(" -->") {
        "GRAPHQL_PARSE_FAILED"
    } else if error.path.is_empty() {
        "GRAPHQL_VALIDATION_FAILED"
    } else {
        // Resolver errors carry their own code; what is left is an argument
        // that could not be read as its type.
        "BAD_USER_INPUT"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments_once() {
        let document = async_graphql::parser::parse_query(
            "query { a: me { id } b: me { ...F ...F } } fragment F on Member { c: id d: name }",
        )
        .unwrap();
        assert_eq!(count_aliases(&document), 4);
    }
}
