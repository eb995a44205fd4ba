//! One websocket connection: the handshake, its subscriptions, and the close
//! codes graphql-transport-ws defines for each misbehaviour.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::{AbortHandle, Abortable, BoxStream, SelectAll};
use futures_util::{StreamExt, stream};
use serde_json::Value;

use super::close::{End, code, too_big};
use super::protocol::{self, ClientMessage, Protocol};
use super::running::{Item, Running, Timed};
use super::shared;
use crate::auth::{Actor, Revoked};
use crate::graphql::RapportSchema;
use crate::graphql::guard::coded;
use crate::metrics::Metrics;
use crate::state::AppState;

/// A client must send `connection_init` within this time.
const INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// The legacy protocol's keep-alive interval.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

struct Connection {
    socket: WebSocket,
    protocol: Protocol,
    state: AppState,
    schema: RapportSchema,
    init_seen: bool,
    actor: Option<Actor>,
    /// The client's address, for operations that lock out by address (`login`).
    address: Option<std::net::IpAddr>,
    /// What `connection_init` authenticated with, to check it again after a
    /// revocation and before each subscribe.
    credential: Option<Box<str>>,
    /// [`crate::auth::Directory::revision`] when the credential was last checked.
    revision: u64,
    /// The caller's trace from `connection_init` (`traceparent`), if any.
    trace_parent: opentelemetry::Context,
    /// Running operations by id.
    running: HashMap<String, Running>,
    results: SelectAll<BoxStream<'static, (String, Item)>>,
}

/// Serves the connection until it closes or the server stops.
pub async fn serve(
    socket: WebSocket,
    protocol: Protocol,
    state: AppState,
    schema: RapportSchema,
    address: Option<std::net::IpAddr>,
) {
    let metrics = state.metrics.clone();
    Metrics::inc(&metrics.websockets_open);
    let mut connection = Connection {
        socket,
        protocol,
        state,
        schema,
        init_seen: false,
        actor: None,
        address,
        credential: None,
        revision: 0,
        trace_parent: opentelemetry::Context::new(),
        running: HashMap::new(),
        results: SelectAll::new(),
    };
    let end = connection.run().await;
    for _ in connection.running.drain() {
        Metrics::dec(&metrics.subscriptions_open);
    }
    super::close::finish(&mut connection.socket, end).await;
    Metrics::dec(&metrics.websockets_open);
}

