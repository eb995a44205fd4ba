//! Paging through GraphQL: what a connection field costs in the complexity
//! limit. Paging itself (arguments, sort keys, cursors, the one statement
//! per level) is the core's `store::page`.

pub use rapport_core::store::page::*;

/// What a connection field costs in the complexity limit: its page size
/// (as asked, else the default, at most the cap) times what each row selects.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let rows = first
        .or(last)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    1 + usize::try_from(rows).unwrap_or(1) * child_complexity
}
