//! `startImport`: stores the uploaded file with a new job and answers the
//! job at once; a background runner imports it (see `importProgress`).

use async_graphql::{Context, Enum, Object, Upload};
use rapport_core::import::Format;
use rapport_core::import::jobs::{self, NewJob};

use super::{ImportJob, ImportType};
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiError, ApiResult};

/// How a file is written.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// RFC 4180, UTF-8 with or without a byte order mark, a header row naming the columns.
    Csv,
    /// One JSON object a line.
    Jsonl,
}

/// What to do with a row whose record exists (by external id, then email
/// for contacts, domain for companies).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "rapport_core::import::OnConflict")]
pub enum OnConflict {
    /// Leave the record as it is.
    Skip,
    /// Write the row over it (companies and contacts).
    Update,
    /// Refuse the row (`CONFLICT`).
    Error,
}

#[derive(Default)]
pub struct ImportMutation;

// GraphQL arguments, one per option of the import.
#[allow(clippy::too_many_arguments)]
#[Object]
impl ImportMutation {
    /// Starts importing a file sent with the GraphQL multipart request
    /// (fields `operations`, `map`, then the file), at most
    /// `RAPPORT_MAX_IMPORT_BYTES`. ADMIN only. Answers the QUEUED job; a
    /// server imports it in the background (it survives restarts), and
    /// `importProgress(jobId)` reports its counts as batches commit.
    async fn start_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "type", desc = "What the file holds.")] import_type: ImportType,
        #[graphql(desc = "The file: the multipart request's file part mapped to this variable.")]
        file: Upload,
        #[graphql(
            desc = "The file's format; by default its name's extension (.csv, .jsonl, .ndjson)."
        )]
        format: Option<ImportFormat>,
        #[graphql(desc = "Check every row and write nothing.", default = false)] dry_run: bool,
        #[graphql(
            desc = "A row whose record exists (SKIP by default).",
            default_with = "OnConflict::Skip"
        )]
        on_conflict: OnConflict,
        #[graphql(
            desc = "The system the file's ids come from (`externalId` and `…ExternalId` columns).",
            default_with = "String::from(\"import\")"
        )]
        source: String,
    ) -> ApiResult<ImportJob> {
        let actor = actor(ctx)?;
        // A refused role hears FORBIDDEN before anything about its input.
        jobs::require_admin(actor)?;
        let core = &state(ctx)?.core;
        let upload = file
            .value(ctx)
            .map_err(|e| ApiError::bad_input("file", format!("cannot be read: {e}")))?;
        let format = match format {
            Some(ImportFormat::Csv) => Format::Csv,
            Some(ImportFormat::Jsonl) => Format::JsonLines,
            None => Format::of_path(&upload.filename).ok_or_else(|| {
                ApiError::bad_input("format", "say CSV or JSONL: the file's name does not")
            })?,
        };
        let job = NewJob {
            ty: import_type.into(),
            format,
            on_conflict: on_conflict.into(),
            source,
            dry_run,
            file_name: upload.filename,
        };
        let max_bytes = state(ctx)?.config.max_import_bytes;
        let job = jobs::create(core, actor, job, Box::new(upload.content), max_bytes).await?;
        Ok(ImportJob(job))
    }
}
