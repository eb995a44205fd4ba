//! Which numbers of a request a double cannot hold as written.
//!
//! JSON and GraphQL parsers read a number into a double before any scalar
//! sees it, so by the time `Decimal` gets `0.10000000000000001` it is the
//! double nearest 0.1, and the client's last digits are gone. The only place
//! they still exist is the request's text. This module reads that text
//! (the JSON body or websocket message, and the document), keeps the
//! doubles of the numbers whose written value differs from the double's,
//! and lets `Decimal`'s input check ask whether the double it was given came
//! from such a number: then it refuses instead of rounding (issue 15, item
//! 12). Other scalars are not concerned: a `Float` is a double by definition.
//!
//! The set travels with the request (`Request::data`) from where the text
//! is read to [`super::guard`], which makes it the task's for the time the
//! request is validated and run.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_graphql::{BatchRequest, Request};
use futures_util::Stream;

tokio::task_local! {
    static INEXACT: Inexact;
}

/// The bit patterns of the doubles that stand for numbers written with
/// more precision than a double keeps.
#[derive(Clone, Default, Debug)]
pub struct Inexact(Arc<HashSet<u64>>);

impl Inexact {
    /// The inexact numbers of a JSON text, outside its strings.
    pub fn in_json(text: &[u8]) -> Self {
        let mut found = HashSet::new();
        scan(text, Syntax::Json, &mut found);
        Self(Arc::new(found))
    }

    /// Attaches these numbers to `request`, for [`Inexact::of`].
    pub fn attach(&self, request: Request) -> Request {
        request.data(self.clone())
    }

    /// Attaches these numbers to every request of `batch` (one body's).
    pub fn attach_batch(&self, batch: BatchRequest) -> BatchRequest {
        match batch {
            BatchRequest::Single(request) => BatchRequest::Single(self.attach(request)),
            BatchRequest::Batch(requests) => {
                BatchRequest::Batch(requests.into_iter().map(|r| self.attach(r)).collect())
            }
        }
    }

    /// The numbers attached to `request`, with those of its own document.
    pub fn of(request: &Request) -> Self {
        let attached = request
            .data
            .get(&std::any::TypeId::of::<Self>())
            .and_then(|value| value.downcast_ref::<Self>());
        let mut found = attached.map(|set| (*set.0).clone()).unwrap_or_default();
        scan(request.query.as_bytes(), Syntax::GraphQl, &mut found);
        Self(Arc::new(found))
    }

    /// Runs `future` with this set as the task's.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        INEXACT.scope(self, future).await
    }

    /// Polls `stream` with this set as the task's.
    pub fn scope_stream<S: Stream + Unpin>(self, stream: S) -> Scoped<S> {
        Scoped { set: self, stream }
    }
}

/// Whether `float` is the double of a number the current request wrote
/// more precisely than a double keeps.
pub fn is_inexact(float: f64) -> bool {
    INEXACT
        .try_with(|set| set.0.contains(&float.to_bits()))
        .unwrap_or(false)
}

/// A stream polled with an [`Inexact`] set as the task's.
pub struct Scoped<S> {
    set: Inexact,
    stream: S,
}

impl<S: Stream + Unpin> Stream for Scoped<S> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = self.get_mut();
        let set = this.set.clone();
        INEXACT.sync_scope(set, || Pin::new(&mut this.stream).poll_next(cx))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Json,
    GraphQl,
}

/// Adds to `found` the double of every number in `text` (outside strings,
/// and in GraphQL outside comments and names) that does not hold it exactly.
fn scan(text: &[u8], syntax: Syntax, found: &mut HashSet<u64>) {
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        if byte == b'"' {
            i = skip_string(text, i, syntax);
        } else if syntax == Syntax::GraphQl && byte == b'#' {
            while i < text.len() && text[i] != b'\n' {
                i += 1;
            }
        } else if syntax == Syntax::GraphQl && is_name_byte(byte) && !byte.is_ascii_digit() {
            // A name, digits included (`field2`), is not a number.
            while i < text.len() && is_name_byte(text[i]) {
                i += 1;
            }
        } else if byte == b'-' || byte.is_ascii_digit() {
            let start = i;
            i += 1;
            while i < text.len() && is_number_byte(text[i]) {
                i += 1;
            }
            if let Ok(token) = std::str::from_utf8(&text[start..i])
                && let Some(float) = inexact(token)
            {
                found.insert(float.to_bits());
            }
        } else {
            i += 1;
        }
    }
}

/// The index after the string starting at `start` (a GraphQL block string
/// `"""…"""` included).
fn skip_string(text: &[u8], start: usize, syntax: Syntax) -> usize {
    if syntax == Syntax::GraphQl && text[start..].starts_with(b"\"\"\"") {
        let mut i = start + 3;
        while i < text.len() {
            if text[i] == b'\\' && text[i + 1..].starts_with(b"\"\"\"") {
                i += 4;
            } else if text[i..].starts_with(b"\"\"\"") {
                return i + 3;
            } else {
                i += 1;
            }
        }
        return i;
    }
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

fn is_number_byte(byte: u8) -> bool {
    byte.is_ascii_digit() || matches!(byte, b'.' | b'e' | b'E' | b'+' | b'-')
}

/// The double of `token` when it does not equal the number written.
fn inexact(token: &str) -> Option<f64> {
    let float: f64 = token.parse().ok()?;
    if !float.is_finite() {
        return None;
    }
    let written = Digits::of(token)?;
    let held = Digits::of(&format!("{float:e}"))?;
    (written != held).then_some(float)
}

/// A decimal number as sign, significant digits and the power of ten of
/// the last digit, so that two spellings of one value compare equal.
#[derive(PartialEq, Debug)]
struct Digits {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Digits {
    fn of(text: &str) -> Option<Self> {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, power) = match text.split_once(['e', 'E']) {
            Some((mantissa, power)) => (mantissa, power.parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let all = format!("{whole}{fraction}");
        let digits = all.trim_start_matches('0');
        let trimmed = digits.trim_end_matches('0');
        if trimmed.is_empty() {
            return Some(Self {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        let dropped = i64::try_from(digits.len() - trimmed.len()).ok()?;
        let fraction_len = i64::try_from(fraction.len()).ok()?;
        Some(Self {
            negative,
            digits: trimmed.to_owned(),
            exponent: power - fraction_len + dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, syntax: Syntax) -> Vec<f64> {
        let mut set = HashSet::new();
        scan(text.as_bytes(), syntax, &mut set);
        let mut floats: Vec<f64> = set.into_iter().map(f64::from_bits).collect();
        floats.sort_by(f64::total_cmp);
        floats
    }

    #[test]
    fn numbers_a_double_holds_are_exact() {
        let json = r#"{"a": 0.1, "b": 1.50, "c": 12, "d": -3e2, "e": 0.30000000000000004, "f": 1e-7, "g": 0}"#;
        assert!(found(json, Syntax::Json).is_empty());
    }

    #[test]
    fn longer_numbers_are_found_outside_strings() {
        let json = r#"{"amount": 0.10000000000000001, "note": "0.10000000000000001", "n": 12345678901234567890123}"#;
        assert_eq!(found(json, Syntax::Json), [0.1, 1.2345678901234568e22]);
    }

    #[test]
    fn graphql_names_comments_and_strings_are_not_numbers() {
        let document = "# 0.10000000000000001\nquery q2 { f(a: \"0.10000000000000001\", b: \"\"\"0.10000000000000001\"\"\") f2: g(x: -0.10000000000000001) }";
        assert_eq!(found(document, Syntax::GraphQl), [-0.1]);
    }
}
