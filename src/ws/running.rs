//! A socket's running operations: what each one's stream yields, what it
//! holds while it runs, and the timing of a query or mutation sent over
//! the socket (subscriptions are counted by kind, not timed: they run as
//! long as the client wants).

use std::time::Instant;

use async_graphql::{Request, Response};
use futures_util::stream::AbortHandle;

use super::shared;
use super::slots::Slot;
use crate::graphql::guard::{operation_of, outcome};
use crate::metrics::Metrics;

/// What an operation's stream yields: a result, or the end.
pub enum Item {
    Next(shared::Item),
    Done,
}

/// A running operation.
pub struct Running {
    pub abort: AbortHandle,
    /// Whether one result was sent.
    pub started: bool,
    /// Its place in the member's limit, given back when it ends.
    pub _slot: Slot,
    /// Its place in `/metrics`' subscriptions by kind, left when it ends.
    pub _counted: rapport_core::metrics::labelled::Running,
    /// A query or mutation, until its one result is timed.
    pub timed: Option<Timed>,
}

/// When a query or mutation started, its type and name.
pub struct Timed {
    at: Instant,
    operation_type: &'static str,
    name: Option<String>,
}

impl Timed {
    /// The timing of `request`, unless it is a subscription.
    pub fn start(request: &mut Request) -> Option<Self> {
        match operation_of(request) {
            ("subscription", _) => None,
            (operation_type, name) => Some(Self {
                at: Instant::now(),
                operation_type,
                name,
            }),
        }
    }

    /// Records the operation, ended with `response`, as HTTP ones are.
    pub fn record(self, metrics: &Metrics, response: &Response) {
        metrics.labelled.operation(
            self.operation_type,
            self.name.as_deref(),
            outcome(response),
            self.at.elapsed(),
        );
    }
}
