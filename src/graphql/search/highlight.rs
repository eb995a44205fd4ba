//! Which text of a found record matched, with the match marked: the query
//! itself where the text contains it, else the words within one letter of
//! it (the slips search forgives). Marks are `<mark>…</mark>` around
//! HTML-escaped text, so a client can render `highlighted` as it is.

/// A searched field of a found record and how it matched.
#[derive(async_graphql::SimpleObject, Debug, Clone, PartialEq)]
pub struct SearchMatch {
    /// The field, as the API names it (`firstName`, `subject`, `number`…;
    /// a custom field as `customFields.<key>`).
    pub field: String,
    /// Its text.
    pub text: String,
    /// The text HTML-escaped, the matching part in `<mark>…</mark>`.
    pub highlighted: String,
}

/// The fields of `values` (API name, text) that match `query` (lower-case).
pub fn matches<S: AsRef<str>>(values: &[(S, Option<String>)], query: &str) -> Vec<SearchMatch> {
    values
        .iter()
        .filter_map(|(field, text)| {
            let text = text.as_deref()?;
            let spans = spans(text, query);
            (!spans.is_empty()).then(|| SearchMatch {
                field: field.as_ref().to_owned(),
                text: text.to_owned(),
                highlighted: marked(text, &spans),
            })
        })
        .collect()
}

/// Byte ranges of `text` to mark.
fn spans(text: &str, query: &str) -> Vec<(usize, usize)> {
    let lower = text.to_lowercase();
    // Lower-casing can change lengths (rarely): mark nothing rather than
    // cut a character.
    if lower.len() != text.len() {
        return Vec::new();
    }
    let exact: Vec<(usize, usize)> = lower
        .match_indices(query)
        .map(|(at, found)| (at, at + found.len()))
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    words(&lower)
        .filter(|(_, word)| near(word, query))
        .map(|(at, word)| (at, at + word.len()))
        .collect()
}

/// The words of `text` (runs of letters and digits) with their offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// Whether `word`, or its start as long as the query, is within one letter
/// (changed, dropped or added) of `query`.
fn near(word: &str, query: &str) -> bool {
    let q: Vec<char> = query.chars().collect();
    let w: Vec<char> = word.chars().collect();
    if q.len() < 3 {
        return false;
    }
    let start: Vec<char> = w.iter().take(q.len()).copied().collect();
    edits(&w, &q) <= 1 || edits(&start, &q) <= 1
}

/// Levenshtein distance.
fn edits(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            current.push(best);
        }
        previous = current;
    }
    previous[b.len()]
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` escaped, with `spans` (sorted, not overlapping) marked.
fn marked(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (start, end) in spans {
        if *start < at {
            continue;
        }
        out.push_str(&escape(&text[at..*start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[*start..*end]));
        out.push_str("</mark>");
        at = *end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_or_a_near_word_is_marked() {
        let found = matches(&[("name", Some("Acme <Corp>".into()))], "acm");
        assert_eq!(found[0].highlighted, "<mark>Acm</mark>e &lt;Corp&gt;");
        let slip = matches(&[("name", Some("The Acme Co".into()))], "acne");
        assert_eq!(slip[0].highlighted, "The <mark>Acme</mark> Co");
        assert!(matches(&[("name", Some("Zenith".into())), ("domain", None)], "acne").is_empty());
        assert_eq!(edits(&['k', 'i', 't'], &['s', 'i', 't', 's']), 2);
    }
}
