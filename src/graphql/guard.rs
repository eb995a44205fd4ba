//! Refusing hostile documents before they run, and giving every error a code.
//!
//! async-graphql limits depth, complexity and directives itself; this
//! extension adds an alias limit and puts an `extensions.code` on the errors
//! async-graphql raises without one (parse, validation, limits), so that a
//! client can always tell what went wrong by its code.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Response, ServerError, ServerResult, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

/// The extension's settings.
pub struct Guard {
    pub max_aliases: usize,
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension {
            max_aliases: self.max_aliases,
        })
    }
}

struct GuardExtension {
    max_aliases: usize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        add_codes(&mut response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut response| {
                add_codes(&mut response);
                response
            })
            .boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let aliases = count_aliases(&document);
        if aliases > self.max_aliases {
            let mut error = ServerError::new(
                format!(
                    "the document has {aliases} aliases; at most {} are allowed",
                    self.max_aliases
                ),
                None,
            );
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", "TOO_MANY_ALIASES");
            return Err(error);
        }
        Ok(document)
    }
}

/// Aliased fields in every operation and fragment of the document (each
/// written alias once, so fragment cycles cannot make it loop).
fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set))
        .sum();
    operations + fragments
}

/// Puts a code on each error that has none.
pub fn add_codes(response: &mut Response) {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let code = code_for(error);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
}

fn code_for(error: &ServerError) -> &'static str {
    let message = error.message.as_str();
    if message.starts_with("Query is nested too deep") {
        "QUERY_TOO_DEEP"
    } else if message.starts_with("Query is too complex") {
        "QUERY_TOO_COMPLEX"
    } else if message.starts_with("The number of directives") {
        "TOO_MANY_DIRECTIVES"
    } else if message.contains("= expected") || message.starts_with(" -->") {
        "GRAPHQL_PARSE_FAILED"
    } else if error.path.is_empty() {
        "GRAPHQL_VALIDATION_FAILED"
    } else {
        // Resolver errors carry their own code; what is left is an argument
        // that could not be read as its type.
        "BAD_USER_INPUT"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments_once() {
        let document = async_graphql::parser::parse_query(
            "query { a: me { id } b: me { ...F ...F } } fragment F on Member { c: id d: name }",
        )
        .unwrap();
        assert_eq!(count_aliases(&document), 4);
    }
}
