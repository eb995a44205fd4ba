//! An import started through the API: its options, its file (in
//! `import_job_chunk`), how far it has come and which instance runs it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "import_job")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Who started it: the import writes as them.
    pub member_id: Uuid,
    pub import_type: String,
    pub format: String,
    pub on_conflict: String,
    pub source: String,
    pub dry_run: bool,
    pub file_name: String,
    pub file_bytes: i64,
    /// QUEUED, RUNNING, SUCCEEDED or FAILED.
    pub status: String,
    /// Rows consumed by committed batches: a resumed run skips them.
    pub next_row: i64,
    pub accepted: i64,
    pub rejected: i64,
    /// Why the job failed as a whole (the file, not a row).
    pub failure: Option<String>,
    /// The instance running it, until `lease_until`.
    pub claimed_by: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
