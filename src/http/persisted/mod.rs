//! Persisted documents: Apollo's automatic persisted queries (a request
//! names its document by SHA-256 in `extensions.persistedQuery`, and sends
//! the text only when the server does not know it yet) and trusted
//! documents (`RAPPORT_TRUSTED_DOCUMENTS`: only the documents a client
//! build's manifest lists run, the way mobile apps lock an API down).
//!
//! A request names its document by `extensions.persistedQuery.sha256Hash`
//! (Apollo clients, GraphQL Code Generator), or by `documentId` (the
//! GraphQL-over-HTTP persisted documents proposal) or `doc_id` (Relay's
//! convention); the text, when sent, is `query` as always.

mod manifest;
mod store;

use async_graphql::Request;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use manifest::Manifest;
pub use store::Registered;

use crate::config::Config;
use rapport_core::redis_link::Topology;

/// The code Apollo clients answer by sending the document's text.
pub const NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// A text that does not hash to the hash sent with it.
pub const HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";
/// A document the trusted manifest does not list.
pub const NOT_IN_LIST: &str = "PERSISTED_QUERY_NOT_IN_LIST";

/// Lower-case hex SHA-256 of `text`, as Apollo clients hash documents.
pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Why a request's document cannot run; the request never runs.
#[derive(Debug)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new("BAD_REQUEST", message)
    }

    /// Whether clients are expected to recover by sending the text: Apollo
    /// clients read this refusal from a 200 answer (or any status under
    /// `application/graphql-response+json`).
    pub fn is_not_found(&self) -> bool {
        self.code == NOT_FOUND
    }
}

/// How a request names its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// `extensions.persistedQuery.sha256Hash`: the SHA-256 of the text.
    Hash(String),
    /// `documentId` or `doc_id`: an id from the trusted manifest (or a hash).
    Id(String),
}

/// The registered and the trusted documents.
pub struct Documents {
    registered: Registered,
    trusted: Option<Manifest>,
}

impl Documents {
    /// The documents `config` describes: registered in Redis when
    /// configured, else in memory; trusted ones from the manifest file.
    pub fn new(config: &Config, redis: Option<Topology>) -> anyhow::Result<Self> {
        let trusted = match &config.trusted_documents {
            Some(path) => {
                let manifest = Manifest::load(path)
                    .map_err(|e| anyhow::anyhow!("RAPPORT_TRUSTED_DOCUMENTS: {e}"))?;
                tracing::info!(
                    documents = manifest.documents(),
                    "only trusted documents run"
                );
                Some(manifest)
            }
            None => None,
        };
        let registered = Registered::new(
            config.redis_url.as_deref().zip(redis),
            config.persisted_ttl_seconds,
        )?;
        Ok(Documents {
            registered,
            trusted,
        })
    }

    /// The text the request runs: the `query` it sent (checked against its
    /// hash, registered, and in trusted mode checked against the manifest),
    /// or the document its hash or id names. `None` when it neither sent
    /// nor named one (which the request's own checks report).
    pub async fn resolve(
        &self,
        named: Option<Named>,
        query: Option<String>,
    ) -> Result<Option<String>, Refusal> {
        let Some(named) = named else {
            if let Some(query) = &query {
                self.check_trusted(query)?;
            }
            return Ok(query);
        };
        let Some(query) = query else {
            let key = match &named {
                Named::Hash(hash) => hash,
                Named::Id(id) => id,
            };
            let found = match &self.trusted {
                Some(manifest) => manifest.find(key),
                None => self.registered.get(key).await,
            };
            return match found {
                Some(text) => Ok(Some(text.to_string())),
                None => Err(Refusal::new(NOT_FOUND, "PersistedQueryNotFound")),
            };
        };
        if let Some(manifest) = &self.trusted {
            // The manifest's own id (Relay's MD5, Code Generator's hash of
            // its normalised text) names the text even where the text's
            // SHA-256 is another.
            let key = match &named {
                Named::Hash(key) | Named::Id(key) => key,
            };
            if manifest.find(key).as_deref() == Some(query.as_str()) {
                return Ok(Some(query));
            }
        }
        match named {
            Named::Hash(hash) => {
                if sha256_hex(&query) != hash {
                    return Err(Refusal::new(
                        HASH_MISMATCH,
                        "provided sha256Hash does not match the query's SHA-256",
                    ));
                }
                self.check_trusted(&query)?;
                if self.trusted.is_none() {
                    self.registered.put(&hash, &query).await;
                }
            }
            Named::Id(id) if self.trusted.is_some() => {
                return Err(Refusal::new(
                    HASH_MISMATCH,
                    format!("the query is not the trusted document {id}"),
                ));
            }
            // Without a manifest an id names nothing the text must match.
            Named::Id(_) => {}
        }
        Ok(Some(query))
    }

