//! At most [`MAX_PER_REQUEST`] password check per request. Each `login` or
//! `acceptInvitation` field runs one Argon2 hash (about 19 MiB, tens of
//! milliseconds); aliased or batched, one request ran 300 of them in 5.4 s.
//! A request that writes more is refused whole before anything runs, so
//! nothing is hashed and no lockout count moves.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError};

/// Password-checking fields one request (a document, or a whole batch) may hold.
pub const MAX_PER_REQUEST: usize = 1;
/// The fields that hash a password.
const HASHING_FIELDS: [&str; 2] = ["login", "acceptInvitation"];

/// Password-checking fields written in the request's document: in every
/// operation and fragment, each written field once (a field that appears
/// twice under one response key runs once, so this never counts too few).
/// A document that does not parse has none (it never runs), nor has one
/// nested too deep to parse safely (the guard refuses it).
pub fn count(request: &mut Request) -> usize {
    if super::bounds::nesting(&request.query, super::bounds::MAX_NESTING)
        > super::bounds::MAX_NESTING
    {
        return 0;
    }
    request.parsed_query().map_or(0, in_document)
}

/// The refusal of a request with `found` password-checking fields.
pub fn refusal(found: usize) -> ServerError {
    let mut error = ServerError::new(
        format!(
            "the request checks {found} passwords (login, acceptInvitation); at most {MAX_PER_REQUEST} is allowed"
        ),
        None,
    );
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", "TOO_MANY_PASSWORD_CHECKS");
    error
}

fn in_document(document: &ExecutableDocument) -> usize {
    super::bounds::count_written(document, &|field| {
        usize::from(HASHING_FIELDS.contains(&field.name.node.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counted(query: &str) -> usize {
        count(&mut Request::new(query))
    }

    #[test]
    fn hashing_fields_are_counted_wherever_they_are_written() {
        assert_eq!(
            counted("mutation { login(email: \"a\", password: \"b\") { token } }"),
            1
        );
        assert_eq!(
            counted(
                "mutation { a: login(email: \"a\", password: \"b\") { token } b: login(email: \"a\", password: \"c\") { token } }"
            ),
            2
        );
        assert_eq!(
            counted(
                "mutation { ... on Mutation { login(email: \"a\", password: \"b\") { token } } ...F } fragment F on Mutation { x: acceptInvitation(workspaceId: \"w\", email: \"a\", code: \"c\", password: \"p\") { token } }"
            ),
            2
        );
        assert_eq!(counted("query { me { id } }"), 0);
        assert_eq!(counted("mutation { login("), 0);
    }
}
