//! Where documents registered through automatic persisted queries are kept:
//! in Redis when it is configured, so that every instance behind a load
//! balancer knows a hash one of them learnt, else in a bounded in-process
//! cache of the most recently used ones.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hashlink::LruCache;
use rapport_core::redis_link::{RedisLink, Topology};
use redis::AsyncCommands;

/// Documents the in-process cache keeps, and their total size in bytes;
/// registering more evicts the least recently used (their clients register
/// them again on their next miss).
const LOCAL_CAPACITY: usize = 10_000;
const LOCAL_BYTES: usize = 32 * 1024 * 1024;

/// The longest Redis may take to answer before a lookup counts as a miss.
const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// The Redis key of the document whose SHA-256 is `hash`.
fn redis_key(hash: &str) -> String {
    format!("rapport:apq:{hash}")
}

/// Registered documents by their SHA-256 (lower-case hex).
#[derive(Clone)]
pub enum Registered {
    Redis {
        connection: RedisLink,
        ttl_seconds: u64,
    },
    Local(Arc<Mutex<Local>>),
}

/// The in-process documents and the bytes of their texts.
pub struct Local {
    documents: LruCache<String, Arc<str>>,
    bytes: usize,
}

impl Local {
    fn insert(&mut self, hash: &str, text: &str) {
        if let Some(replaced) = self.documents.insert(hash.to_owned(), Arc::from(text)) {
            self.bytes -= replaced.len();
        }
        self.bytes += text.len();
        while self.bytes > LOCAL_BYTES || self.documents.len() > LOCAL_CAPACITY {
            let Some((_, evicted)) = self.documents.remove_lru() else {
                break;
            };
            self.bytes -= evicted.len();
        }
    }
}

impl Registered {
    /// Kept in Redis at `redis` (connected on first use) for `ttl_seconds`,
    /// or in memory without Redis.
    pub fn new(redis: Option<(&str, Topology)>, ttl_seconds: u64) -> redis::RedisResult<Self> {
        let Some((url, topology)) = redis else {
            return Ok(Self::Local(Arc::new(Mutex::new(Local {
                documents: LruCache::new_unbounded(),
                bytes: 0,
            }))));
        };
        let connection = RedisLink::open(url, topology, REDIS_TIMEOUT)?;
        Ok(Self::Redis {
            connection,
            ttl_seconds: ttl_seconds.max(1),
        })
    }

    /// The document registered under `hash`. Redis being unreachable counts
    /// as not registered: the client then sends the text, which runs.
    pub async fn get(&self, hash: &str) -> Option<Arc<str>> {
        match self {
            Self::Local(local) => local.lock().ok()?.documents.get(hash).cloned(),
            Self::Redis { connection, .. } => {
                let mut connection = connection.clone();
                match connection.get::<_, Option<String>>(redis_key(hash)).await {
                    Ok(found) => found.map(Arc::from),
                    Err(error) => {
                        tracing::warn!(%error, "persisted document lookup failed; answered as not found");
                        None
                    }
                }
            }
        }
    }

    /// Registers `text` under its checked `hash`. A failure to store is
    /// logged, not refused: the request that carries the text still runs.
    pub async fn put(&self, hash: &str, text: &str) {
        match self {
            Self::Local(local) => {
                if let Ok(mut local) = local.lock() {
                    local.insert(hash, text);
                }
            }
            Self::Redis {
                connection,
                ttl_seconds,
            } => {
                let mut connection = connection.clone();
                let stored: redis::RedisResult<()> =
                    connection.set_ex(redis_key(hash), text, *ttl_seconds).await;
                if let Err(error) = stored {
                    tracing::warn!(%error, "persisted document not registered in Redis");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_documents_stay_within_their_byte_budget() {
        let mut local = Local {
            documents: LruCache::new_unbounded(),
            bytes: 0,
        };
        let text = "x".repeat(LOCAL_BYTES / 4);
        for n in 0..6 {
            local.insert(&format!("h{n}"), &text);
        }
        assert!(local.bytes <= LOCAL_BYTES);
        assert_eq!(local.bytes, local.documents.len() * text.len());
        assert!(local.documents.get("h0").is_none(), "the oldest left first");
        assert!(local.documents.get("h5").is_some());
        local.insert("h5", "short");
        assert_eq!(local.bytes, (local.documents.len() - 1) * text.len() + 5);
    }
}
