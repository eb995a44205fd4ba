//! Bounds on a document's shape that hold before anything recursive or
//! exponential touches it.
//!
//! The parser, the validator and the cost analysis all recurse: a value
//! nested a few thousand brackets deep overflowed a worker's stack (one
//! request stopped every tenant's service), and a chain of fragments that
//! each spread the next one twice was walked 2^n times by validation before
//! the complexity limit could refuse it. Both are refused here, with work
//! linear in the document's length:
//!
//! - [`nesting`] scans the text once and counts open brackets (`{ [ (`)
//!   outside strings and comments, so no recursive descent ever sees more
//!   than [`MAX_NESTING`] levels;
//! - [`expanded_fields`] counts the fields the document selects once every
//!   fragment spread is replaced by its fragment, computing each fragment's
//!   size once (memoised), so a bomb is measured in one pass.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Value as ConstValue};

/// Brackets that may be open at once: a selection 20 levels deep (the depth
/// limit) with filter values nested a dozen levels inside it stays far below.
pub const MAX_NESTING: usize = 64;

/// Fragment spreads followed inside one another before the walk stops
/// (async-graphql's own recursion limit for fragments is 32).
const MAX_SPREAD_DEPTH: usize = 32;

/// The deepest bracket nesting of `query`, stopping as soon as it passes
/// `limit` (the rest of the document is not read).
///
/// Strings (`"…"` with escapes, `"""…"""` block strings) and comments
/// (`# …` to the end of the line) are skipped, so brackets inside them do
/// not count. A document with unbalanced brackets is left to the parser.
pub fn nesting(query: &str, limit: usize) -> usize {
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped triple quote inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// The deepest nesting of objects and lists in a variable's value (a
/// scalar is 0), walked without recursion.
pub fn value_nesting(value: &ConstValue) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            ConstValue::List(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            ConstValue::Object(map) => stack.extend(map.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// Why a document's fragments cannot be expanded safely.
#[derive(Debug, PartialEq, Eq)]
pub enum Expansion {
    /// More than the limit of fields once spread.
    TooLarge,
    /// This fragment spreads itself (directly or through others); validation
    /// would walk the cycle to its recursion limit, exponentially.
    Cycle(String),
    /// Fragments spread inside one another deeper than validation accepts.
    TooDeep,
}

/// How many fields the document's operations select once every fragment
/// spread is expanded, or why it cannot be counted. Each fragment is sized
/// once, and counting stops a little past `limit`.
pub fn expanded_fields(document: &ExecutableDocument, limit: usize) -> Result<usize, Expansion> {
    let mut sizes = Sizes {
        document,
        known: HashMap::new(),
        cap: limit.saturating_add(1),
    };
    let mut total = 0usize;
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(sizes.of_set(&operation.node.selection_set, 0)?);
        if total > limit {
            return Err(Expansion::TooLarge);
        }
    }
    Ok(total)
}

struct Sizes<'a> {
    document: &'a ExecutableDocument,
    /// Expanded size per fragment; `None` while it is being sized.
    known: HashMap<&'a Name, Option<usize>>,
    cap: usize,
}

impl<'a> Sizes<'a> {
    fn of_set(
        &mut self,
        set: &'a Positioned<SelectionSet>,
        spreads: usize,
    ) -> Result<usize, Expansion> {
        let mut total = 0usize;
        for item in &set.node.items {
            let size = match &item.node {
                Selection::Field(field) => {
                    1usize.saturating_add(self.of_set(&field.node.selection_set, spreads)?)
                }
                Selection::InlineFragment(fragment) => {
                    self.of_set(&fragment.node.selection_set, spreads)?
                }
                Selection::FragmentSpread(spread) => {
                    self.of_fragment(&spread.node.fragment_name.node, spreads + 1)?
                }
            };
            total = total.saturating_add(size);
            if total >= self.cap {
                return Err(Expansion::TooLarge);
            }
        }
        Ok(total)
    }

    fn of_fragment(&mut self, name: &'a Name, spreads: usize) -> Result<usize, Expansion> {
        match self.known.get(name) {
            Some(Some(size)) => return Ok(*size),
            Some(None) => return Err(Expansion::Cycle(name.to_string())),
            None => {}
        }
        if spreads > MAX_SPREAD_DEPTH {
            return Err(Expansion::TooDeep);
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            // Unknown fragments are validation's to report.
            return Ok(0);
        };
        self.known.insert(name, None);
        let size = self.of_set(&fragment.node.selection_set, spreads)?;
        self.known.insert(name, Some(size));
        Ok(size)
    }
}

/// How many of the fields written in the document (in every operation and
/// fragment, each written field once: fragment spreads are not followed, so
/// cycles cannot make it loop) `counts` says, summed.
pub fn count_written(document: &ExecutableDocument, counts: &dyn Fn(&Field) -> usize) -> usize {
    fn in_set(set: &Positioned<SelectionSet>, counts: &dyn Fn(&Field) -> usize) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    counts(&field.node) + in_set(&field.node.selection_set, counts)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set, counts),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set, counts))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set, counts))
        .sum();
    operations + fragments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bomb(n: usize) -> String {
        let mut document = String::from("query { ...F0 }");
        for i in 0..n {
            document.push_str(&format!(
                " fragment F{i} on Query {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        document.push_str(&format!(" fragment F{n} on Query {{ me {{ id }} }}"));
        document
    }

    #[test]
    fn nesting_counts_brackets_outside_strings_and_comments() {
        assert_eq!(nesting("{ a(x: [1, {b: 2}]) { c } }", 100), 4);
        assert_eq!(nesting("{ a(x: \"{{{[[[\") }", 100), 2);
        assert_eq!(nesting("{ a(x: \"\\\"{{{\") }", 100), 2);
        assert_eq!(nesting("{ a(x: \"\"\"{{{ \\\"\"\" {{ \"\"\") }", 100), 2);
        assert_eq!(nesting("# {{{{\n{ a }", 100), 1);
        let deep = format!("{{ a(x: {}{}) }}", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(nesting(&deep, 64), 65, "stops just past the limit");
    }

    #[test]
    fn value_nesting_needs_no_recursion() {
        let mut value = ConstValue::from(1);
        for _ in 0..100_000 {
            value = ConstValue::List(vec![value]);
        }
        assert_eq!(value_nesting(&value), 100_000);
        // Dropping a deep value recurses: unwind it by hand.
        while let ConstValue::List(mut items) = value {
            value = items.pop().unwrap_or_default();
        }
    }

    #[test]
    fn a_fragment_bomb_is_sized_once_per_fragment() {
        let document = async_graphql::parser::parse_query(bomb(30)).unwrap();
        assert_eq!(expanded_fields(&document, 2_000), Err(Expansion::TooLarge));
        let document = async_graphql::parser::parse_query(bomb(3)).unwrap();
        assert_eq!(
            expanded_fields(&document, 2_000),
            Ok(16),
            "8 copies of `me {{ id }}`"
        );
        let mut chain = String::from("{ ...F0 }");
        for i in 0..40 {
            chain.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
        }
        chain.push_str(" fragment F40 on Query { me { id } }");
        let document = async_graphql::parser::parse_query(chain).unwrap();
        assert_eq!(expanded_fields(&document, 2_000), Err(Expansion::TooDeep));
    }

    #[test]
    fn cycles_are_refused_and_unknown_fragments_left_to_validation() {
        let document = async_graphql::parser::parse_query(
            "{ ...A } fragment A on Query { me { id } ...B ...B } fragment B on Query { ...A ...A }",
        )
        .unwrap();
        assert_eq!(
            expanded_fields(&document, 2_000),
            Err(Expansion::Cycle("A".into()))
        );
        let document = async_graphql::parser::parse_query("{ me { id } ...Z }").unwrap();
        assert_eq!(expanded_fields(&document, 2_000), Ok(2));
    }
}
