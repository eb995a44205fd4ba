//! Histograms and labelled gauges and counters, kept and encoded with
//! `prometheus-client` (the Prometheus project's Rust client) and appended to
//! the plain counters at `GET /metrics`.
//!
//! Every label has a bounded set of values: operation types and outcome codes
//! are finite, subscription kinds are the schema's subscription fields, and
//! operation names are the first [`MAX_OPERATION_NAMES`] distinct valid names
//! the process sees (later ones are counted as `other`), so no client can
//! grow the exposition without bound.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode_registry;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Distinct operation names kept as label values.
pub const MAX_OPERATION_NAMES: usize = 200;

/// The longest operation name kept (GraphQL names are unbounded).
const MAX_NAME_LEN: usize = 64;

/// Labels of a GraphQL operation's duration.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    /// `query`, `mutation`, `subscription`, or `unknown` (it did not parse).
    pub operation_type: &'static str,
    /// The operation's name; empty when anonymous, `other` past the cap.
    pub operation_name: String,
    /// `OK`, or the `extensions.code` of its first error.
    pub outcome: String,
}

/// Whether a SQL statement succeeded.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatementLabels {
    pub outcome: &'static str,
}

/// What a subscription follows: its root field.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

/// Why a request or a sign-in was refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    /// `login` or `rate_limit`.
    pub refusal: &'static str,
    /// For a sign-in `wrong_credentials` or `locked_out`; for a rate limit
    /// the door it came through, `http` or `websocket`.
    pub reason: &'static str,
}

/// How a background unit of work ended: a webhook attempt (`delivered`,
/// `failed`) or an imported row (`created`, `updated`, `unchanged`,
/// `skipped`, `refused`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

/// A subscription in its kind's gauge, counted until it is dropped.
#[derive(Debug)]
pub struct Running(Gauge);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Seconds, from half a millisecond to about half a minute.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 17))
}

/// The labelled metrics of one server process.
#[derive(Debug)]
pub struct Labelled {
    registry: Registry,
    pub operations: Family<OperationLabels, Histogram, fn() -> Histogram>,
    pub statements: Family<StatementLabels, Histogram, fn() -> Histogram>,
    pub transaction_starts: Histogram,
    pub subscriptions: Family<KindLabels, Gauge>,
    pub event_lag: Histogram,
    pub refusals: Family<RefusalLabels, Counter>,
    pub webhook_attempts: Family<OutcomeLabels, Histogram, fn() -> Histogram>,
    pub import_rows: Family<OutcomeLabels, Counter>,
    names: Mutex<HashSet<String>>,
}

impl Default for Labelled {
    fn default() -> Self {
        let operations = Family::new_with_constructor(seconds as fn() -> Histogram);
        let statements = Family::new_with_constructor(seconds as fn() -> Histogram);
        let transaction_starts = seconds();
        let subscriptions = Family::default();
        let event_lag = seconds();
        let refusals = Family::default();
        let webhook_attempts = Family::new_with_constructor(seconds as fn() -> Histogram);
        let import_rows = Family::default();
        let mut registry = Registry::default();
        registry.register(
            "rapport_graphql_operation_duration_seconds",
            "GraphQL queries and mutations, from the start of execution to the response, by operation type, name and outcome code.",
            operations.clone(),
        );
        registry.register(
            "rapport_db_statement_duration_seconds",
            "SQL statements, by outcome.",
            statements.clone(),
        );
        registry.register(
            "rapport_db_transaction_start_seconds",
            "Starting a transaction: waiting for a pooled connection, then BEGIN.",
            transaction_starts.clone(),
        );
        registry.register(
            "rapport_subscriptions_by_kind",
            "Subscriptions running now, by root field.",
            subscriptions.clone(),
        );
        registry.register(
            "rapport_event_delivery_lag_seconds",
            "From an event's commit to its arrival at this instance from the bus (Redis or in-process), before it is relayed to the instance's subscribers.",
            event_lag.clone(),
        );
        registry.register(
            "rapport_refusals",
            "Sign-ins refused (wrong password, locked account) and requests refused by a rate limit.",
            refusals.clone(),
        );
        registry.register(
            "rapport_webhook_attempt_duration_seconds",
            "Webhook delivery attempts made by this instance, from sending to the answer or the failure, by outcome (delivered: a 2xx answer; failed: any other answer, a timeout or no connection).",
            webhook_attempts.clone(),
        );
        registry.register(
            "rapport_import_rows",
            "Rows committed by imports run on this instance (files, jobs), by outcome: created, updated, unchanged, skipped, refused. Dry runs are not counted.",
            import_rows.clone(),
        );
        Self {
            registry,
            operations,
            statements,
            transaction_starts,
            subscriptions,
            event_lag,
            refusals,
            webhook_attempts,
            import_rows,
            names: Mutex::new(HashSet::new()),
        }
    }
}

