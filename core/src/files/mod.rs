//! The file store of documents: a local directory by default, or any
//! S3-compatible store, behind `object_store`'s one interface.
//!
//! `RAPPORT_FILES` names it: a path (`./files`, made at the first upload), a
//! `file:///…` URL, or `s3://bucket/prefix`, whose credentials, region and
//! endpoint come from the standard `AWS_*` variables (`AWS_ENDPOINT_URL`
//! and `AWS_ALLOW_HTTP=true` for a store on plain HTTP, such as a local one).
//!
//! Objects are written under `<workspace>/<document>/<revision>`, so a
//! workspace's files can be deleted by prefix. An upload streams: it is read
//! and written a part at a time (multipart above one part), hashed as it
//! goes, and never held whole in memory.

mod sniff;

use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};
pub use sniff::{Declared, SNIFF_BYTES, checked_type};

/// Bytes read and written at a time; also the multipart part size (S3
/// wants at least 5 MiB for every part but the last).
const PART_BYTES: usize = 8 * 1024 * 1024;

/// Where document files live.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// How the store was named, for logs.
    pub describe: String,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Files({})", self.describe)
    }
}

/// What an upload stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub key: String,
    pub size: i64,
    /// Lower-case hex.
    pub sha256: String,
}

impl Files {
    /// Opens the store `spec` names (see the module's documentation).
    pub fn open(spec: &str) -> anyhow::Result<Self> {
        let spec = spec.trim();
        if let Some(rest) = spec.strip_prefix("s3://") {
            return Self::s3(spec, rest);
        }
        let dir = spec.strip_prefix("file://").unwrap_or(spec);
        // Rooted at `/` under the directory's absolute path, rather than
        // `new_with_prefix` (which needs the directory to exist): nothing
        // is made on disk until a first file is written.
        let absolute =
            std::path::absolute(dir).map_err(|e| anyhow::anyhow!("RAPPORT_FILES: {dir}: {e}"))?;
        let prefix = Path::from(absolute.to_string_lossy().as_ref());
        Ok(Self {
            store: Arc::new(PrefixStore::new(LocalFileSystem::new(), prefix)),
            describe: format!("directory {}", absolute.display()),
        })
    }

    fn s3(spec: &str, rest: &str) -> anyhow::Result<Self> {
        crate::tls::install_ring();
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            anyhow::bail!("RAPPORT_FILES: {spec} names no bucket");
        }
        let s3 = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| anyhow::anyhow!("RAPPORT_FILES: {spec}: {e}"))?;
        let prefix = prefix.trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(Self {
            store,
            describe: spec.to_owned(),
        })
    }

    /// The key of a revision's bytes.
    pub fn key(workspace_id: Uuid, document_id: Uuid, revision_id: Uuid) -> String {
        format!("{workspace_id}/{document_id}/{revision_id}")
    }

    /// Streams `reader` into `key`, at most `limit` bytes: `BAD_USER_INPUT`
    /// on `field` past it, with nothing left stored. `first` is what the
    /// caller already read of the reader (to check its type).
    pub async fn put<R: AsyncRead + Unpin + Send>(
        &self,
        key: String,
        first: Vec<u8>,
        mut reader: R,
        limit: u64,
        field: &'static str,
    ) -> CoreResult<Stored> {
        let path = Path::from(key.as_str());
        let mut hash = Sha256::new();
        let mut part = first;
        let mut ended = fill(&mut reader, &mut part).await?;
        if ended {
            // One part: one request.
            too_large(part.len() as u64, limit, field)?;
            hash.update(&part);
            let size = part.len() as i64;
            self.store
                .put(&path, PutPayload::from(part))
                .await
                .map_err(stored_error)?;
            return Ok(Stored {
                key,
                size,
                sha256: hex(&hash.finalize()),
            });
        }
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(stored_error)?;
        let mut upload = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut size = 0u64;
        loop {
            size += part.len() as u64;
            if let Err(refused) = too_large(size, limit, field) {
                abort(upload).await;
                return Err(refused);
            }
            hash.update(&part);
            // At most two parts in flight: memory stays a few parts.
            upload.wait_for_capacity(2).await.map_err(stored_error)?;
            upload.put(Bytes::from(part));
            if ended {
                break;
            }
            part = Vec::with_capacity(PART_BYTES);
            ended = match fill(&mut reader, &mut part).await {
                Ok(ended) => ended,
                Err(error) => {
                    abort(upload).await;
                    return Err(error);
                }
            };
        }
        upload.finish().await.map_err(stored_error)?;
        Ok(Stored {
            key,
            size: i64::try_from(size).unwrap_or(i64::MAX),
            sha256: hex(&hash.finalize()),
        })
    }

    /// The bytes of `key`, as a stream.
    pub async fn get(&self, key: &str) -> CoreResult<BoxStream<'static, std::io::Result<Bytes>>> {
        let found = self
            .store
            .get(&Path::from(key))
            .await
            .map_err(stored_error)?;
        Ok(found.into_stream().map_err(std::io::Error::other).boxed())
    }

    /// Deletes `keys`; a missing object is not an error. Failures are
    /// logged, not returned: the rows that named them are gone already, so
    /// what is left is unreachable bytes, never a dangling row.
    pub async fn delete_all(&self, keys: &[String]) {
        for key in keys {
            match self.store.delete(&Path::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => tracing::warn!(%error, key, "a document file could not be deleted"),
            }
        }
    }

    /// Deletes every object of a workspace.
    pub async fn delete_workspace(&self, workspace_id: Uuid) -> CoreResult<u64> {
        let prefix = Path::from(workspace_id.to_string());
        let keys: Vec<Path> = self
            .store
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await
            .map_err(stored_error)?;
        let count = keys.len() as u64;
        let names: Vec<String> = keys.iter().map(ToString::to_string).collect();
        self.delete_all(&names).await;
        Ok(count)
    }
}

/// Reads into `part` until it holds a whole part or the reader ends;
/// whether it ended.
async fn fill<R: AsyncRead + Unpin>(reader: &mut R, part: &mut Vec<u8>) -> CoreResult<bool> {
    let mut buffer = vec![0u8; 64 * 1024];
    while part.len() < PART_BYTES {
        let want = buffer.len().min(PART_BYTES - part.len());
        let read = reader
            .read(&mut buffer[..want])
            .await
            .map_err(|e| CoreError::bad_input("file", format!("cannot be read: {e}")))?;
        if read == 0 {
            return Ok(true);
        }
        part.extend_from_slice(&buffer[..read]);
    }
    Ok(false)
}

/// `BAD_USER_INPUT` on `field` past `limit` bytes.
fn too_large(size: u64, limit: u64, field: &'static str) -> CoreResult<()> {
    if size > limit {
        return Err(CoreError::bad_input(
            field,
            format!("is larger than the {limit} bytes a file may hold (RAPPORT_MAX_FILE_BYTES)"),
        ));
    }
    Ok(())
}

async fn abort(upload: WriteMultipart) {
    if let Err(error) = upload.abort().await {
        tracing::warn!(%error, "an unfinished upload could not be aborted");
    }
}

/// A store failure: the server's, not the caller's.
fn stored_error(error: object_store::Error) -> CoreError {
    match error {
        object_store::Error::NotFound { .. } => CoreError::NotFound("file"),
        error => CoreError::Unavailable(format!("the file store failed: {error}")),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
