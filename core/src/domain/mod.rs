//! Domain rules for values users send: how each is checked and put into one
//! canonical form before it is stored. Plain functions, no GraphQL and no
//! database, so the rules can be unit-tested on their own and reused by every
//! resolver that accepts the same kind of value.

pub mod currency;
pub mod email;
pub mod money;
pub mod phone;
pub mod text;

/// A value a user sent that a rule refuses; the message is safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// Longest piece of user input quoted back in an error message.
const SHOWN_MAX_CHARS: usize = 40;

/// Renders user input for quoting inside an error message: cut short so a
/// huge value cannot bloat the response, and with control characters
/// replaced so the message stays on one line and cannot spoof log lines.
pub(crate) fn shown(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .take(SHOWN_MAX_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if raw.chars().count() > SHOWN_MAX_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_displays_its_message_unchanged() {
        assert_eq!(
            Invalid("must not be empty".into()).to_string(),
            "must not be empty"
        );
    }

    #[test]
    fn shown_input_is_cut_short_and_loses_control_characters() {
        assert_eq!(shown("a\nb"), "a\u{FFFD}b");
        let long = "x".repeat(100);
        assert_eq!(shown(&long), format!("{}…", "x".repeat(SHOWN_MAX_CHARS)));
    }
}
