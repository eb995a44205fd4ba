//! Companies and contacts: identity and descriptive data.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut company = tenant_table("company", true);
        company
            .col(string_len("name", 200))
            .col(string_len_null("domain", 253))
            .col(string_len_null("industry", 100))
            .col(integer_null("employee_count"))
            .col(big_integer_null("annual_revenue_e4"))
            .col(char_len_null("annual_revenue_currency", 3))
            .col(string_len_null("city", 100))
            .col(char_len_null("country", 2));
        reference(&mut company, "company", "owner_id", "member", true);

        let mut contact = tenant_table("contact", true);
        reference(&mut contact, "contact", "company_id", "company", true);
        contact
            .col(string_len("first_name", 100))
            .col(string_len("last_name", 100))
            .col(string_len_null("email", 254))
            .col(string_len_null("phone", 20))
            .col(string_len_null("job_title", 200))
            .col(string_len("lifecycle_stage", 24))
            .col(string_len_null("city", 100))
            .col(char_len_null("country", 2))
            .col(date_null("birthdate"));
        reference(&mut contact, "contact", "owner_id", "member", true);

        create_all(
            manager,
            vec![company, contact],
            vec![
                tenant_index("company", &["name"], false),
                tenant_index("company", &["domain"], false),
                tenant_index("contact", &["email"], true),
                tenant_index("contact", &["company_id"], false),
                tenant_index("contact", &["last_name", "first_name"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["contact", "company"]).await
    }
}