impl Connection {
    async fn run(&mut self) -> End {
        let init_timeout = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(init_timeout);
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        // Waiting on the shutdown token and the revocation channel registers
        // a waiter under a lock every connection shares, and a new timer
        // reads the runtime's shared handle. These futures live across
        // iterations so that the loop sets them up once, not on every message
        // it sends: a fan-out wakes every connection at once.
        let shutdown = self.state.shutdown.clone();
        let shutdown = shutdown.cancelled();
        tokio::pin!(shutdown);
        let revocations = stream::unfold(self.state.directory.revocations(), |mut r| async move {
            match r.recv().await {
                Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
                revoked => Some((revoked, r)),
            }
        })
        .fuse();
        tokio::pin!(revocations);
        loop {
            let step = tokio::select! {
                message = self.socket.recv() => match message {
                    Some(Ok(message)) => self.on_message(message).await,
                    Some(Err(error)) if too_big(&error) => Err(End::TooBig),
                    Some(Err(_)) | None => Err(End::Gone),
                },
                Some((id, item)) = self.results.next(), if !self.results.is_empty() => {
                    self.on_result(id, item).await
                }
                () = &mut init_timeout, if !self.init_seen => {
                    Err(End::Close(code::INIT_TIMEOUT, "Connection initialisation timeout".into()))
                }
                _ = keep_alive.tick(), if self.protocol == Protocol::Legacy && self.actor.is_some() => {
                    self.send(protocol::keep_alive()).await
                }
                Some(revoked) = revocations.next() => match revoked {
                    Ok(revoked) if self.uses(revoked) => self.confirm().await,
                    // Some revocations were missed: one may have been ours.
                    Err(_) => self.confirm().await,
                    Ok(_) => Ok(()),
                },
                () = &mut shutdown => {
                    Err(End::Close(code::SERVICE_RESTART, "server restarting: reconnect".into()))
                }
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// Whether the connection acts with the revoked credential.
    fn uses(&self, revoked: Revoked) -> bool {
        self.actor.as_ref().is_some_and(|actor| match revoked {
            Revoked::Member(id) => actor.member_id == id,
            Revoked::ApiKey(id) => actor.api_key_id == Some(id),
            Revoked::Workspace(id) => actor.workspace_id == id,
        })
    }

    async fn send(&mut self, text: String) -> Result<(), End> {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .map_err(|_| End::Gone)
    }

    async fn on_message(&mut self, message: Message) -> Result<(), End> {
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                return Err(End::Close(
                    code::INVALID_MESSAGE,
                    "binary messages are not part of the protocol".into(),
                ));
            }
            // Pings are answered by the websocket layer itself.
            Message::Ping(_) | Message::Pong(_) => return Ok(()),
            Message::Close(_) => return Err(End::PeerClosed),
        };
        let message = protocol::parse(self.protocol, text.as_str())
            .map_err(|reason| End::Close(code::INVALID_MESSAGE, reason))?;
        match message {
            ClientMessage::Init(payload) => self.on_init(payload).await,
            ClientMessage::Subscribe { id, request } => self.on_subscribe(id, *request).await,
            ClientMessage::Complete { id } => {
                self.finish(&id);
                Ok(())
            }
            ClientMessage::Ping(payload) => self.send(protocol::pong(payload)).await,
            ClientMessage::Pong => Ok(()),
            ClientMessage::Terminate => Err(End::Close(1000, "terminated".into())),
        }
    }

    async fn on_init(&mut self, payload: Option<Value>) -> Result<(), End> {
        if self.init_seen {
            return Err(End::Close(
                code::TOO_MANY_INITS,
                "Too many initialisation requests".into(),
            ));
        }
        self.init_seen = true;
        self.revision = self.state.directory.revision();
        self.trace_parent = super::init::trace_parent(payload.as_ref());
        let credential = super::init::credential(payload.as_ref());
        let actor = match credential {
            Some(credential) => self
                .state
                .authenticate(credential)
                .await
                .map_err(unavailable)?
                .map_err(Some),
            None => Err(None),
        };
        match actor {
            Ok(actor) => {
                self.actor = Some(actor);
                self.credential = credential.map(Into::into);
                self.send(protocol::ack()).await
            }
            Err(refused) => {
                // Why, as an HTTP request would hear it (short enough for a close reason).
                let reason = match refused {
                    Some(refused) => format!("Forbidden: {}", refused.message()),
                    None => "Forbidden: a valid token is required".to_owned(),
                };
                if self.protocol == Protocol::Legacy {
                    self.send(protocol::connection_error(&reason)).await?;
                }
                Err(End::Close(code::FORBIDDEN, reason))
            }
        }
    }

    async fn on_subscribe(
        &mut self,
        id: String,
        mut request: async_graphql::Request,
    ) -> Result<(), End> {
        let Some(actor) = self.actor.clone() else {
            return Err(End::Close(code::UNAUTHORIZED, "Unauthorized".into()));
        };
        // Never run an operation with a role the member no longer has, even
        // before the revocation reached this connection.
        self.confirm().await?;
        if self.running.contains_key(&id) {
            return Err(End::Close(
                code::DUPLICATE_ID,
                format!("Subscriber for {id} already exists"),
            ));
        }
        // Trusted documents hold here too, and a hash names a registered document.
        if let Err(refused) = self.state.documents.resolve_request(&mut request).await {
            let error = coded(refused.message, refused.code);
            return self.send(protocol::error(&id, &[error])).await;
        }
        let per_socket = self.state.config.max_subscriptions_per_socket;
        let slots = &self.state.subscription_slots;
        let slot = if self.running.len() >= per_socket {
            Err(format!("at most {per_socket} operations per websocket"))
        } else {
            slots.take(actor.member_id).ok_or_else(|| {
                let per_member = slots.per_member();
                format!("at most {per_member} operations per member")
            })
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(message) => {
                let error = coded(message, "TOO_MANY_SUBSCRIPTIONS");
                return self.send(protocol::error(&id, &[error])).await;
            }
        };
        let key = format!("member:{}", actor.member_id);
        if let Err(retry_after) = self.state.rate_limiter.check(&key, 1).await {
            self.state
                .metrics
                .labelled
                .refused("rate_limit", "websocket");
            let message = format!("too many requests: retry in {retry_after} s");
            let mut error = coded(message, "RATE_LIMITED");
            let extensions = error.extensions.get_or_insert_with(Default::default);
            extensions.set("retryAfter", retry_after);
            return self.send(protocol::error(&id, &[error])).await;
        }
        let kind = super::kind::of(&request);
        let counted = self.state.metrics.labelled.subscription(&kind);
        let timed = Timed::start(&mut request);
        let _span = super::kind::span(&kind, &self.trace_parent).entered();
        let request = request.data(crate::graphql::context::ClientAddress(self.address));
        let results = self.state.shared_subscriptions.subscribe(
            &self.schema,
            request,
            actor,
            self.state.config.max_aliases,
        );
        let tagged = {
            let id = id.clone();
            let done = id.clone();
            results
                .map(move |r| (id.clone(), Item::Next(r)))
                .chain(stream::once(async move { (done, Item::Done) }))
        };
        let (abort, registration) = AbortHandle::new_pair();
        self.results
            .push(Abortable::new(tagged, registration).boxed());
        let running = Running {
            abort,
            started: false,
            _slot: slot,
            _counted: counted,
            timed,
        };
        self.running.insert(id, running);
        Metrics::inc(&self.state.metrics.subscriptions_open);
        Ok(())
    }

    async fn on_result(&mut self, id: String, item: Item) -> Result<(), End> {
        if !self.running.contains_key(&id) {
            // Completed by the client meanwhile.
            return Ok(());
        }
        if matches!(item, Item::Next(_)) && self.state.directory.revision() != self.revision {
            // A revocation is on its way: this result must not go out under
            // a role the member just lost.
            self.confirm().await?;
        }
        let timed = self.running.get_mut(&id).and_then(|r| r.timed.take());
        if let (Some(timed), Item::Next(shared::Item::Own(response))) = (timed, &item) {
            timed.record(&self.state.metrics, response);
        }
        let Some(Running { started, .. }) = self.running.get_mut(&id) else {
            return Ok(());
        };
        match item {
            Item::Next(shared::Item::Own(response)) => {
                if !*started && crate::graphql::error::never_ran(&response) {
                    self.finish(&id);
                    return self.send(protocol::error(&id, &response.errors)).await;
                }
                *started = true;
                let text = protocol::next(self.protocol, &id, &response);
                self.send(text).await
            }
            Item::Next(shared::Item::Shared(payload, refusal)) => {
                if !*started && let Some(errors) = refusal {
                    self.finish(&id);
                    return self.send(protocol::encoded_error(&id, &errors)).await;
                }
                *started = true;
                let text = protocol::encoded_next(self.protocol, &id, &payload);
                self.send(text).await
            }
            Item::Done => {
                self.finish(&id);
                self.send(protocol::complete(&id)).await
            }
        }
    }

    /// Forgets operation `id` and stops its stream (its slot is given back).
    fn finish(&mut self, id: &str) {
        if let Some(running) = self.running.remove(id) {
            running.abort.abort();
            Metrics::dec(&self.state.metrics.subscriptions_open);
        }
    }

    /// Checks the credential again, as an HTTP request would: it must still
    /// stand for the same actor (member, workspace, role and key), or the
    /// connection closes 4403 (a deactivation, a role change, a revoked key,
    /// a key whose creator's role changed).
    async fn confirm(&mut self) -> Result<(), End> {
        let Some(credential) = self.credential.as_deref() else {
            return Ok(());
        };
        // Read before authenticating: a revocation sent meanwhile is seen next time.
        self.revision = self.state.directory.revision();
        match self
            .state
            .authenticate(credential)
            .await
            .map_err(unavailable)?
        {
            Ok(current) if self.actor.as_ref() == Some(&current) => Ok(()),
            Ok(_) => Err(End::Close(
                code::FORBIDDEN,
                "Forbidden: role changed, reconnect".into(),
            )),
            Err(refused) => Err(End::Close(
                code::FORBIDDEN,
                format!("Forbidden: {}", refused.message()),
            )),
        }
    }
}

/// The end of a connection whose credential the database could not check.
fn unavailable(error: sea_orm::DbErr) -> End {
    tracing::warn!(%error, "websocket credential could not be checked");
    End::Close(
        code::TRY_AGAIN_LATER,
        "Try again later: database unavailable".into(),
    )
}