impl Labelled {
    /// Records one operation.
    pub fn operation(
        &self,
        operation_type: &'static str,
        name: Option<&str>,
        outcome: &str,
        took: Duration,
    ) {
        let labels = OperationLabels {
            operation_type,
            operation_name: self.name_label(name),
            outcome: bounded_code(outcome),
        };
        self.operations
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    /// Records one SQL statement.
    pub fn statement(&self, failed: bool, took: Duration) {
        let outcome = if failed { "error" } else { "ok" };
        self.statements
            .get_or_create(&StatementLabels { outcome })
            .observe(took.as_secs_f64());
    }

    /// Counts a subscription following `kind` while the result lives.
    pub fn subscription(&self, kind: &str) -> Running {
        let gauge = self.subscriptions.get_or_create_owned(&KindLabels {
            kind: self.name_label(Some(kind)),
        });
        gauge.inc();
        Running(gauge)
    }

    /// Counts one refusal.
    pub fn refused(&self, refusal: &'static str, reason: &'static str) {
        self.refusals
            .get_or_create(&RefusalLabels { refusal, reason })
            .inc();
    }

    /// Records one webhook delivery attempt.
    pub fn webhook_attempt(&self, delivered: bool, took: Duration) {
        let outcome = if delivered { "delivered" } else { "failed" };
        self.webhook_attempts
            .get_or_create(&OutcomeLabels { outcome })
            .observe(took.as_secs_f64());
    }

    /// Counts `rows` committed imported rows of one outcome.
    pub fn imported(&self, outcome: &'static str, rows: u64) {
        if rows > 0 {
            self.import_rows
                .get_or_create(&OutcomeLabels { outcome })
                .inc_by(rows);
        }
    }

    /// `name` as a label value: kept while the process has seen fewer than
    /// [`MAX_OPERATION_NAMES`] names, `other` after, empty when anonymous.
    fn name_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return String::new();
        };
        let valid = name.len() <= MAX_NAME_LEN
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return "other".to_owned();
        }
        let mut names = self.names.lock().unwrap_or_else(PoisonError::into_inner);
        if names.contains(name) || names.len() < MAX_OPERATION_NAMES {
            names.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// The OpenMetrics text of every labelled metric, without its end marker
    /// (the plain counters come before it in the same exposition).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode_registry(&mut out, &self.registry).is_err() {
            tracing::warn!("the labelled metrics could not be encoded");
        }
        // OpenMetrics names a counter without `_total` in HELP and TYPE and
        // with it on samples; `/metrics` speaks the classic text format, where
        // the three must agree.
        out.replace("# HELP rapport_refusals ", "# HELP rapport_refusals_total ")
            .replace(
                "# TYPE rapport_refusals counter",
                "# TYPE rapport_refusals_total counter",
            )
    }
}

/// Error codes are upper-case words Rapport and async-graphql choose; an
/// unexpected shape is counted as `OTHER` rather than trusted as a label.
fn bounded_code(code: &str) -> String {
    let valid = code.len() <= 40 && code.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    if valid && !code.is_empty() {
        code.to_owned()
    } else {
        "OTHER".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_past_the_cap_and_odd_names_are_other() {
        let labelled = Labelled::default();
        for n in 0..MAX_OPERATION_NAMES {
            assert_eq!(
                labelled.name_label(Some(&format!("Op{n}"))),
                format!("Op{n}")
            );
        }
        assert_eq!(labelled.name_label(Some("Op0")), "Op0");
        assert_eq!(labelled.name_label(Some("OneMore")), "other");
        assert_eq!(labelled.name_label(Some("with space")), "other");
        assert_eq!(labelled.name_label(None), "");
        assert_eq!(bounded_code("not a code"), "OTHER");
    }

    #[test]
    fn a_histogram_is_rendered_with_its_labels() {
        let labelled = Labelled::default();
        labelled.operation("query", Some("Me"), "OK", Duration::from_millis(3));
        let text = labelled.render();
        assert!(text.contains("# TYPE rapport_graphql_operation_duration_seconds histogram"));
        assert!(text.contains(
            r#"rapport_graphql_operation_duration_seconds_count{operation_type="query",operation_name="Me",outcome="OK"} 1"#
        ), "{text}");
        assert!(!text.contains("# EOF"));
    }
}
