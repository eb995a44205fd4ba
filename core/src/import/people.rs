//! Company and contact rows: matched by external id, then by domain or
//! email; created at `createdAt`, or updated (now) when the import says so.

use chrono::Utc;
use entity::enums::LifecycleStage;
use serde::Serialize;
use uuid::Uuid;

use super::cells::Cells;
use super::refusal::Refusal;
use super::touches;
use super::{OnConflict, Outcome, RowContext};
use crate::Kind;
use crate::ops::company::{self as companies, NewCompany};
use crate::ops::contact::{self as contacts, NewContact};
use crate::ops::external_id::ExternalId;
use crate::ops::upsert::{self, Match, OnMatch, Upserted};

pub const COMPANY_COLUMNS: &[&str] = &[
    "externalId",
    "name",
    "domain",
    "industry",
    "employeeCount",
    "annualRevenue",
    "annualRevenueCurrency",
    "city",
    "country",
    "ownerEmail",
    "createdAt",
];

pub const CONTACT_COLUMNS: &[&str] = &[
    "externalId",
    "firstName",
    "lastName",
    "email",
    "phone",
    "jobTitle",
    "lifecycleStage",
    "city",
    "country",
    "birthdate",
    "companyExternalId",
    "companyDomain",
    "ownerEmail",
    "createdAt",
    // The campaign that brought the contact (see `touches`).
    "campaign",
    super::touches::EXTERNAL_ID,
    "campaignTouchedAt",
];

/// A company row's record, its owner found already.
pub fn company_input(
    source: &str,
    cells: &Cells<'_>,
    owner_id: Option<Uuid>,
) -> Result<NewCompany, Refusal> {
    Ok(NewCompany {
        name: cells.required("name")?,
        domain: cells.text("domain")?,
        industry: cells.text("industry")?,
        employee_count: cells.integer("employeeCount")?,
        annual_revenue: cells.decimal("annualRevenue")?,
        annual_revenue_currency: cells.text("annualRevenueCurrency")?,
        city: cells.text("city")?,
        country: cells.text("country")?,
        owner_id,
        external_ids: external_ids(source, cells)?,
        custom_fields: cells.custom_fields(),
    })
}

/// A contact row's record, its company and owner found already.
pub fn contact_input(
    source: &str,
    cells: &Cells<'_>,
    company_id: Option<Uuid>,
    owner_id: Option<Uuid>,
) -> Result<NewContact, Refusal> {
    Ok(NewContact {
        first_name: cells.required("firstName")?,
        last_name: cells.text("lastName")?.unwrap_or_default(),
        email: cells.text("email")?,
        phone: cells.text("phone")?,
        job_title: cells.text("jobTitle")?,
        lifecycle_stage: cells
            .choice::<LifecycleStage>("lifecycleStage")?
            .unwrap_or(LifecycleStage::Lead),
        city: cells.text("city")?,
        country: cells.text("country")?,
        birthdate: cells.date("birthdate")?,
        company_id,
        owner_id,
        external_ids: external_ids(source, cells)?,
        custom_fields: cells.custom_fields(),
    })
}

/// A company row.
pub async fn company(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    let owner_id = ctx.links().member(cells, "ownerEmail").await?;
    let new = company_input(ctx.source, cells, owner_id)?;
    let Some(by) = existing(ctx, cells, Kind::Company, new.domain.clone()).await? else {
        ctx.at(cells.time("createdAt")?.unwrap_or_else(Utc::now));
        let (_, event) = companies::create_in(ctx.txn, ctx.actor, new).await?;
        ctx.record(vec![event]).await?;
        return Ok(Outcome::Created);
    };
    ctx.at(Utc::now());
    let before = upsert_before::<entity::company::Entity>(ctx, &by).await?;
    let on_match = on_match(ctx.on_conflict);
    let (row, done, events) = upsert::company_in(ctx.txn, ctx.actor, &by, new, on_match).await?;
    finish(ctx, before.as_ref(), &row, done, events).await
}

/// A contact row.
pub async fn contact(ctx: &RowContext<'_>, cells: &Cells<'_>) -> Result<Outcome, Refusal> {
    let links = ctx.links();
    let company_id = links.company(cells, "company").await?;
    let owner_id = links.member(cells, "ownerEmail").await?;
    let new = contact_input(ctx.source, cells, company_id, owner_id)?;
    let touch = touches::of_row(ctx, cells).await?;
    let Some(by) = existing(ctx, cells, Kind::Contact, new.email.clone()).await? else {
        ctx.at(cells.time("createdAt")?.unwrap_or_else(Utc::now));
        let (row, event) = contacts::create_in(ctx.txn, ctx.actor, new).await?;
        ctx.record(vec![event]).await?;
        let (_, touched) = touches::apply(ctx, row, touch).await?;
        ctx.record(touched).await?;
        return Ok(Outcome::Created);
    };
    ctx.at(Utc::now());
    let before = upsert_before::<entity::contact::Entity>(ctx, &by).await?;
    let on_match = on_match(ctx.on_conflict);
    let (row, done, mut events) =
        upsert::contact_in(ctx.txn, ctx.actor, &by, new, on_match).await?;
    // The touch counts as part of the row's change: a row that only brings
    // a campaign still updates the contact.
    let (row, touched) = match done {
        Upserted::Skipped => (row, Vec::new()),
        _ => touches::apply(ctx, row, touch).await?,
    };
    events.extend(touched);
    finish(ctx, before.as_ref(), &row, done, events).await
}

