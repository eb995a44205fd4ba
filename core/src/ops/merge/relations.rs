//! Moves everything that points at merged records to the survivor.
//!
//! Every table of `entity/` with a reference to a contact or a company is
//! listed here or below with the reason it stays:
//! - `deal_stage_change`: points at deals only; deals move with their company.
//! - `trigger_firing`: the record a trigger fired for, kept so a firing is
//!   not repeated for the same occasion of the record it was about.
//! - `document`: moves with its record (below, by record type).
//! - `record_change` and `event`: history and the outbox stay with the
//!   record they describe (each side records the merge itself).

use entity::contact;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Value};
use uuid::Uuid;

use crate::error::CoreResult;
use crate::kind::Kind;
use crate::rules::stored_figures::run;
use crate::store::derived;

/// `(table, column)` of the references that move as they are.
fn references(kind: Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
        Kind::Contact => &[
            ("activity", "contact_id"),
            ("customer_order", "contact_id"),
            ("ticket", "contact_id"),
            ("survey_response", "contact_id"),
            ("engagement", "contact_id"),
            ("lead_score_change", "contact_id"),
        ],
        Kind::Company => &[
            ("contact", "company_id"),
            ("deal", "company_id"),
            ("ticket", "company_id"),
            ("activity", "company_id"),
            ("customer_order", "company_id"),
        ],
        _ => &[],
    }
}

/// `(table, key column, record column, record type)` of links unique per
/// record: a merged record's link the survivor already has is dropped (a
/// deal's contact role, a tag), the rest move.
fn unique_links(
    kind: Kind,
) -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
)> {
    let mut links = vec![("tagging", "tag_id", "record_id", Some(tag_type(kind)))];
    if kind == Kind::Contact {
        links.push(("deal_contact", "deal_id", "contact_id", None));
    }
    links
}

/// How tags and documents name the record type of a merge.
fn tag_type(kind: Kind) -> &'static str {
    if kind == Kind::Contact {
        "CONTACT"
    } else {
        "COMPANY"
    }
}

/// Points every reference to `merged` at `survivor`, in `txn`.
pub async fn move_references(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    kind: Kind,
    survivor: Uuid,
    merged: &[Uuid],
) -> CoreResult<()> {
    let (ws, to) = (Value::from(workspace_id), Value::from(survivor));
    for from in merged.iter().map(|id| Value::from(*id)) {
        for (table, column) in references(kind) {
            let sql = format!(
                r#"UPDATE "{table}" SET "{column}" = ? WHERE "workspace_id" = ? AND "{column}" = ?"#
            );
            run(txn, &sql, vec![to.clone(), ws.clone(), from.clone()]).await?;
        }
        for (table, key, column, record_type) in unique_links(kind) {
            let typed = record_type
                .map(|t| format!(r#" AND "record_type" = '{t}'"#))
                .unwrap_or_default();
            let drop = format!(
                r#"DELETE FROM "{table}" WHERE "workspace_id" = ? AND "{column}" = ?{typed} AND "{key}" IN (SELECT "{key}" FROM "{table}" WHERE "workspace_id" = ? AND "{column}" = ?{typed})"#
            );
            let values = vec![ws.clone(), from.clone(), ws.clone(), to.clone()];
            run(txn, &drop, values).await?;
            let take = format!(
                r#"UPDATE "{table}" SET "{column}" = ? WHERE "workspace_id" = ? AND "{column}" = ?{typed}"#
            );
            run(txn, &take, vec![to.clone(), ws.clone(), from.clone()]).await?;
        }
        // Ids in other systems: the merged record's keep resolving, to the survivor.
        let external = r#"UPDATE "external_id" SET "record_id" = ? WHERE "workspace_id" = ? AND "record_type" = ? AND "record_id" = ?"#;
        let values = vec![to.clone(), ws.clone(), kind.name().into(), from.clone()];
        run(txn, external, values).await?;
        // Documents follow their record to the survivor.
        let documents = r#"UPDATE "document" SET "record_id" = ? WHERE "workspace_id" = ? AND "record_type" = ? AND "record_id" = ?"#;
        let values = vec![to.clone(), ws.clone(), tag_type(kind).into(), from.clone()];
        run(txn, documents, values).await?;
    }
    if kind == Kind::Company {
        // The contacts now at the survivor may match each other by name
        // there: their pairs are found anew (no event of theirs says so).
        let moved: Vec<Uuid> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .filter(contact::Column::WorkspaceId.eq(workspace_id))
            .filter(contact::Column::CompanyId.eq(survivor))
            .into_tuple()
            .all(txn)
            .await?;
        derived::refresh_records(txn, workspace_id, "contact", moved).await?;
    }
    Ok(())
}
