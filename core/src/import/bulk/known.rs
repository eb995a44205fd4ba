//! What a batch's quick path must know before it writes: which of its keys
//! the workspace already holds, and the records its links name. One
//! statement per kind of key, however many rows the batch has.

use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, Value};
use uuid::Uuid;

use crate::Kind;
use crate::access::Actor;
use crate::error::CoreResult;
use crate::store::placeholders::for_backend;

/// Keys per `IN` list: far below both databases' limits on bound values.
const CHUNK: usize = 500;

/// The keys one row names, normalised as the row-by-row path compares them.
#[derive(Debug, Default, Clone)]
pub struct RowKeys {
    /// Its own external id in the import's source.
    pub external_id: Option<String>,
    /// Its email (contacts) or domain (companies).
    pub natural: Option<String>,
    /// Its company's external id (contacts).
    pub company_external_id: Option<String>,
    /// Its company's domain (contacts).
    pub company_domain: Option<String>,
    /// Its owner's email.
    pub owner: Option<String>,
}

/// What the workspace holds of a batch's keys.
#[derive(Debug, Default)]
pub struct Known {
    pub external_ids: HashSet<String>,
    pub naturals: HashSet<String>,
    pub companies_by_external_id: HashMap<String, Uuid>,
    /// The oldest live company of each domain.
    pub companies_by_domain: HashMap<String, Uuid>,
    /// Active members by email.
    pub owners: HashMap<String, Uuid>,
}

impl Known {
    /// Looks up every key of `rows` for records of `kind` (company or
    /// contact) in `actor`'s workspace, the import's `source`.
    pub async fn load(
        txn: &DatabaseTransaction,
        actor: &Actor,
        source: &str,
        kind: Kind,
        rows: &[RowKeys],
    ) -> CoreResult<Self> {
        let keys = |get: fn(&RowKeys) -> &Option<String>| -> Vec<String> {
            let set: HashSet<&String> = rows.iter().filter_map(|r| get(r).as_ref()).collect();
            set.into_iter().cloned().collect()
        };
        let workspace = Value::from(actor.workspace_id);
        let external = r#"SELECT "external_id" AS "key", "record_id" AS "id" FROM "external_id" WHERE "workspace_id" = ? AND "record_type" = ? AND "source" = ? AND "external_id""#;
        let (table, column) = match kind {
            Kind::Company => ("company", "domain"),
            _ => ("contact", "email"),
        };
        let natural = format!(
            r#"SELECT "{column}" AS "key", "id" FROM "{table}" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND "{column}""#
        );
        let live_company = r#"SELECT e."external_id" AS "key", e."record_id" AS "id" FROM "external_id" AS e JOIN "company" AS c ON c."workspace_id" = e."workspace_id" AND c."id" = e."record_id" AND c."deleted_at" IS NULL WHERE e."workspace_id" = ? AND e."record_type" = ? AND e."source" = ? AND e."external_id""#;
        let by_domain = r#"SELECT "domain" AS "key", "id" FROM "company" WHERE "workspace_id" = ? AND "deleted_at" IS NULL AND "domain""#;
        let owners = r#"SELECT "email" AS "key", "id" FROM "member" WHERE "workspace_id" = ? AND "deactivated_at" IS NULL AND "email""#;
        let sourced = |kind: Kind| {
            vec![
                workspace.clone(),
                Value::from(kind.name()),
                Value::from(source.to_owned()),
            ]
        };
        let mut known = Known::default();
        let ids = pairs(txn, external, sourced(kind), keys(|r| &r.external_id)).await?;
        known.external_ids = ids.into_iter().map(|(key, _)| key).collect();
        let found = pairs(txn, &natural, vec![workspace.clone()], keys(|r| &r.natural)).await?;
        known.naturals = found.into_iter().map(|(key, _)| key).collect();
        let companies = keys(|r| &r.company_external_id);
        let found = pairs(txn, live_company, sourced(Kind::Company), companies).await?;
        known.companies_by_external_id = found.into_iter().collect();
        let domains = keys(|r| &r.company_domain);
        for (domain, id) in pairs(txn, by_domain, vec![workspace.clone()], domains).await? {
            let oldest = known.companies_by_domain.entry(domain).or_insert(id);
            *oldest = (*oldest).min(id);
        }
        let found = pairs(txn, owners, vec![workspace], keys(|r| &r.owner)).await?;
        known.owners = found.into_iter().collect();
        Ok(known)
    }
}

/// The `(key, id)` rows of `select` (ending in the key column, which an
/// `IN` list of `keys` completes), its other values `fixed`.
async fn pairs(
    txn: &DatabaseTransaction,
    select: &str,
    fixed: Vec<Value>,
    keys: Vec<String>,
) -> CoreResult<Vec<(String, Uuid)>> {
    let backend = txn.get_database_backend();
    let mut found = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let listed = vec!["?"; chunk.len()].join(", ");
        let sql = format!("{select} IN ({listed})");
        let mut values = fixed.clone();
        values.extend(chunk.iter().map(|k| Value::from(k.clone())));
        let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
        for row in txn.query_all_raw(statement).await? {
            found.push((row.try_get("", "key")?, row.try_get("", "id")?));
        }
    }
    Ok(found)
}