/// The row's `externalId` as an id of the import's source.
fn external_ids(source: &str, cells: &Cells<'_>) -> Result<Vec<ExternalId>, Refusal> {
    Ok(cells
        .text("externalId")?
        .map(|id| vec![ExternalId::new(source, id.trim())])
        .unwrap_or_default())
}

/// How the row's existing record is found, if it exists: by external id
/// when the source knows it, else by its natural key (domain or email).
async fn existing(
    ctx: &RowContext<'_>,
    cells: &Cells<'_>,
    kind: Kind,
    key: Option<String>,
) -> Result<Option<Match>, Refusal> {
    if let Some(id) = cells.text("externalId")? {
        let id = ExternalId::new(ctx.source, id.trim());
        if ctx.links().by_external_id(kind, &id.id).await?.is_some() {
            return Ok(Some(Match::ExternalId(id)));
        }
    }
    let Some(key) = key.filter(|k| !k.trim().is_empty()) else {
        return Ok(None);
    };
    let by = Match::Key(key);
    let found = match kind {
        Kind::Company => upsert_before::<entity::company::Entity>(ctx, &by).await?,
        _ => upsert_before::<entity::contact::Entity>(ctx, &by).await?,
    };
    Ok(found.map(|_| by))
}

/// The record `by` finds, as JSON (to tell an update that changes nothing).
async fn upsert_before<T: crate::store::Table>(
    ctx: &RowContext<'_>,
    by: &Match,
) -> Result<Option<serde_json::Value>, Refusal>
where
    T::Model: Serialize,
{
    let found = match by {
        Match::ExternalId(id) => match ctx.links().by_external_id(T::KIND, &id.id).await? {
            Some(record_id) => crate::store::load_any::<T>(ctx.txn, ctx.actor, record_id)
                .await
                .ok(),
            None => None,
        },
        Match::Key(key) => find_by_key::<T>(ctx, key).await?,
    };
    Ok(found.and_then(|row| serde_json::to_value(row).ok()))
}

async fn find_by_key<T: crate::store::Table>(
    ctx: &RowContext<'_>,
    key: &str,
) -> Result<Option<T::Model>, Refusal> {
    use sea_orm::QueryFilter;
    use sea_orm::sea_query::ExprTrait;
    let (column, normalised) = match T::KIND {
        Kind::Company => (
            "domain",
            crate::domain::text::normalize_domain(key)
                .map_err(|e| Refusal::bad_input("domain", e.0))?,
        ),
        _ => (
            "email",
            crate::domain::email::normalize_email(key)
                .map_err(|e| Refusal::bad_input("email", e.0))?,
        ),
    };
    Ok(T::find()
        .filter(crate::store::scope::<T>(ctx.actor.workspace_id))
        .filter(crate::store::col(T::TABLE, column).eq(normalised))
        .all(ctx.txn)
        .await?
        .into_iter()
        .min_by_key(|row| T::id(row)))
}

fn on_match(on_conflict: OnConflict) -> OnMatch {
    match on_conflict {
        OnConflict::Skip => OnMatch::Skip,
        OnConflict::Update => OnMatch::Update,
        OnConflict::Error => OnMatch::Refuse,
    }
}

/// Records the row's history and tells what it did; an update that
/// changed nothing is `Unchanged` (its savepoint is rolled back).
async fn finish<M: Serialize>(
    ctx: &RowContext<'_>,
    before: Option<&serde_json::Value>,
    row: &M,
    done: Upserted,
    events: Vec<crate::events::NewEvent>,
) -> Result<Outcome, Refusal> {
    match done {
        Upserted::Created => {
            ctx.record(events).await?;
            Ok(Outcome::Created)
        }
        Upserted::Skipped => Ok(Outcome::Skipped),
        Upserted::Updated => {
            let after = serde_json::to_value(row).ok();
            if same_fields(before, after.as_ref()) {
                return Ok(Outcome::Unchanged);
            }
            ctx.record(events).await?;
            Ok(Outcome::Updated)
        }
    }
}

/// Equal but for the bookkeeping every write touches.
fn same_fields(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> bool {
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("version");
            map.remove("updated_at");
        }
        v
    };
    matches!((before, after), (Some(b), Some(a)) if strip(b) == strip(a))
}