    /// In trusted mode, refuses a text the manifest does not list.
    fn check_trusted(&self, query: &str) -> Result<(), Refusal> {
        match &self.trusted {
            Some(manifest) if !manifest.lists(&sha256_hex(query)) => Err(Refusal::new(
                NOT_IN_LIST,
                "only the documents of the trusted manifest run on this server",
            )),
            _ => Ok(()),
        }
    }

    /// [`Self::resolve`] for a request object as sent over HTTP: `query` is
    /// filled in from the document it names.
    pub async fn resolve_json(&self, object: &mut Map<String, Value>) -> Result<(), Refusal> {
        let named = named_in_json(object)?;
        if named.is_none() && self.trusted.is_none() {
            // A plain request: nothing to resolve, and its text is not copied.
            return Ok(());
        }
        let query = match object.get("query") {
            Some(Value::String(query)) => Some(query.clone()),
            // Apollo clients send `"query": null` or nothing with a hash
            // alone; anything else is left to the request's own checks.
            _ => None,
        };
        if let Some(text) = self.resolve(named, query).await? {
            object.insert("query".to_owned(), Value::String(text));
        }
        Ok(())
    }

    /// [`Self::resolve`] for an operation sent over a websocket.
    pub async fn resolve_request(&self, request: &mut Request) -> Result<(), Refusal> {
        let persisted = request
            .extensions
            .get("persistedQuery")
            .map(|value| value.clone().into_json())
            .transpose()
            .map_err(|_| Refusal::bad_request("extensions.persistedQuery is not JSON"))?;
        let named = persisted.as_ref().map(named_by_extension).transpose()?;
        let query = (!request.query.is_empty()).then(|| std::mem::take(&mut request.query));
        if let Some(text) = self.resolve(named, query).await? {
            request.query = text;
        }
        Ok(())
    }
}

/// How a request object names its document, if it does.
fn named_in_json(object: &mut Map<String, Value>) -> Result<Option<Named>, Refusal> {
    for key in ["documentId", "doc_id"] {
        match object.remove(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(id)) if !id.is_empty() => return Ok(Some(Named::Id(id))),
            Some(_) => return Err(Refusal::bad_request(format!("{key} must be a string"))),
        }
    }
    match object
        .get("extensions")
        .and_then(|x| x.get("persistedQuery"))
    {
        None | Some(Value::Null) => Ok(None),
        Some(persisted) => named_by_extension(persisted).map(Some),
    }
}

/// The hash of `extensions.persistedQuery`: `{"version": 1, "sha256Hash": "…"}`.
fn named_by_extension(persisted: &Value) -> Result<Named, Refusal> {
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(Refusal::bad_request(
            "extensions.persistedQuery.version must be 1",
        ));
    }
    match persisted.get("sha256Hash").and_then(Value::as_str) {
        Some(hash) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Named::Hash(hash.to_ascii_lowercase()))
        }
        _ => Err(Refusal::bad_request(
            "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_request_names_its_document_by_hash_or_id() {
        let hash = sha256_hex("{ me { id } }");
        let mut object =
            json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
        let named = named_in_json(object.as_object_mut().expect("object"));
        assert_eq!(named.ok().flatten(), Some(Named::Hash(hash)));
        let mut object = json!({ "documentId": "sha256:abc" });
        let named = named_in_json(object.as_object_mut().expect("object"));
        assert_eq!(named.ok().flatten(), Some(Named::Id("sha256:abc".into())));
        for bad in [
            json!({ "version": 2, "sha256Hash": "00" }),
            json!({ "version": 1, "sha256Hash": "xyz" }),
            json!({ "version": 1 }),
        ] {
            assert!(named_by_extension(&bad).is_err(), "{bad}");
        }
    }
}
