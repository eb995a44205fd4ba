//! GraphQL over websockets at `GET /graphql`: `graphql-transport-ws` and the
//! legacy `graphql-ws`, served by our own connection loop rather than
//! async-graphql's, which gets several of the protocol's close codes wrong:
//! it never closes a socket that sends no `connection_init`, closes 1011
//! instead of 4401 on a subscribe before the acknowledgement, 1002 instead of
//! 4400 on malformed JSON, silently replaces a duplicate id (4409), and
//! answers validation errors with `next` + `complete` instead of `error`.

mod close;
mod connection;
mod init;
mod kind;
mod protocol;
mod running;
pub mod shared;
pub mod slots;

use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;

pub use protocol::Protocol;
pub use shared::Hub;
pub use slots::Slots;

use crate::graphql::RapportSchema;
use crate::state::AppState;

/// Bytes read from the socket at a time (the buffer grows for a larger
/// message). tungstenite's default allocates 128 KiB per connection up
/// front; an idle subscriber needs almost nothing (4 → 1 KiB and the boxed
/// queries in `events::subscriber` took RSS per idle subscriber from about
/// 53 to 43 KiB, BENCHMARKS.md).
const READ_BUFFER: usize = 1024;

/// Accepts the upgrade and serves the connection on its own task, which the
/// server waits for (closing it with 1012) when it stops. `address` is the
/// client's (behind trusted proxies, the forwarded one).
pub fn upgrade(
    upgrade: WebSocketUpgrade,
    state: AppState,
    schema: RapportSchema,
    address: Option<std::net::IpAddr>,
) -> Response {
    // Larger messages and frames are not read: the connection closes 1009.
    let max_message = state.config.max_ws_message_bytes;
    upgrade
        .protocols([Protocol::TRANSPORT_WS, Protocol::LEGACY])
        .read_buffer_size(READ_BUFFER)
        // Write each message out at once instead of collecting 128 KiB first.
        .write_buffer_size(0)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            let protocol = Protocol::from_header(socket.protocol().and_then(|p| p.to_str().ok()));
            let tracker = state.websockets.clone();
            let clock = state.config.clock.clone();
            let connection = connection::serve(socket, protocol, state, schema, address);
            tracker.track_future(crate::clock::scope(clock, connection))
        })
}
