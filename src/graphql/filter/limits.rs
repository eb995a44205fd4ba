//! The size limits of a `filter` argument, checked before any SQL is built.
//!
//! Without them an oversized filter reached the database and came back as
//! `INTERNAL`: bind-parameter limits (about 32,766 on SQLite, 65,535 on
//! PostgreSQL), SQLite's expression-depth limit on long `and`/`or` arrays,
//! PostgreSQL's refusal of NUL bytes in text (which SQLite instead cut short,
//! matching every row). Each limit answers `BAD_USER_INPUT` naming the input
//! path, the same on both databases. The README's "Limits" table lists them.

use async_graphql::Value;

use super::relation::MAX_RELATION_HOPS;
use super::{FilterNode, RecordFilter};
use crate::graphql::error::{ApiError, ApiResult};

/// How deep `and`/`or`/`not` may nest (the filter itself is level 0).
pub const MAX_FILTER_DEPTH: usize = 8;
/// How many filters one `and` or `or` array may hold.
pub const MAX_FILTER_BRANCHES: usize = 100;
/// How many conditions one filter may hold in all: each operator (`eq`,
/// `contains`, `in`, `isNull`, ...) and each filter under `and`/`or`/`not`.
pub const MAX_FILTER_CONDITIONS: usize = 500;
/// How many items one `in`/`notIn` (or tag) list may hold.
pub const MAX_FILTER_LIST_ITEMS: usize = 1_000;
/// How many values one filter may bind in all (list items count one each),
/// well under either database's bind-parameter limit.
pub const MAX_FILTER_VALUES: usize = 5_000;
/// How many characters one text operand may have.
pub const MAX_FILTER_TEXT_CHARS: usize = 1_000;

/// Refuses a filter over any limit above, naming the offending input path
/// (`filter.or.3.name.contains`).
///
/// The `and`/`or`/`not` tree, and the filters of related records under it,
/// are walked first, iteratively, stopping at the depth, relation and size
/// limits, so a filter thousands of levels deep is refused without recursing
/// over it; only a tree within those bounds is then turned into input values
/// to check the operands, one filter at a time.
pub fn check<F: RecordFilter>(filter: &F) -> ApiResult<()> {
    let mut tally = Tally::default();
    for (node, path) in check_tree(filter)? {
        check_operands(node, path, &mut tally)?;
    }
    Ok(())
}

/// Every filter of the tree with its input path, within the limits.
fn check_tree(root: &dyn FilterNode) -> ApiResult<Vec<(&dyn FilterNode, String)>> {
    let mut stack: Vec<(&dyn FilterNode, usize, usize, String)> =
        vec![(root, 0, 0, "filter".to_owned())];
    let mut walked = Vec::new();
    while let Some((node, depth, hops, path)) = stack.pop() {
        if depth > MAX_FILTER_DEPTH {
            return Err(ApiError::bad_input(
                path,
                format!("and/or/not and relations nest deeper than {MAX_FILTER_DEPTH} levels"),
            ));
        }
        for (name, width) in node.widths() {
            if width > MAX_FILTER_BRANCHES {
                return Err(ApiError::bad_input(
                    format!("{path}.{name}"),
                    format!("at most {MAX_FILTER_BRANCHES} filters"),
                ));
            }
        }
        for (name, branch) in node.branches() {
            stack.push((branch, depth + 1, hops, format!("{path}.{name}")));
        }
        let related = node.related();
        if hops == MAX_RELATION_HOPS
            && let Some((name, _)) = related.first()
        {
            return Err(ApiError::bad_input(
                format!("{path}.{name}"),
                format!("crosses more than {MAX_RELATION_HOPS} relations"),
            ));
        }
        for (name, filter) in related {
            stack.push((filter, depth + 1, hops + 1, format!("{path}.{name}")));
        }
        walked.push((node, path));
        // The root is not a condition of its own.
        if walked.len() + stack.len() > MAX_FILTER_CONDITIONS + 1 {
            return Err(too_many_conditions());
        }
    }
    Ok(walked)
}

fn too_many_conditions() -> ApiError {
    ApiError::bad_input(
        "filter",
        format!("at most {MAX_FILTER_CONDITIONS} conditions in one filter"),
    )
}

/// The conditions and values counted so far across the whole filter.
#[derive(Default)]
struct Tally {
    conditions: usize,
    values: usize,
}

