//! Values unique among a workspace's live records: a contact's email, a
//! company's domain, and the names of lead scoring and trigger rules (so
//! running the same set-up twice refuses the second copy instead of doubling
//! every score or task). A deleted record's value is free again (the partial
//! unique indexes of migrations 23 and 26 say the same); restoring or merging
//! a record whose value another live record took since is refused.

use sea_orm::{ConnectionTrait, DbErr, SqlErr, Statement};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};
use crate::kind::Kind;
use crate::store::placeholders::for_backend;

/// A value unique among live records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    ContactEmail,
    CompanyDomain,
    ScoringRuleName,
    TriggerRuleName,
    ProductSku,
}

impl Unique {
    /// The unique value of records of `kind`, if it has one.
    pub fn of(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Contact => Some(Self::ContactEmail),
            Kind::Company => Some(Self::CompanyDomain),
            Kind::LeadScoringRule => Some(Self::ScoringRuleName),
            Kind::TriggerRule => Some(Self::TriggerRuleName),
            Kind::Product => Some(Self::ProductSku),
            _ => None,
        }
    }

    fn table_and_column(self) -> (&'static str, &'static str) {
        match self {
            Self::ContactEmail => ("contact", "email"),
            Self::CompanyDomain => ("company", "domain"),
            Self::ScoringRuleName => ("lead_scoring_rule", "name"),
            Self::TriggerRuleName => ("trigger_rule", "name"),
            Self::ProductSku => ("product", "sku"),
        }
    }

    /// The column, which is also the record's field in a refusal.
    pub fn column(self) -> &'static str {
        self.table_and_column().1
    }

    fn refusal(self, field: &str) -> CoreError {
        let message = match self {
            Self::ContactEmail => "another contact already has this email",
            Self::CompanyDomain => "another company already has this domain",
            Self::ScoringRuleName => "another lead scoring rule already has this name",
            Self::TriggerRuleName => "another trigger rule already has this name",
            Self::ProductSku => "another product already has this SKU",
        };
        CoreError::Taken {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }

    /// `CONFLICT` on `field` when a live record other than `except` holds `value`.
    pub async fn check_free<C: ConnectionTrait>(
        self,
        conn: &C,
        workspace_id: Uuid,
        value: Option<&str>,
        except: &[Uuid],
        field: &str,
    ) -> CoreResult<()> {
        let Some(value) = value else { return Ok(()) };
        let (table, column) = self.table_and_column();
        let mut sql = format!(
            r#"SELECT "id" FROM "{table}" WHERE "workspace_id" = ? AND "{column}" = ? AND "deleted_at" IS NULL"#
        );
        let mut values = vec![workspace_id.into(), value.into()];
        for id in except {
            sql.push_str(r#" AND "id" <> ?"#);
            values.push((*id).into());
        }
        let backend = conn.get_database_backend();
        let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
        match conn.query_one_raw(statement).await? {
            Some(_) => Err(self.refusal(field)),
            None => Ok(()),
        }
    }

    /// The same check for a stored `row` about to become live again.
    pub async fn check_row_free<C: ConnectionTrait, M: Serialize>(
        self,
        conn: &C,
        workspace_id: Uuid,
        id: Uuid,
        row: &M,
    ) -> CoreResult<()> {
        let stored = serde_json::to_value(row)
            .map_err(|e| CoreError::Internal(format!("row as JSON: {e}")))?;
        let value = stored.get(self.column()).and_then(|v| v.as_str());
        self.check_free(conn, workspace_id, value, &[id], self.column())
            .await
    }

    /// Maps the unique index's violation (a concurrent writer took the value
    /// between the check and the write) to the same refusal.
    pub fn or_taken(self, field: &'static str) -> impl FnOnce(DbErr) -> CoreError {
        move |err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => self.refusal(field),
            _ => err.into(),
        }
    }
}
