//! Converting GraphQL input for the core's operations: nullable fields
//! become `Patch`es (omitted keeps, `null` clears), with ids decoded.

use async_graphql::{ID, MaybeUndefined};
use rapport_core::ops::Patch;
use uuid::Uuid;

use super::error::ApiResult;
use super::ids::{self, Kind};
pub use rapport_core::store::now;

/// A nullable input field as a core patch: omitted keeps, `null` clears.
pub fn patch<T>(input: MaybeUndefined<T>) -> Patch<T> {
    match input {
        MaybeUndefined::Undefined => Patch::Keep,
        MaybeUndefined::Null => Patch::Clear,
        MaybeUndefined::Value(value) => Patch::Set(value),
    }
}

/// A nullable id input field as a core patch, the id decoded as a `kind`.
pub fn patch_id(input: MaybeUndefined<ID>, kind: Kind, field: &str) -> ApiResult<Patch<Uuid>> {
    patch(input).try_map(|id| ids::decode(&id, kind, field))
}