/// Checks the operands of one filter of a tree within the limits: its own
/// fields, leaving its `and`/`or`/`not` and related filters to their turn.
fn check_operands(node: &dyn FilterNode, path: String, tally: &mut Tally) -> ApiResult<()> {
    // Each nested filter counts as a condition, as it did in the tree walk.
    tally.conditions += usize::from(path != "filter");
    let Value::Object(mut own) = node.value() else {
        return Ok(());
    };
    for name in ["and", "or", "not"] {
        own.shift_remove(name);
    }
    for (name, _) in node.related() {
        let root = name.split('.').next().unwrap_or(&name);
        own.shift_remove(root);
    }
    let own = Value::Object(own);
    // Below a filter's fields: operator objects (field filters, and
    // `figures` with its own field filters).
    let mut stack: Vec<(&Value, String)> = vec![(&own, path)];
    while let Some((value, path)) = stack.pop() {
        let Value::Object(fields) = value else {
            continue;
        };
        for (name, value) in fields {
            let path = format!("{path}.{name}");
            match value {
                Value::Null => {}
                Value::Object(_) => stack.push((value, path)),
                operand => {
                    tally.conditions += 1;
                    if tally.conditions > MAX_FILTER_CONDITIONS {
                        return Err(too_many_conditions());
                    }
                    tally.values += check_operand(operand, &path)?;
                    if tally.values > MAX_FILTER_VALUES {
                        return Err(ApiError::bad_input(
                            "filter",
                            format!("at most {MAX_FILTER_VALUES} values in one filter"),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// Checks one operator's operand; returns how many values it binds.
fn check_operand(operand: &Value, path: &str) -> ApiResult<usize> {
    let Value::List(items) = operand else {
        check_scalar(operand, path)?;
        return Ok(1);
    };
    if items.len() > MAX_FILTER_LIST_ITEMS {
        return Err(ApiError::bad_input(
            path,
            format!("at most {MAX_FILTER_LIST_ITEMS} items"),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        check_scalar(item, &format!("{path}.{i}"))?;
    }
    Ok(items.len())
}

fn check_scalar(value: &Value, path: &str) -> ApiResult<()> {
    let Value::String(text) = value else {
        return Ok(());
    };
    if text.contains('\0') {
        return Err(ApiError::bad_input(path, "contains a NUL character"));
    }
    if text.chars().nth(MAX_FILTER_TEXT_CHARS).is_some() {
        return Err(ApiError::bad_input(
            path,
            format!("longer than {MAX_FILTER_TEXT_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::filter::StringFilter;
    use async_graphql::InputObject;

    /// A record filter shaped like the API's.
    #[derive(InputObject, Default)]
    struct Probe {
        and: Option<Vec<Probe>>,
        or: Option<Vec<Probe>>,
        not: Option<Box<Probe>>,
        name: Option<StringFilter>,
    }

    impl RecordFilter for Probe {
        fn fields(
            &self,
            _: uuid::Uuid,
            _: sea_orm::DbBackend,
        ) -> ApiResult<sea_orm::sea_query::Condition> {
            Ok(sea_orm::sea_query::Condition::all())
        }
        super::super::record_filter_composition!();
    }

    fn field_of(result: ApiResult<()>) -> String {
        match result {
            Err(ApiError(rapport_core::CoreError::BadInput { field, .. })) => field,
            other => panic!("expected BadInput, got {other:?}"),
        }
    }

    fn named(name: StringFilter) -> Probe {
        Probe {
            name: Some(name),
            ..Probe::default()
        }
    }

    #[test]
    fn a_deep_not_chain_is_refused_at_the_first_level_too_deep() {
        let mut filter = Probe::default();
        for _ in 0..5_000 {
            filter = Probe {
                not: Some(Box::new(filter)),
                ..Probe::default()
            };
        }
        let field = field_of(check(&filter));
        assert_eq!(
            field,
            format!("filter{}", ".not".repeat(MAX_FILTER_DEPTH + 1))
        );
        // Dropping 5,000 nested boxes recurses too; unwind it by hand.
        let mut next = filter.not.take();
        while let Some(mut f) = next {
            next = f.not.take();
        }
    }

    #[test]
    fn operands_are_bounded_and_named() {
        let text = |s: String| {
            named(StringFilter {
                contains: Some(s),
                ..StringFilter::default()
            })
        };
        assert!(check(&text("École".into())).is_ok());
        assert_eq!(
            field_of(check(&text("a\0b".into()))),
            "filter.name.contains"
        );
        let long = "é".repeat(MAX_FILTER_TEXT_CHARS);
        assert!(check(&text(long.clone())).is_ok());
        assert_eq!(
            field_of(check(&text(format!("{long}x")))),
            "filter.name.contains"
        );
        let listed = |n: usize| {
            named(StringFilter {
                in_: Some(vec!["x".to_owned(); n]),
                ..StringFilter::default()
            })
        };
        assert!(check(&listed(MAX_FILTER_LIST_ITEMS)).is_ok());
        assert_eq!(
            field_of(check(&listed(MAX_FILTER_LIST_ITEMS + 1))),
            "filter.name.in"
        );
        let nul_item = Probe {
            or: Some(vec![
                Probe::default(),
                named(StringFilter {
                    not_in: Some(vec!["a".into(), "\0".into()]),
                    ..StringFilter::default()
                }),
            ]),
            ..Probe::default()
        };
        assert_eq!(field_of(check(&nul_item)), "filter.or.1.name.notIn.1");
    }

    #[test]
    fn branches_conditions_and_values_are_bounded() {
        let or = |branches: Vec<Probe>| Probe {
            or: Some(branches),
            ..Probe::default()
        };
        let empties = |n: usize| (0..n).map(|_| Probe::default()).collect::<Vec<_>>();
        assert!(check(&or(empties(MAX_FILTER_BRANCHES))).is_ok());
        assert_eq!(
            field_of(check(&or(empties(MAX_FILTER_BRANCHES + 1)))),
            "filter.or"
        );
        // 6 × 100 nested filters: each array within bounds, the tree not.
        let wide = or((0..6).map(|_| or(empties(MAX_FILTER_BRANCHES))).collect());
        assert_eq!(field_of(check(&wide)), "filter");
        // 6 lists of 1,000: each within bounds, the values not.
        let lists = or((0..6)
            .map(|_| {
                named(StringFilter {
                    in_: Some(vec!["x".to_owned(); MAX_FILTER_LIST_ITEMS]),
                    ..StringFilter::default()
                })
            })
            .collect());
        assert_eq!(field_of(check(&lists)), "filter");
    }
}
