//! Planner statistics kept up with an import on PostgreSQL. An import
//! into a new or small workspace grows its tables many times over within
//! minutes, faster than autovacuum analyses them; the triggers' and
//! look-ups' plans, made for the small tables the statistics still
//! describe, then scan what has become large: 8,000 companies after the
//! first 2,000 took 62 s on a fresh database, and 2.4 s once it was
//! analysed. So the import analyses the tables it writes whenever the
//! records it created doubled (from 1,000 on): about seven times for
//! 100,000 rows, each a sampled read of a few hundred milliseconds at most.

use sea_orm::{ConnectionTrait, DbBackend};

use super::ImportType;
use crate::error::CoreResult;
use crate::store::Core;

/// Records created before the first analysis.
const FIRST: u64 = 1_000;

/// When an import last analysed, in records it had created.
#[derive(Debug, Default, Clone, Copy)]
pub struct Statistics {
    analysed_at: u64,
}

impl Statistics {
    /// Analyses `ty`'s tables when `created` (the import's records so far)
    /// has doubled since the last analysis; nothing on SQLite.
    pub async fn keep_up(&mut self, core: &Core, ty: ImportType, created: u64) -> CoreResult<()> {
        if created < FIRST.max(self.analysed_at * 2) {
            return Ok(());
        }
        self.analysed_at = created;
        let db = &core.db;
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let tables: Vec<String> = tables(ty).iter().map(|t| format!(r#""{t}""#)).collect();
        db.execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
        Ok(())
    }
}

/// The tables an import of `ty` grows.
fn tables(ty: ImportType) -> &'static [&'static str] {
    match ty {
        ImportType::Companies => &[
            "company",
            "company_duplicate",
            "external_id",
            "record_change",
            "search_document",
        ],
        ImportType::Contacts => &[
            "contact",
            "contact_duplicate",
            "external_id",
            "record_change",
            "search_document",
            "lead_score_change",
        ],
        ImportType::Deals => &[
            "deal",
            "deal_stage_change",
            "deal_contact",
            "external_id",
            "record_change",
            "search_document",
        ],
        ImportType::Tickets => &["ticket", "external_id", "record_change", "search_document"],
        ImportType::Activities => &[
            "activity",
            "external_id",
            "record_change",
            "search_document",
        ],
        ImportType::Orders => &[
            "customer_order",
            "order_line",
            "external_id",
            "record_change",
        ],
        ImportType::SurveyResponses => &["survey_response", "external_id", "record_change"],
        ImportType::Engagements => &["engagement", "external_id", "record_change"],
        ImportType::Products => &["product", "record_change"],
    }
}
