//! Import jobs: a file uploaded through GraphQL, kept in the database (in
//! chunks, so no row is larger than a chunk and any instance can read it),
//! with how far the import has come, who runs it and until when, and the
//! rows it refused. A job outlives the server that started it.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut job = tenant_table("import_job", false);
        reference(&mut job, "import_job", "member_id", "member", false);
        job.col(string_len("import_type", 24))
            .col(string_len("format", 8))
            .col(string_len("on_conflict", 8))
            .col(string_len("source", 100))
            .col(boolean("dry_run"))
            .col(string_len("file_name", 255))
            .col(big_integer("file_bytes"))
            .col(string_len("status", 12))
            // Rows of the file consumed by committed batches: where a resumed run starts.
            .col(big_integer("next_row"))
            .col(big_integer("accepted"))
            .col(big_integer("rejected"))
            .col(text_null("failure"))
            .col(string_len_null("claimed_by", 64))
            .col(timestamp_with_time_zone_null("lease_until"))
            .col(timestamp_with_time_zone_null("finished_at"));
        let mut chunk = Table::create();
        chunk
            .table("import_job_chunk")
            .col(uuid("job_id"))
            .col(integer("seq"))
            .col(uuid("workspace_id"))
            .col(blob("data"))
            .primary_key(Index::create().col("job_id").col("seq"))
            .foreign_key(
                ForeignKey::create()
                    .from("import_job_chunk", "job_id")
                    .to("import_job", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        let mut error = Table::create();
        error
            .table("import_job_error")
            .col(uuid("job_id"))
            // The row's place among the rows read (its order in the job's list).
            .col(big_integer("row_index"))
            .col(uuid("workspace_id"))
            .col(big_integer("line"))
            .col(integer_null("column_number"))
            .col(string_len_null("field", 200))
            .col(string_len("code", 32))
            .col(text("message"))
            .primary_key(Index::create().col("job_id").col("row_index"))
            .foreign_key(
                ForeignKey::create()
                    .from("import_job_error", "job_id")
                    .to("import_job", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        create_all(
            manager,
            vec![job, chunk, error],
            vec![
                // `importJobs`: a workspace's jobs, newest first.
                tenant_index("import_job", &["created_at", "id"], false),
                // What a runner looks for: jobs not finished.
                Index::create()
                    .name("ix_import_job_status")
                    .table("import_job")
                    .col("status")
                    .col("created_at")
                    .to_owned(),
                // A workspace's rows, for deleting the workspace whole.
                tenant_index("import_job_chunk", &["job_id"], false),
                tenant_index("import_job_error", &["job_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(
            manager,
            &["import_job_error", "import_job_chunk", "import_job"],
        )
        .await
    }
}
