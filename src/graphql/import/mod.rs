//! Imports through GraphQL: `startImport` takes a file (GraphQL multipart
//! request) and answers an [`ImportJob`] that a background runner works
//! through; `importJob`, `importJobs` and the `importProgress` subscription
//! follow it. The engine, the file's storage and the runner are the core's
//! (`rapport_core::import::jobs`).

mod mutation;
mod progress;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use entity::{import_job, import_job_error};
use rapport_core::import::ImportType as CoreType;
use rapport_core::import::jobs::{self, JobStatus};
use uuid::Uuid;

use super::context::{actor, state};
use super::error::{ApiError, ApiResult};
use super::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

pub use mutation::ImportMutation;
pub use progress::ImportProgressSubscription;

/// What a file holds.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "rapport_core::import::ImportType")]
pub enum ImportType {
    /// Companies (`externalId name domain …`).
    Companies,
    /// Contacts (`externalId firstName lastName email …`).
    Contacts,
    /// Deals with their stage history and outcome.
    Deals,
    /// Tickets, numbered in order of `openedAt`.
    Tickets,
    /// Notes, calls, emails, meetings and tasks.
    Activities,
    /// Customer orders.
    Orders,
    /// Survey answers (NPS, CSAT).
    SurveyResponses,
    /// Tracked engagements (page views, email clicks, webinar signups, form submissions).
    Engagements,
    /// Catalogue products, by SKU.
    Products,
}

impl ImportType {
    /// The type a stored job names (its file type's name); contacts when
    /// the name is none the server knows.
    fn of(name: &str) -> Self {
        CoreType::parse(name).map_or(ImportType::Contacts, Into::into)
    }
}

/// Where an import job stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportJobStatus {
    /// Stored with its file, waiting for a server to run it.
    Queued,
    /// A server is working through it (or will resume it shortly).
    Running,
    /// Every row was read; `rejected` counts those refused.
    Succeeded,
    /// The file as a whole was refused (header, unknown columns); see `errors`.
    Failed,
}

impl From<JobStatus> for ImportJobStatus {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Queued => ImportJobStatus::Queued,
            JobStatus::Running => ImportJobStatus::Running,
            JobStatus::Succeeded => ImportJobStatus::Succeeded,
            JobStatus::Failed => ImportJobStatus::Failed,
        }
    }
}

const JOB_ID_PREFIX: &str = "ImportJob:";

/// A job's opaque id.
pub fn encode_id(id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{JOB_ID_PREFIX}{}", id.simple())))
}

/// The uuid in a job's id; `BAD_USER_INPUT` on `field` otherwise.
pub fn decode_id(id: &ID, field: &str) -> ApiResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(id.as_str())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| Uuid::parse_str(text.strip_prefix(JOB_ID_PREFIX)?).ok())
        .ok_or_else(|| ApiError::bad_input(field, "not an ImportJob id"))
}

/// A refused row (or, for a FAILED job, the reason the file was refused).
#[derive(SimpleObject)]
pub struct ImportError {
    /// The row's first line in the file (1 is a CSV file's header).
    pub line: i64,
    /// The column's position in the CSV header (1-based), when the refusal concerns one.
    pub column: Option<i32>,
    /// `BAD_USER_INPUT`, `NOT_FOUND` (a link to a missing record) or `CONFLICT`.
    pub code: String,
    /// The column's name, when the refusal concerns one.
    pub field: Option<String>,
    /// Why the row was refused.
    pub message: String,
}

impl From<import_job_error::Model> for ImportError {
    fn from(e: import_job_error::Model) -> Self {
        Self {
            line: e.line,
            column: e.column_number,
            code: e.code,
            field: e.field,
            message: e.message,
        }
    }
}

/// Page size of `first`, within the cap.
fn page_size(first: Option<i32>) -> ApiResult<u64> {
    let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(0..=MAX_PAGE_SIZE).contains(&first) {
        return Err(ApiError::bad_input(
            "first",
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        ));
    }
    Ok(u64::try_from(first).unwrap_or(0))
}

pub struct ImportJob(pub import_job::Model);

/// An import started with `startImport`, run in the background.
#[Object]
impl ImportJob {
    /// The job's opaque id.
    async fn id(&self) -> ID {
        encode_id(self.0.id)
    }
    /// Where the job stands.
    async fn status(&self) -> ImportJobStatus {
        JobStatus::of(&self.0).into()
    }
    /// What the file holds.
    #[graphql(name = "type")]
    async fn import_type(&self) -> ImportType {
        ImportType::of(&self.0.import_type)
    }
    /// The uploaded file's name.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// Whether the job checks every row and writes nothing.
    async fn dry_run(&self) -> bool {
        self.0.dry_run
    }
    /// Rows read so far (accepted + rejected).
    async fn processed(&self) -> i64 {
        self.0.accepted + self.0.rejected
    }
    /// Rows written, or matched and left as they were (`onConflict`).
    async fn accepted(&self) -> i64 {
        self.0.accepted
    }
    /// Rows refused; each is in `errors`.
    async fn rejected(&self) -> i64 {
        self.0.rejected
    }
    /// The refused rows, in file order.
    async fn errors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many refused rows (at most 100, 20 by default).")] first: Option<i32>,
        #[graphql(desc = "The cursor of the last refused row already read.")] after: Option<String>,
    ) -> ApiResult<Connection<String, ImportError, EmptyFields, EmptyFields>> {
        let first = page_size(first)?;
        let after = after
            .map(|a| a.parse::<i64>())
            .transpose()
            .map_err(|_| ApiError::bad_input("after", "not a cursor of these errors"))?;
        let page = jobs::errors(&state(ctx)?.core, &self.0, first, after).await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(
            page.errors
                .into_iter()
                .map(|e| Edge::new(e.row_index.to_string(), ImportError::from(e))),
        );
        Ok(connection)
    }
    /// When the file was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it succeeded or failed.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

#[derive(Default)]
pub struct ImportQuery;

#[Object]
impl ImportQuery {
    /// An import job of the workspace (ADMIN only).
    async fn import_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job's id, as `startImport` answered it.")] id: ID,
    ) -> ApiResult<ImportJob> {
        let id = decode_id(&id, "id")?;
        let job = jobs::get(&state(ctx)?.core, actor(ctx)?, id).await?;
        Ok(ImportJob(job))
    }

    /// The workspace's import jobs, newest first (ADMIN only).
    async fn import_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many jobs (at most 100, 20 by default).")] first: Option<i32>,
        #[graphql(desc = "The id of the last job already read.")] after: Option<String>,
    ) -> ApiResult<Connection<String, ImportJob, EmptyFields, EmptyFields>> {
        let first = page_size(first)?;
        let after = after.map(|a| decode_id(&ID(a), "after")).transpose()?;
        let page = jobs::list(&state(ctx)?.core, actor(ctx)?, first, after).await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(
            page.jobs
                .into_iter()
                .map(|job| Edge::new(encode_id(job.id).0, ImportJob(job))),
        );
        Ok(connection)
    }
}
