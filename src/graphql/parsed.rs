//! Parsed documents, kept by their text: an operation a client repeats
//! (every persisted query, every app's fixed documents) is parsed once per
//! process, and each later request starts from a copy of the parsed
//! document, which async-graphql then uses instead of parsing
//! (`Request::set_parsed_query`).
//!
//! A process-wide memo of a pure function: the parse of a text depends on
//! the text alone, not on the schema, the workspace or the caller.

use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;
use hashlink::LruCache;

/// Documents kept; the least recently used leave first.
const CAPACITY: usize = 512;

/// Texts longer than this are parsed every time: a cache of large one-off
/// documents would hold memory for nothing (an app's documents are a few
/// KiB; at most 512 × 8 KiB of text and their trees are kept).
const MAX_TEXT: usize = 8 * 1024;

static PARSED: LazyLock<Mutex<LruCache<Arc<str>, Arc<ExecutableDocument>>>> =
    LazyLock::new(|| Mutex::new(LruCache::new(CAPACITY)));

/// Gives `request` its parsed document from the cache, or parses it and
/// keeps it. Call only once the text is known to be safe to parse (its
/// bracket nesting bounded); a text that does not parse is left alone, for
/// execution to report.
pub fn reuse(request: &mut Request) {
    if request.query.len() > MAX_TEXT {
        return;
    }
    let cached = PARSED
        .lock()
        .ok()
        .and_then(|mut parsed| parsed.get(request.query.as_str()).cloned());
    if let Some(document) = cached {
        request.set_parsed_query(ExecutableDocument::clone(&document));
        return;
    }
    let Ok(document) = request.parsed_query() else {
        return;
    };
    let document = Arc::new(document.clone());
    if let Ok(mut parsed) = PARSED.lock() {
        parsed.insert(Arc::from(request.query.as_str()), document);
    }
}

/// The parsed document of `text`, from the cache when it is there.
pub fn parse(text: &str) -> Option<Arc<ExecutableDocument>> {
    let mut request = Request::new(text);
    reuse(&mut request);
    let cached = PARSED.lock().ok()?.get(text).cloned();
    cached.or_else(|| request.parsed_query().ok().cloned().map(Arc::new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_parsed_once_and_then_reused() {
        let text = "query ParsedOnce { me { id } }";
        let mut first = Request::new(text);
        reuse(&mut first);
        let kept = PARSED.lock().expect("cache").get(text).cloned();
        let kept = kept.expect("kept after the first parse");
        let mut second = Request::new(text);
        reuse(&mut second);
        let reused = second.parsed_query().expect("parsed");
        assert_eq!(format!("{reused:?}"), format!("{kept:?}"));
        assert!(parse("{ unclosed").is_none());
    }
}
