//! Documents with revisions on companies, contacts, deals and tickets
//! (issue 18, item 3). The rows describe each revision; the bytes live in
//! the file store (`RAPPORT_FILES`) under `storage_key`. A document follows
//! its record: it is read only while the record is live, so a deleted
//! record's documents are gone with it and back with its restore.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut document = tenant_table("document", false);
        document
            .col(string_len("record_type", 16))
            .col(uuid("record_id"))
            .col(string_len("title", 255));
        reference(&mut document, "document", "created_by", "member", true);
        let mut revision = tenant_table("document_revision", false);
        reference(
            &mut revision,
            "document_revision",
            "document_id",
            "document",
            false,
        );
        revision
            .col(integer("number"))
            .col(string_len("file_name", 255))
            .col(string_len("content_type", 255))
            .col(big_integer("size"))
            .col(string_len("sha256", 64))
            .col(text("storage_key"));
        reference(
            &mut revision,
            "document_revision",
            "uploaded_by",
            "member",
            true,
        );
        let indexes = vec![
            tenant_index("document", &["record_type", "record_id"], false),
            // v1, v2, …: two uploads racing for one number, one is refused.
            tenant_index("document_revision", &["document_id", "number"], true),
        ];
        create_all(manager, vec![document, revision], indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["document_revision", "document"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
