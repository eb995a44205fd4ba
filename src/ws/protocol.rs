//! The two GraphQL-over-websocket protocols: reading client messages and
//! writing server messages.
//!
//! `graphql-transport-ws` is the current one (graphql-ws ≥ 5, urql, Apollo
//! Client 3.5+); `graphql-ws` is the legacy subscriptions-transport-ws
//! protocol that older Apollo clients speak. They differ mostly in names.

use serde_json::{Value, json};

use crate::graphql::exact_numbers::Inexact;

/// The subprotocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`.
    TransportWs,
    /// `graphql-ws` (subscriptions-transport-ws).
    Legacy,
}

impl Protocol {
    pub const TRANSPORT_WS: &'static str = "graphql-transport-ws";
    pub const LEGACY: &'static str = "graphql-ws";

    /// The protocol named in the handshake; a client that names none gets
    /// the current one.
    pub fn from_header(selected: Option<&str>) -> Self {
        match selected {
            Some(Self::LEGACY) => Self::Legacy,
            _ => Self::TransportWs,
        }
    }
}

/// What a client may send.
#[derive(Debug)]
pub enum ClientMessage {
    Init(Option<Value>),
    Subscribe {
        id: String,
        request: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
    Ping(Option<Value>),
    Pong,
    /// Legacy `connection_terminate`.
    Terminate,
}

/// Parses one text message; the error is the close reason for 4400.
pub fn parse(protocol: Protocol, text: &str) -> Result<ClientMessage, String> {
    let value: Value = serde_json::from_str(text).map_err(|_| "message is not JSON".to_owned())?;
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| "message has no type".to_owned())?;
    let id = || -> Result<String, String> {
        match value.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Ok(id.to_owned()),
            _ => Err(format!("{} needs a non-empty string id", short(kind))),
        }
    };
    let payload = value.get("payload").filter(|p| !p.is_null()).cloned();
    match (protocol, kind) {
        (_, "connection_init") => match payload {
            None | Some(Value::Object(_)) => Ok(ClientMessage::Init(payload)),
            Some(_) => Err("connection_init payload must be an object".into()),
        },
        (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
            let id = id()?;
            let request = payload
                .and_then(|p| serde_json::from_value::<async_graphql::Request>(p).ok())
                .filter(|request| !request.query.trim().is_empty())
                .map(|request| Inexact::in_json(text.as_bytes()).attach(request))
                .ok_or_else(|| format!("{} payload needs a query", short(kind)))?;
            Ok(ClientMessage::Subscribe {
                id,
                request: Box::new(request),
            })
        }
        (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
            Ok(ClientMessage::Complete { id: id()? })
        }
        (Protocol::TransportWs, "ping") => Ok(ClientMessage::Ping(payload)),
        (Protocol::TransportWs, "pong") => Ok(ClientMessage::Pong),
        (Protocol::Legacy, "connection_terminate") => Ok(ClientMessage::Terminate),
        _ => Err(format!("unknown message type {}", short(kind))),
    }
}

/// A client-chosen string cut short enough to quote in a close reason.
fn short(text: &str) -> String {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// A close reason cut to the 123 bytes a close frame can carry.
pub fn close_reason(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

/// `connection_ack`.
pub fn ack() -> String {
    json!({ "type": "connection_ack" }).to_string()
}

/// `pong`, echoing the ping's payload.
pub fn pong(payload: Option<Value>) -> String {
    match payload {
        Some(payload) => json!({ "type": "pong", "payload": payload }),
        None => json!({ "type": "pong" }),
    }
    .to_string()
}

/// The legacy protocol's keep-alive.
pub fn keep_alive() -> String {
    json!({ "type": "ka" }).to_string()
}

/// A result of operation `id`.
pub fn next(protocol: Protocol, id: &str, response: &async_graphql::Response) -> String {
    let kind = match protocol {
        Protocol::TransportWs => "next",
        Protocol::Legacy => "data",
    };
    json!({ "type": kind, "id": id, "payload": response }).to_string()
}

/// [`next`] with a payload encoded once for many subscribers.
pub fn encoded_next(protocol: Protocol, id: &str, payload: &str) -> String {
    let kind = match protocol {
        Protocol::TransportWs => "next",
        Protocol::Legacy => "data",
    };
    framed(kind, id, payload)
}

/// [`error`] with errors encoded once for many subscribers.
pub fn encoded_error(id: &str, errors: &str) -> String {
    framed("error", id, errors)
}

/// `{"id":…,"payload":…,"type":…}`, the key order `json!` gives the others.
fn framed(kind: &str, id: &str, payload: &str) -> String {
    let id = Value::String(id.to_owned());
    format!(r#"{{"id":{id},"payload":{payload},"type":"{kind}"}}"#)
}

/// Operation `id` failed before it ran (parse or validation errors).
pub fn error(id: &str, errors: &[async_graphql::ServerError]) -> String {
    json!({ "type": "error", "id": id, "payload": errors }).to_string()
}

/// Operation `id` is finished.
pub fn complete(id: &str) -> String {
    json!({ "type": "complete", "id": id }).to_string()
}

/// The legacy protocol's refusal of `connection_init`.
pub fn connection_error(message: &str) -> String {
    json!({ "type": "connection_error", "payload": { "message": message } }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_each_protocol_are_read_by_their_own_names() {
        let subscribe = r#"{"type":"subscribe","id":"1","payload":{"query":"{ me { id } }"}}"#;
        assert!(matches!(
            parse(Protocol::TransportWs, subscribe),
            Ok(ClientMessage::Subscribe { .. })
        ));
        assert!(parse(Protocol::Legacy, subscribe).is_err());
        let start = r#"{"type":"start","id":"1","payload":{"query":"{ me { id } }"}}"#;
        assert!(matches!(
            parse(Protocol::Legacy, start),
            Ok(ClientMessage::Subscribe { .. })
        ));
        assert!(matches!(
            parse(Protocol::Legacy, r#"{"type":"stop","id":"1"}"#),
            Ok(ClientMessage::Complete { .. })
        ));
    }

    #[test]
    fn malformed_messages_are_refused_with_a_short_reason() {
        for text in [
            "not json",
            r#"{"id":"1"}"#,
            r#"{"type":"subscribe","payload":{"query":"{ me { id } }"}}"#,
            r#"{"type":"subscribe","id":"1","payload":{}}"#,
            r#"{"type":"connection_init","payload":"token"}"#,
        ] {
            assert!(parse(Protocol::TransportWs, text).is_err(), "{text}");
        }
        let long = format!(r#"{{"type":"{}"}}"#, "x".repeat(500));
        let reason = parse(Protocol::TransportWs, &long).unwrap_err();
        assert!(reason.len() <= 123);
        assert!(close_reason(&"é".repeat(100)).len() <= 123);
    }
}
