//! Reading a Rapport export back: a file whose header has `id` and no
//! `externalId` is an export (`/export/{type}` or `rapport export`), and its
//! columns are read as an import's. The record's global `id` becomes its
//! external id in the import's source, and each `<record>Id` link the
//! external id of that record, which the same source gave it when its own
//! file was imported: companies first, then contacts, deals, tickets, and
//! the rest, each linked to what came before. A deal's `status` WON or LOST
//! is its outcome and `closeReason` its reason; its `stages` path (with
//! `pipeline`) is its stage history. Columns an import cannot write are
//! read past: bookkeeping (`version`, `updatedAt`), figures computed again
//! (`leadScore`, a ticket's `number`, renumbered by `openedAt`), members'
//! ids (members are per workspace; the README says how to keep owners), and
//! the fields only their own operations set (consent, a company's vendor
//! and churn, an activity's completion, a pipeline's and stage's ids).

use serde_json::{Map, Value};

use super::ImportType;

/// Links of an export and the import columns they become.
const RENAMED: [(&str, &str); 5] = [
    ("id", "externalId"),
    ("companyId", "companyExternalId"),
    ("contactId", "contactExternalId"),
    ("dealId", "dealExternalId"),
    ("ticketId", "ticketExternalId"),
];

/// Columns of every export that an import reads past.
const READ_PAST: [&str; 5] = ["version", "updatedAt", "ownerId", "assigneeId", "authorId"];

/// Columns of one type's export that an import reads past.
fn read_past(ty: ImportType) -> &'static [&'static str] {
    match ty {
        ImportType::Companies => &[
            "currentVendor",
            "vendorContractEndsOn",
            "churnedAt",
            "exitReason",
        ],
        ImportType::Contacts => &[
            "leadScore",
            "emailOptIn",
            "emailOptInAt",
            "consentSource",
            "consentLegalBasis",
            "unsubscribedAt",
        ],
        ImportType::Deals => &[
            "status",
            "closeReason",
            "pipelineId",
            "stageId",
            "stageEnteredAt",
        ],
        ImportType::Tickets => &["number", "createdAt"],
        ImportType::Activities => &["completedAt"],
        _ => &[],
    }
}

/// Whether a file of `ty` with these columns is an export to read back
/// (products read their own export as it is).
pub fn is_export<'a>(ty: ImportType, mut columns: impl Iterator<Item = &'a str> + Clone) -> bool {
    ty != ImportType::Products
        && columns.clone().any(|c| c == "id")
        && !columns.any(|c| c == "externalId")
}

/// The import column an export's `column` is read as (`None`: read past).
fn as_import_column(ty: ImportType, column: &str) -> Option<&str> {
    if READ_PAST.contains(&column) || read_past(ty).contains(&column) {
        return None;
    }
    Some(
        RENAMED
            .iter()
            .find(|(from, _)| *from == column)
            .map_or(column, |(_, to)| *to),
    )
}

/// An export's header as the import columns it is read as.
pub fn header(ty: ImportType, header: &[String]) -> Vec<String> {
    if !is_export(ty, header.iter().map(String::as_str)) {
        return header.to_vec();
    }
    header
        .iter()
        .filter_map(|c| as_import_column(ty, c))
        .map(str::to_owned)
        .collect()
}

/// A row of an export as an import's row (others as they are).
pub fn row(ty: ImportType, values: Map<String, Value>) -> Map<String, Value> {
    if !is_export(ty, values.keys().map(String::as_str)) {
        return values;
    }
    let mut read = Map::with_capacity(values.len());
    if ty == ImportType::Deals {
        // A closed deal's outcome and reason; an open one has neither.
        if let Some(status) = values.get("status").and_then(Value::as_str)
            && matches!(status, "WON" | "LOST")
        {
            read.insert("outcome".into(), Value::from(status));
            if let Some(reason) = values.get("closeReason") {
                read.insert("reason".into(), reason.clone());
            }
        }
    }
    for (column, value) in values {
        if let Some(name) = as_import_column(ty, &column) {
            read.insert(name.to_owned(), value);
        }
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_exported_deal_reads_as_an_imported_one() {
        let exported = json!({ "id": "RGVhbDox", "name": "D1", "status": "WON", "closeReason": "Price", "companyId": "Q29tcGFueTox", "ownerId": "TWVtYmVyOjE=", "version": 3, "stages": [] });
        let Value::Object(values) = exported else {
            unreachable!()
        };
        let read = row(ImportType::Deals, values);
        assert_eq!(
            Value::Object(read),
            json!({ "externalId": "RGVhbDox", "name": "D1", "outcome": "WON", "reason": "Price", "companyExternalId": "Q29tcGFueTox", "stages": [] })
        );
        let own: Vec<String> = ["externalId", "id", "name"].map(String::from).to_vec();
        assert_eq!(
            header(ImportType::Contacts, &own),
            own,
            "a file with externalId is not an export"
        );
    }
}
