//! Process counters, rendered as Prometheus text at `GET /metrics`.
//!
//! The plain counters are a handful of atomics written by hand (a few lines
//! of text each); histograms and labelled metrics, which need buckets,
//! label sets and their encoding, are `prometheus-client`'s ([`labelled`]).

pub mod labelled;

pub use labelled::Labelled;

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one server process.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Every SQL statement sent to the database, counted by SeaORM's metric callback.
    pub db_statements: AtomicU64,
    /// Statements that returned an error.
    pub db_statement_errors: AtomicU64,
    /// Total time spent in statements, in microseconds.
    pub db_statement_micros: AtomicU64,
    /// GraphQL operations executed.
    pub graphql_requests: AtomicU64,
    /// GraphQL operations whose response carried errors.
    pub graphql_errors: AtomicU64,
    /// Top-level lists answered by the fast read path (`graphql::fast`).
    pub fast_reads: AtomicU64,
    /// Events written to the outbox and published.
    pub events_published: AtomicU64,
    /// Events the bus could not carry (Redis away or its queue full).
    pub events_dropped: AtomicU64,
    /// Events read back from the outbox to fill a gap or catch a reader up.
    pub events_recovered: AtomicU64,
    /// Times a subscriber fell behind its buffer and caught up from the outbox.
    pub subscriber_lags: AtomicU64,
    /// Websocket connections open now (a gauge).
    pub websockets_open: AtomicU64,
    /// Subscriptions running now (a gauge).
    pub subscriptions_open: AtomicU64,
    /// Shared subscription groups running now (a gauge, `ws::shared`).
    pub subscription_groups_open: AtomicU64,
    /// Shared subscribers that fell behind their group and continued alone.
    pub shared_subscribers_behind: AtomicU64,
    /// Histograms, and gauges and counters with labels.
    pub labelled: Labelled,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Subtracts one from a gauge.
    pub fn dec(gauge: &AtomicU64) {
        gauge.fetch_sub(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every counter and gauge.
    pub fn render(&self) -> String {
        let counters: [(&str, &str, &AtomicU64); 11] = [
            (
                "rapport_db_statements_total",
                "SQL statements executed.",
                &self.db_statements,
            ),
            (
                "rapport_db_statement_errors_total",
                "SQL statements that failed.",
                &self.db_statement_errors,
            ),
            (
                "rapport_db_statement_microseconds_total",
                "Time spent in SQL statements.",
                &self.db_statement_micros,
            ),
            (
                "rapport_graphql_requests_total",
                "GraphQL operations executed.",
                &self.graphql_requests,
            ),
            (
                "rapport_graphql_errors_total",
                "GraphQL operations answered with errors.",
                &self.graphql_errors,
            ),
            (
                "rapport_fast_reads_total",
                "Top-level lists answered without the per-field executor.",
                &self.fast_reads,
            ),
            (
                "rapport_events_published_total",
                "Events written to the outbox and published.",
                &self.events_published,
            ),
            (
                "rapport_events_dropped_total",
                "Events the bus could not carry; readers recover them from the outbox.",
                &self.events_dropped,
            ),
            (
                "rapport_events_recovered_total",
                "Events read back from the outbox to fill a gap.",
                &self.events_recovered,
            ),
            (
                "rapport_subscriber_lags_total",
                "Subscribers that fell behind their buffer and caught up from the outbox.",
                &self.subscriber_lags,
            ),
            (
                "rapport_shared_subscribers_behind_total",
                "Shared subscribers that fell behind their group and continued alone from their cursor.",
                &self.shared_subscribers_behind,
            ),
        ];
        let gauges: [(&str, &str, &AtomicU64); 3] = [
            (
                "rapport_websockets_open",
                "Websocket connections open.",
                &self.websockets_open,
            ),
            (
                "rapport_subscriptions_open",
                "Subscriptions running.",
                &self.subscriptions_open,
            ),
            (
                "rapport_subscription_groups_open",
                "Shared subscriptions running, each serving all its identical subscribers.",
                &self.subscription_groups_open,
            ),
        ];
        let mut out = String::new();
        let rows = counters
            .iter()
            .map(|row| ("counter", row))
            .chain(gauges.iter().map(|row| ("gauge", row)));
        for (kind, (name, help, value)) in rows {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        out.push_str(&self.labelled.render());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_text_names_each_counter_with_its_value() {
        let metrics = Metrics::default();
        Metrics::inc(&metrics.db_statements);
        Metrics::inc(&metrics.db_statements);
        let text = metrics.render();
        assert!(text.contains(
            "# TYPE rapport_db_statements_total counter\nrapport_db_statements_total 2\n"
        ));
    }
}
