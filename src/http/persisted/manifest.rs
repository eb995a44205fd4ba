//! The trusted documents' manifest (`RAPPORT_TRUSTED_DOCUMENTS`), in the
//! formats client build tools write:
//! - Relay compiler's `persistConfig` output and GraphQL Code Generator's
//!   client preset `persisted-documents.json`: one JSON object mapping each
//!   document's id (a hash of its text) to its text;
//! - Apollo's persisted query manifest: `{"format":
//!   "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::sha256_hex;

/// The documents a manifest lists.
#[derive(Debug, Default)]
pub struct Manifest {
    /// Each document by the id its tool gave it.
    by_id: HashMap<String, Arc<str>>,
    /// Each document by the SHA-256 of its text, which is what Apollo
    /// clients send whatever id the tool chose (Relay hashes with MD5 by
    /// default).
    by_hash: HashMap<String, Arc<str>>,
}

impl Manifest {
    /// Reads the manifest at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// A manifest from its JSON text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("not a JSON manifest: {e}"))?;
        let Value::Object(object) = value else {
            return Err("a manifest is a JSON object".into());
        };
        let pairs: Vec<(String, String)> = match object.get("operations") {
            Some(Value::Array(operations)) if object.contains_key("format") => operations
                .iter()
                .map(|operation| {
                    let field = |name: &str| operation.get(name).and_then(Value::as_str);
                    match (field("id"), field("body")) {
                        (Some(id), Some(body)) => Ok((id.to_owned(), body.to_owned())),
                        _ => Err("each operation needs a string id and body".to_owned()),
                    }
                })
                .collect::<Result<_, _>>()?,
            _ => object
                .into_iter()
                .map(|(id, text)| match text {
                    Value::String(text) => Ok((id, text)),
                    _ => Err(format!("document {id} is not a string")),
                })
                .collect::<Result<_, _>>()?,
        };
        if pairs.is_empty() {
            return Err("the manifest lists no document".into());
        }
        let mut manifest = Manifest::default();
        for (id, text) in pairs {
            let text: Arc<str> = Arc::from(text);
            manifest.by_hash.insert(sha256_hex(&text), text.clone());
            manifest.by_id.insert(strip_prefix(&id).to_owned(), text);
        }
        Ok(manifest)
    }

    /// The document listed under `id`, or whose text hashes to it.
    pub fn find(&self, id: &str) -> Option<Arc<str>> {
        let id = strip_prefix(id);
        self.by_id
            .get(id)
            .or_else(|| self.by_hash.get(&id.to_ascii_lowercase()))
            .cloned()
    }

    /// Whether the document whose text hashes to `hash` is listed.
    pub fn lists(&self, hash: &str) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// How many documents are listed (never none: an empty manifest is refused).
    pub fn documents(&self) -> usize {
        self.by_id.len()
    }
}

/// An id without the `sha256:` prefix the GraphQL-over-HTTP persisted
/// documents proposal puts on hashes.
fn strip_prefix(id: &str) -> &str {
    id.strip_prefix("sha256:").unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_map_and_the_apollo_formats() {
        let map = Manifest::parse(r#"{"abc": "{ me { id } }"}"#).expect("map");
        assert!(map.find("abc").is_some());
        assert!(map.find(&sha256_hex("{ me { id } }")).is_some());
        assert!(map.lists(&sha256_hex("{ me { id } }")));
        assert!(map.find("sha256:abc").is_some());
        let apollo = Manifest::parse(
            r#"{"format": "apollo-persisted-query-manifest", "version": 1,
                "operations": [{"id": "x1", "name": "Me", "type": "query", "body": "{ me { id } }"}]}"#,
        )
        .expect("apollo");
        assert_eq!(apollo.documents(), 1);
        assert!(apollo.find("x1").is_some());
        assert!(Manifest::parse("[]").is_err());
        assert!(Manifest::parse(r#"{"a": 1}"#).is_err());
        assert!(Manifest::parse("{}").is_err());
    }
}
