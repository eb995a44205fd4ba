//! An export's `filter` and `orderBy`, given as JSON text in the query
//! string, read as the list's GraphQL input types.

use async_graphql::{InputType, Pos};

use crate::graphql::error::{ApiError, ApiResult};

/// `raw` (JSON text) as the GraphQL input type `T`, refused as
/// `BAD_USER_INPUT` on `field` when it is not JSON or not a `T`.
pub fn parse_json<T: InputType>(raw: Option<&str>, field: &str) -> ApiResult<Option<T>> {
    let Some(raw) = raw.filter(|raw| !raw.trim().is_empty()) else {
        return Ok(None);
    };
    let json: serde_json::Value = serde_json::from_str(raw)
        .map_err(|error| ApiError::bad_input(field, format!("not JSON: {error}")))?;
    let value = async_graphql::Value::from_json(json.clone())
        .map_err(|error| ApiError::bad_input(field, error.to_string()))?;
    let parsed = T::parse(Some(value)).map_err(|error| {
        ApiError::bad_input(field, error.into_server_error(Pos::default()).message)
    })?;
    // GraphQL's validation refuses unknown input fields before parsing;
    // here they would be dropped silently, so they are looked for: every
    // field given must come back when the parsed value is written out.
    let known = parsed.to_value().into_json().unwrap_or_default();
    if let Some(unknown) = unknown_field(&json, &known, field.to_owned()) {
        return Err(ApiError::bad_input(unknown, "no such field"));
    }
    Ok(Some(parsed))
}

/// The path of the first field of `given` that `known` lacks.
fn unknown_field(
    given: &serde_json::Value,
    known: &serde_json::Value,
    path: String,
) -> Option<String> {
    use serde_json::Value::{Array, Object};
    match (given, known) {
        (Object(given), Object(known)) => given.iter().find_map(|(name, value)| {
            let path = format!("{path}.{name}");
            match known.get(name) {
                None => Some(path),
                Some(known) => unknown_field(value, known, path),
            }
        }),
        (Array(given), Array(known)) => given
            .iter()
            .zip(known)
            .enumerate()
            .find_map(|(i, (given, known))| unknown_field(given, known, format!("{path}[{i}]"))),
        _ => None,
    }
}
