//! Event cursors: the opaque strings subscriptions and webhooks carry, and
//! `after` arguments take, standing for an event's number in its workspace.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const CURSOR_PREFIX: &str = "event:";

/// The opaque cursor of the event numbered `seq` in its workspace: the same
/// string subscriptions carry and take as `after`.
pub fn event_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{seq}"))
}

/// The event number in a cursor, if it is one.
pub fn parse_cursor(cursor: &str) -> Option<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX)?.parse::<i64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(parse_cursor(&event_cursor(42)), Some(42));
        assert_eq!(parse_cursor("42"), None);
        assert_eq!(parse_cursor(&URL_SAFE_NO_PAD.encode("Deal:42")), None);
    }
}
