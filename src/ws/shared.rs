//! Shared subscriptions: live subscriptions with the same document,
//! variables and actor are executed once, and every subscriber receives the
//! same encoded result.
//!
//! Why: an event reaching 10,000 subscribers was decoded, run through
//! async-graphql's executor and encoded 10,000 times (about 20 µs each), and
//! each subscription kept its own parsed document and execution state
//! (BENCHMARKS.md, fan-out). Here one task per distinct subscription runs the
//! usual stream; each subscriber keeps a broadcast receiver.
//!
//! What is shared: a subscription to `ticketEvents` or `pipelineEvents`
//! without `after`. One that resumes from a cursor replays its own backlog,
//! so it runs alone, as does anything else.
//!
//! Never missing an event still holds. Every shared result carries the
//! number of the event it came from. A subscriber that falls behind the
//! broadcast buffer leaves the group and continues alone from the last
//! number it was sent (the outbox replays the rest), exactly as a client
//! resuming with `after` would.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, Weak};

use async_graphql::parser::types::{OperationType, Selection};
use async_graphql::{Request, Response, Variables};
use futures_util::stream::{AbortHandle, Abortable, BoxStream};
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::auth::Actor;
use crate::graphql::RapportSchema;
use crate::graphql::live::{Position, Progress, ResumeAfter};
use crate::metrics::Metrics;

/// Results a subscriber may fall behind by before it continues alone.
const BUFFER: usize = 256;
/// Root fields whose results follow the event log one event at a time.
const SHAREABLE: [&str; 2] = ["ticketEvents", "pipelineEvents"];

/// One result of a shared subscription.
#[derive(Clone)]
pub enum Shared {
    Next {
        /// The number of the last event the result came from.
        seq: i64,
        /// The encoded `Response`.
        payload: Arc<str>,
        /// The encoded errors, when the subscription was refused before it ran.
        refusal: Option<Arc<str>>,
    },
    End,
}

/// What a subscriber's stream yields.
pub enum Item {
    /// A result executed for this subscriber alone.
    Own(Box<Response>),
    /// A result shared with the group: the encoded payload, and the encoded
    /// errors when the subscription was refused.
    Shared(Arc<str>, Option<Arc<str>>),
}

/// The running shared subscriptions, by what makes them identical.
pub struct Hub {
    groups: Arc<Mutex<HashMap<String, Weak<Group>>>>,
    metrics: Arc<Metrics>,
}

/// A subscription request, kept to start it again for one subscriber.
struct Parts {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
    actor: Actor,
}

impl Parts {
    fn request(&self) -> Request {
        let mut request = Request::new(self.query.clone()).variables(self.variables.clone());
        if let Some(name) = &self.operation_name {
            request = request.operation_name(name.clone());
        }
        request.data(self.actor.clone())
    }

    /// Equal exactly when two subscriptions would receive the same results.
    fn key(&self) -> String {
        let variables = serde_json::to_string(&self.variables).unwrap_or_default();
        format!(
            "{:?}\n{:?}\n{variables}\n{}",
            self.actor, self.operation_name, self.query
        )
    }
}

/// One shared subscription: its results, and the task producing them.
struct Group {
    key: String,
    parts: Parts,
    sender: broadcast::Sender<Shared>,
    progress: Arc<Position>,
    task: AbortHandle,
    groups: Arc<Mutex<HashMap<String, Weak<Group>>>>,
    metrics: Arc<Metrics>,
}

impl Drop for Group {
    /// The last subscriber left: stop the task and forget the group (unless
    /// a new group took its key meanwhile).
    fn drop(&mut self) {
        self.task.abort();
        Metrics::dec(&self.metrics.subscription_groups_open);
        if let Ok(mut groups) = self.groups.lock()
            && groups.get(&self.key).is_some_and(|g| g.strong_count() == 0)
        {
            groups.remove(&self.key);
        }
    }
}

impl Hub {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        Hub {
            groups: Arc::default(),
            metrics,
        }
    }

    /// The stream of `request`'s results for `actor`: shared when it can be,
    /// otherwise executed alone.
    pub fn subscribe(
        &self,
        schema: &RapportSchema,
        mut request: Request,
        actor: Actor,
        max_aliases: usize,
    ) -> BoxStream<'static, Item> {
        if !shareable(&mut request) {
            return own(schema, request.data(actor), max_aliases);
        }
        let parts = Parts {
            query: std::mem::take(&mut request.query),
            operation_name: request.operation_name.take(),
            variables: std::mem::take(&mut request.variables),
            actor,
        };
        let key = parts.key();
        let Ok(mut groups) = self.groups.lock() else {
            return own(schema, parts.request(), max_aliases);
        };
        let group = match groups.get(&key).and_then(Weak::upgrade) {
            Some(group) => group,
            None => {
                let group = self.start(schema, key.clone(), parts, max_aliases);
                groups.insert(key, Arc::downgrade(&group));
                group
            }
        };
        // Read before joining: a result produced in between is one this
        // subscriber did not get, so resuming after `joined` replays it.
        let joined = group.progress.current.load(Ordering::Acquire);
        let receiver = group.sender.subscribe();
        drop(groups);
        member(group, receiver, joined, schema.clone(), max_aliases)
    }

    fn start(
        &self,
        schema: &RapportSchema,
        key: String,
        parts: Parts,
        max_aliases: usize,
    ) -> Arc<Group> {
        let progress = Arc::new(Position::default());
        let (sender, _) = broadcast::channel(BUFFER);
        let request = parts.request().data(Progress(progress.clone()));
        let results = crate::graphql::guard::execute_stream(schema, request, max_aliases);
        let (task, registration) = AbortHandle::new_pair();
        let drive = Abortable::new(
            broadcast_results(results, progress.clone(), sender.clone()),
            registration,
        );
        // The task runs on the subscribing connection's clock (tests move it).
        tokio::spawn(crate::clock::scope(crate::clock::current(), drive));
        Metrics::inc(&self.metrics.subscription_groups_open);
        Arc::new(Group {
            key,
            parts,
            sender,
            progress,
            task,
            groups: self.groups.clone(),
            metrics: self.metrics.clone(),
        })
    }
}

