//! How a connection ends: the close codes, and the closing handshake.

use axum::extract::ws::{CloseFrame, Message, WebSocket};

use super::protocol;

/// How long a closing server waits for the client's close frame.
const CLOSE_HANDSHAKE: std::time::Duration = std::time::Duration::from_secs(1);

/// Close codes (graphql-transport-ws PROTOCOL.md, and RFC 6455 for 1012).
pub mod code {
    pub const INVALID_MESSAGE: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;
    pub const SERVICE_RESTART: u16 = 1012;
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// The database could not check the credential: reconnect shortly.
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

/// Why the connection ends.
pub enum End {
    /// Close with this code and reason.
    Close(u16, String),
    /// The peer is gone.
    Gone,
    /// The peer closed first: send back the close reply tungstenite queued.
    PeerClosed,
    /// The peer sent a message over the limit, which tungstenite stopped
    /// reading: close with 1009.
    TooBig,
}

/// Sends the close frame `end` calls for and finishes the closing handshake.
pub async fn finish(socket: &mut WebSocket, end: End) {
    match end {
        End::TooBig => {
            let frame = CloseFrame {
                code: code::MESSAGE_TOO_BIG,
                reason: "message too big".into(),
            };
            if socket.send(Message::Close(Some(frame))).await.is_ok() {
                // tungstenite reads nothing more after an oversized message,
                // so the client's close reply cannot be awaited; closing the
                // TCP connection with its unread bytes would reset it, which
                // can discard the close frame. Give the client time to read it.
                tokio::time::sleep(CLOSE_HANDSHAKE).await;
            }
        }
        End::Close(code, reason) => {
            let frame = CloseFrame {
                code,
                reason: protocol::close_reason(&reason).into(),
            };
            if socket.send(Message::Close(Some(frame))).await.is_ok() {
                // Finish the closing handshake (RFC 6455 §7.1.1): dropping the
                // socket while the client's frames are unread makes the kernel
                // reset the connection, and a reset can discard our close frame
                // before the client reads it.
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
            let _ = futures_util::SinkExt::flush(socket).await;
        }
        End::Gone => {}
    }
}

/// Whether reading failed because the message was over the size limit.
pub fn too_big(error: &axum::Error) -> bool {
    // axum's error is a wrapper whose source is tungstenite's.
    let source = std::error::Error::source(error);
    matches!(
        source.and_then(|e| e.downcast_ref::<tungstenite::Error>()),
        Some(tungstenite::Error::Capacity(_))
    )
}
