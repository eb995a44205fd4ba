//! A small GraphQL-over-websocket client for the tests (tokio-tungstenite).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// How long a test waits for a message before it fails (a bound against
/// hanging, not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(20);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct WsClient {
    socket: Socket,
}

/// What the server did next.
#[derive(Debug)]
pub enum Received {
    Json(Value),
    Closed { code: u16, reason: String },
}

impl WsClient {
    /// Opens `/graphql` on `base` (an `http://` address) with `protocol`.
    pub async fn connect(base: &str, protocol: &str) -> Self {
        let url = format!("{}/graphql", base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocol).expect("header"),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connects");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some(protocol)
        );
        Self { socket }
    }

    /// Connects with graphql-transport-ws and completes the handshake with `token`.
    pub async fn ready(base: &str, token: &str) -> Self {
        let mut client = Self::connect(base, "graphql-transport-ws").await;
        client
            .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }))
            .await;
        let ack = client.json().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        client
    }

    /// A ready socket (see [`ready`](Self::ready)) subscribed to
    /// `ticketEvents` as `"t"`, checked open by a ping: the socket a test
    /// then watches being closed.
    pub async fn watching_tickets(base: &str, token: &str) -> Self {
        let mut socket = Self::ready(base, token).await;
        socket
            .subscribe("t", "subscription { ticketEvents { cursor } }", json!({}))
            .await;
        socket.send(json!({ "type": "ping" })).await;
        assert_eq!(socket.json().await["type"], "pong");
        socket
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("sent");
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// The next data message or close, skipping transport pings.
    pub async fn receive(&mut self) -> Received {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("a message in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Received::Json(serde_json::from_str(&text).expect("JSON"));
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return Received::Closed { code, reason };
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("websocket error: {e}"),
                None => panic!("websocket ended without a close frame"),
            }
        }
    }

    /// The next JSON message if one comes `within` (panics on close). For
    /// waiting until a subscription is live, never for asserting a timing.
    pub async fn try_json(&mut self, within: Duration) -> Option<Value> {
        let message = tokio::time::timeout(within, self.socket.next())
            .await
            .ok()?;
        match message {
            Some(Ok(Message::Text(text))) => Some(serde_json::from_str(&text).expect("JSON")),
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The next JSON message (panics on close).
    pub async fn json(&mut self) -> Value {
        match self.receive().await {
            Received::Json(value) => value,
            closed => panic!("expected a message, got {closed:?}"),
        }
    }

    /// The next `next` payload's `data` for operation `id`.
    pub async fn next_data(&mut self, id: &str) -> Value {
        let message = self.json().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        assert!(message["payload"].get("errors").is_none(), "{message}");
        message["payload"]["data"].clone()
    }

    /// Asserts the server closes with `code`; returns the reason.
    pub async fn expect_close(&mut self, code: u16) -> String {
        match self.receive().await {
            Received::Closed { code: got, reason } => {
                assert_eq!(got, code, "closed with {got} ({reason})");
                reason
            }
            Received::Json(value) => panic!("expected close {code}, got {value}"),
        }
    }
}