/// Whether `request` is a subscription to one shareable root field without
/// `after`. A document that does not parse runs alone (and reports it).
fn shareable(request: &mut Request) -> bool {
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    let operation = match &operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name)),
        None => document.operations.iter().next(),
    };
    let Some((_, operation)) = operation else {
        return false;
    };
    let operation = &operation.node;
    if operation.ty != OperationType::Subscription || !operation.directives.is_empty() {
        return false;
    }
    let [selection] = operation.selection_set.node.items.as_slice() else {
        return false;
    };
    let Selection::Field(field) = &selection.node else {
        return false;
    };
    let field = &field.node;
    SHAREABLE.contains(&field.name.node.as_str())
        && field.directives.is_empty()
        && field.get_argument("after").is_none()
}

/// Runs `request` for one subscriber.
fn own(schema: &RapportSchema, request: Request, max_aliases: usize) -> BoxStream<'static, Item> {
    crate::graphql::guard::execute_stream(schema, request, max_aliases)
        .map(|response| Item::Own(Box::new(response)))
        .boxed()
}

/// The group's task: each result, encoded once, with its event number.
async fn broadcast_results(
    results: impl Stream<Item = Response>,
    progress: Arc<Position>,
    sender: broadcast::Sender<Shared>,
) {
    let mut results = std::pin::pin!(results);
    let mut first = true;
    while let Some(response) = results.next().await {
        let refusal = (first && crate::graphql::error::never_ran(&response))
            .then(|| encode(&response.errors));
        first = false;
        let shared = Shared::Next {
            seq: progress.current.load(Ordering::Acquire),
            payload: encode(&response),
            refusal,
        };
        // No receiver now is fine: one that joins later starts from here.
        let _ = sender.send(shared);
    }
    let _ = sender.send(Shared::End);
}

fn encode<T: serde::Serialize>(value: &T) -> Arc<str> {
    match serde_json::to_string(value) {
        Ok(text) => text.into(),
        Err(error) => {
            tracing::error!(%error, "a subscription result could not be encoded");
            Arc::from("{\"errors\":[{\"message\":\"internal error\"}]}")
        }
    }
}

/// Where a subscriber's results come from.
enum Source {
    Group {
        group: Arc<Group>,
        receiver: broadcast::Receiver<Shared>,
        /// The number of the last event whose result was sent (before any,
        /// where the group stood when this subscriber joined; -1 if its
        /// stream had not opened yet).
        last: i64,
        received: bool,
    },
    Alone(BoxStream<'static, Item>),
}

/// A subscriber's results: the group's, until it falls behind or the group
/// ends before sending it anything; then its own, from where it was.
fn member(
    group: Arc<Group>,
    receiver: broadcast::Receiver<Shared>,
    joined: i64,
    schema: RapportSchema,
    max_aliases: usize,
) -> BoxStream<'static, Item> {
    let source = Source::Group {
        group,
        receiver,
        last: joined,
        received: false,
    };
    stream::unfold(source, move |mut source| {
        let schema = schema.clone();
        async move {
            loop {
                source = match source {
                    Source::Alone(mut results) => {
                        let item = results.next().await?;
                        return Some((item, Source::Alone(results)));
                    }
                    Source::Group {
                        group,
                        mut receiver,
                        last,
                        received,
                    } => match receiver.recv().await {
                        Ok(Shared::Next {
                            seq,
                            payload,
                            refusal,
                        }) => {
                            let item = Item::Shared(payload, refusal);
                            let source = Source::Group {
                                group,
                                receiver,
                                last: seq,
                                received: true,
                            };
                            return Some((item, source));
                        }
                        Ok(Shared::End) | Err(RecvError::Closed) if received => return None,
                        // Ended before this subscriber saw anything: run it
                        // alone, which reports the same refusal or streams.
                        Ok(Shared::End) | Err(RecvError::Closed) => {
                            Source::Alone(own(&schema, group.parts.request(), max_aliases))
                        }
                        Err(RecvError::Lagged(_)) => {
                            // Joined before the group's stream opened: owed
                            // everything after where it opened.
                            let last = if last >= 0 {
                                last
                            } else {
                                group.progress.opened.load(Ordering::Acquire)
                            };
                            tracing::debug!(
                                last,
                                "a shared subscriber fell behind: continuing alone"
                            );
                            Metrics::inc(&group.metrics.shared_subscribers_behind);
                            let mut request = group.parts.request();
                            if last >= 0 {
                                request = request.data(ResumeAfter(last));
                            }
                            Source::Alone(own(&schema, request, max_aliases))
                        }
                    },
                };
            }
        }
    })
    .boxed()
}
