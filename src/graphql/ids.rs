//! Opaque global ids (`Node.id`) and pagination cursors.
//!
//! A global id is base64url of `Type:uuid`; clients must treat it as opaque,
//! which lets ids stay stable if storage changes.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::error::ApiError;

pub use rapport_core::Kind;

/// The global id of a record.
pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.name(), id.simple())))
}

/// The type and uuid inside a global id, if it is one.
pub fn decode_any(id: &str) -> Option<(Kind, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (name, uuid) = text.split_once(':')?;
    let kind = Kind::ALL.into_iter().find(|kind| kind.name() == name)?;
    Some((kind, Uuid::parse_str(uuid).ok()?))
}

/// The uuid inside a global id that must be of `kind`; `field` names the
/// argument in the error.
pub fn decode(id: &ID, kind: Kind, field: &str) -> Result<Uuid, ApiError> {
    match decode_any(id) {
        Some((found, uuid)) if found == kind => Ok(uuid),
        _ => Err(ApiError::bad_input(
            field,
            format!("not a {} id", kind.name()),
        )),
    }
}

/// Like [`decode`], for an optional id.
pub fn decode_opt(id: Option<&ID>, kind: Kind, field: &str) -> Result<Option<Uuid>, ApiError> {
    id.map(|id| decode(id, kind, field)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_with_its_type() {
        let uuid = Uuid::now_v7();
        let id = encode(Kind::Deal, uuid);
        assert_eq!(decode_any(&id), Some((Kind::Deal, uuid)));
        assert_eq!(decode(&id, Kind::Deal, "id").unwrap(), uuid);
    }

    #[test]
    fn an_id_of_another_type_is_refused() {
        let id = encode(Kind::Deal, Uuid::now_v7());
        assert!(decode(&id, Kind::Company, "id").is_err());
        assert!(decode(&ID("garbage".into()), Kind::Company, "id").is_err());
    }
}
