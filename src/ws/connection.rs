//! One websocket connection: the handshake, its subscriptions, and the close
//! codes graphql-transport-ws defines for each misbehaviour.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{AbortHandle, Abortable, BoxStream, SelectAll};
use futures_util::{StreamExt, stream};
use serde_json::Value;

use super::protocol::{self, ClientMessage, Protocol};
use super::shared;
use crate::app::AppState;
use crate::auth::{Actor, Revoked};
use crate::graphql::RapportSchema;
use crate::metrics::Metrics;

/// A client must send `connection_init` within this time.
const INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// The legacy protocol's keep-alive interval.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// How long a closing server waits for the client's close frame.
const CLOSE_HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(1);

/// Close codes (graphql-transport-ws PROTOCOL.md, and RFC 6455 for 1012).
mod code {
    pub const INVALID_MESSAGE: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
    pub const SERVICE_RESTART: u16 = 1012;
}

/// What an operation's stream yields: a result, or the end.
enum Item {
    Next(shared::Item),
    Done,
}

/// Why the connection ends.
enum End {
    /// Close with this code and reason.
    Close(u16, String),
    /// The peer is gone.
    Gone,
    /// The peer closed first: send back the close reply tungstenite queued.
    PeerClosed,
}

struct Connection {
    socket: WebSocket,
    protocol: Protocol,
    state: AppState,
    schema: RapportSchema,
    init_seen: bool,
    actor: Option<Actor>,
    /// The client's address, for operations that lock out by address (`login`).
    address: Option<std::net::IpAddr>,
    /// Running operations by id; `true` once one result was sent.
    running: HashMap<String, (AbortHandle, bool)>,
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
        running: HashMap::new(),
        results: SelectAll::new(),
    };
    let end = connection.run().await;
    for _ in connection.running.drain() {
        Metrics::dec(&metrics.subscriptions_open);
    }
    match end {
        End::Close(code, reason) => {
            let frame = CloseFrame {
                code,
                reason: protocol::close_reason(&reason).into(),
            };
            if connection
                .socket
                .send(Message::Close(Some(frame)))
                .await
                .is_ok()
            {
                // Finish the closing handshake (RFC 6455 §7.1.1): dropping the
                // socket while the client's frames are unread makes the kernel
                // reset the connection, and a reset can discard our close frame
                // before the client reads it.
                let socket = &mut connection.socket;
                let _ = tokio::time::timeout(CLOSE_HANDSHAKE, async {
                    while let Some(Ok(message)) = socket.recv().await {
                        if matches!(message, Message::Close(_)) {
                            break;
                        }
                    }
                })
                .await;
            }
        }
        End::PeerClosed => {
            let _ = futures_util::SinkExt::flush(&mut connection.socket).await;
        }
        End::Gone => {}
    }
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
                    Ok(revoked) if self.uses(revoked) => {
                        Err(End::Close(code::FORBIDDEN, "Forbidden: credentials revoked".into()))
                    }
                    _ => Ok(()),
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
                if let Some((abort, _)) = self.running.remove(&id) {
                    abort.abort();
                    Metrics::dec(&self.state.metrics.subscriptions_open);
                }
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
        match authenticate(&self.state, payload.as_ref()).await {
            Some(actor) => {
                self.actor = Some(actor);
                self.send(protocol::ack()).await
            }
            None => {
                if self.protocol == Protocol::Legacy {
                    let refusal =
                        protocol::connection_error("Forbidden: a valid token is required");
                    self.send(refusal).await?;
                }
                Err(End::Close(code::FORBIDDEN, "Forbidden".into()))
            }
        }
    }

    async fn on_subscribe(
        &mut self,
        id: String,
        request: async_graphql::Request,
    ) -> Result<(), End> {
        let Some(actor) = self.actor.clone() else {
            return Err(End::Close(code::UNAUTHORIZED, "Unauthorized".into()));
        };
        if self.running.contains_key(&id) {
            return Err(End::Close(
                code::DUPLICATE_ID,
                format!("Subscriber for {id} already exists"),
            ));
        }
        // One subscribe is one operation, as one operation of a batch is.
        let key = format!("member:{}", actor.member_id);
        if let Err(retry_after) = self.state.rate_limiter.check(&key, 1) {
            let mut error = async_graphql::ServerError::new(
                format!("too many requests: retry in {retry_after} s"),
                None,
            );
            let extensions = error.extensions.get_or_insert_with(Default::default);
            extensions.set("code", "RATE_LIMITED");
            extensions.set("retryAfter", retry_after);
            return self.send(protocol::error(&id, &[error])).await;
        }
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
        self.running.insert(id, (abort, false));
        Metrics::inc(&self.state.metrics.subscriptions_open);
        Ok(())
    }

    async fn on_result(&mut self, id: String, item: Item) -> Result<(), End> {
        let Some((_, started)) = self.running.get_mut(&id) else {
            // Completed by the client meanwhile.
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

    /// Forgets operation `id` and stops its stream.
    fn finish(&mut self, id: &str) {
        if let Some((abort, _)) = self.running.remove(id) {
            abort.abort();
            Metrics::dec(&self.state.metrics.subscriptions_open);
        }
    }
}

/// The actor named by the credential in `connection_init`'s payload, under
/// any of the keys clients use (`authorization`, `Authorization`,
/// `authToken`), with or without the `Bearer ` prefix.
async fn authenticate(state: &AppState, payload: Option<&Value>) -> Option<Actor> {
    let payload = payload?;
    let value = ["authorization", "Authorization", "authToken"]
        .iter()
        .find_map(|key| payload.get(key)?.as_str())?;
    state.authenticate(value).await
}
