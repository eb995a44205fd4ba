//! Companies: create, change, delete and restore.

use crate::store::Fresh;
use entity::enums::CustomFieldRecordType;
use entity::{company, member};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, NotSet, Set};
use uuid::Uuid;

use super::Patch;
use super::custom_field::{self, values::Given};
use super::external_id::{self, ExternalId};
use super::lifecycle::delete_or_restore;
use super::unique::Unique;
use crate::Kind;
use crate::access::{Actor, Area};
use crate::domain::{currency, money, text};
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::rules::scoring::{self, Which};
use crate::store::{
    Core, check_reference, check_version, event_for, event_for_new, load_live, now,
    save_if_unchanged,
};

const KIND: Kind = Kind::Company;
/// The record type of companies' custom fields.
const CUSTOM: CustomFieldRecordType = CustomFieldRecordType::Company;
/// The domain is unique among live companies.
const DOMAIN: Unique = Unique::CompanyDomain;

/// A new company.
#[derive(Debug, Clone, Default)]
pub struct NewCompany {
    pub name: String,
    /// A domain or website URL; stored as the bare domain.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub annual_revenue: Option<Decimal>,
    /// ISO 4217; required with `annual_revenue`.
    pub annual_revenue_currency: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Its ids in other systems.
    pub external_ids: Vec<ExternalId>,
    /// Its custom field values, by key.
    pub custom_fields: Given,
}

/// Changes to a company; `Patch::Keep` fields stay.
#[derive(Debug, Clone, Default)]
pub struct CompanyChanges {
    pub name: Option<String>,
    pub domain: Patch<String>,
    pub industry: Patch<String>,
    pub employee_count: Patch<i32>,
    pub annual_revenue: Patch<Decimal>,
    pub annual_revenue_currency: Patch<String>,
    pub city: Patch<String>,
    pub country: Patch<String>,
    pub owner_id: Patch<Uuid>,
    /// With `Some`, the company's whole set of external ids.
    pub external_ids: Option<Vec<ExternalId>>,
    /// With `Some`, these custom field values (others stay).
    pub custom_fields: Option<Given>,
}

impl From<NewCompany> for CompanyChanges {
    /// Every field set as in `new` (an upsert's update).
    fn from(new: NewCompany) -> Self {
        Self {
            name: Some(new.name),
            domain: Patch::from_option(new.domain),
            industry: Patch::from_option(new.industry),
            employee_count: Patch::from_option(new.employee_count),
            annual_revenue: Patch::from_option(new.annual_revenue),
            annual_revenue_currency: Patch::from_option(new.annual_revenue_currency),
            city: Patch::from_option(new.city),
            country: Patch::from_option(new.country),
            owner_id: Patch::from_option(new.owner_id),
            external_ids: Some(new.external_ids),
            custom_fields: Some(new.custom_fields),
        }
    }
}

/// Creates a company.
pub async fn create(core: &Core, actor: &Actor, new: NewCompany) -> CoreResult<company::Model> {
    core.alone(actor, async |txn| create_in(txn, actor, new).await)
        .await
}

/// Creates a company in the caller's transaction and returns it with its
/// `company.created` event, for the caller to commit (bulk writes, imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewCompany,
) -> CoreResult<(company::Model, NewEvent)> {
    actor.require(Area::Companies)?;
    let owner_id = new.owner_id;
    let workspace = actor.workspace_id;
    let definitions = custom_field::definitions(txn, workspace, CUSTOM, false).await?;
    let (model, external_ids) = check_new(actor, new, &definitions)?;
    check_reference::<member::Entity>(txn, actor, owner_id, "input.ownerId").await?;
    let domain = model.domain.try_as_ref().and_then(|d| d.as_deref());
    DOMAIN
        .check_free(txn, workspace, domain, &[], "input.domain")
        .await?;
    let custom = model.custom_fields.try_as_ref();
    custom_field::values::check_unique_new(txn, workspace, CUSTOM, &definitions, custom).await?;
    let row = model
        .insert(txn)
        .await
        .map_err(DOMAIN.or_taken("input.domain"))?;
    external_id::attach(
        txn,
        workspace,
        KIND,
        row.id,
        &external_ids,
        false,
        external_id::INPUT_FIELD,
    )
    .await?;
    let event = event_for_new::<company::Entity>(&row, "created")?;
    Ok((row, event))
}

/// A new company checked without the database (its owner, its domain's
/// and unique fields' freedom are the caller's to check): its row, stamped
/// at the clock's time, and its external ids. `definitions`: the
/// workspace's live company fields.
pub fn check_new(
    actor: &Actor,
    new: NewCompany,
    definitions: &[entity::custom_field::Model],
) -> CoreResult<(company::ActiveModel, Vec<ExternalId>)> {
    let external_ids = external_id::validate(new.external_ids, external_id::INPUT_FIELD)?;
    let name = text::required_name(&new.name, 200).map_err(CoreError::invalid("input.name"))?;
    let fields = Fields::validate(Described {
        domain: new.domain,
        industry: new.industry,
        employee_count: new.employee_count,
        revenue: new.annual_revenue,
        revenue_currency: new.annual_revenue_currency,
        city: new.city,
        country: new.country,
    })?;
    let custom_fields = custom_field::values::checked_new(definitions, new.custom_fields)?;
    let at = now();
    let mut model = company::ActiveModel {
        custom_fields: Set(custom_fields),
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        owner_id: Set(new.owner_id),
        ..Default::default()
    }
    .fresh(at);
    fields.apply(&mut model);
    Ok((model, external_ids))
}

/// Changes company `id`; with `expected_version`, refuses (`CONFLICT`) if it
/// changed since. Its contacts' lead scores follow its fields.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: CompanyChanges,
    expected_version: Option<i32>,
) -> CoreResult<company::Model> {
    core.alone(actor, async |txn| {
        update_in(txn, actor, id, changes, expected_version).await
    })
    .await
}

/// Changes company `id` in the caller's transaction and returns it with its
/// `company.updated` event, for the caller to commit.
pub async fn update_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    changes: CompanyChanges,
    expected_version: Option<i32>,
) -> CoreResult<(company::Model, NewEvent)> {
    actor.require(Area::Companies)?;
    let external_ids = changes
        .external_ids
        .map(|ids| external_id::validate(ids, external_id::INPUT_FIELD))
        .transpose()?;
    let current = load_live::<company::Entity>(txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let name = match &changes.name {
        Some(name) => text::required_name(name, 200).map_err(CoreError::invalid("input.name"))?,
        None => current.name.clone(),
    };
    let current_revenue = current.annual_revenue_e4.map(|v| {
        money::from_e4(
            v,
            current.annual_revenue_currency.as_deref().unwrap_or("USD"),
        )
    });
    let fields = Fields::validate(Described {
        domain: changes.domain.apply(current.domain.clone()),
        industry: changes.industry.apply(current.industry.clone()),
        employee_count: changes.employee_count.apply(current.employee_count),
        revenue: changes.annual_revenue.apply(current_revenue),
        revenue_currency: changes
            .annual_revenue_currency
            .apply(current.annual_revenue_currency.clone()),
        city: changes.city.apply(current.city.clone()),
        country: changes.country.apply(current.country.clone()),
    })?;
    let (domain, workspace) = (fields.domain.as_deref(), actor.workspace_id);
    DOMAIN
        .check_free(txn, workspace, domain, &[id], "input.domain")
        .await?;
    if let Patch::Set(owner) = changes.owner_id {
        check_reference::<member::Entity>(txn, actor, Some(owner), "input.ownerId").await?;
    }
    let given = changes.custom_fields;
    let custom_fields =
        custom_field::values::for_change(txn, workspace, CUSTOM, id, &current.custom_fields, given)
            .await?;
    let mut model = company::ActiveModel {
        custom_fields: custom_fields.map_or(NotSet, Set),
        name: Set(name),
        owner_id: Set(changes.owner_id.apply(current.owner_id)),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    fields.apply(&mut model);
    let row = save_if_unchanged::<company::Entity>(txn, actor, id, current.version, model).await?;
    if let Some(ids) = external_ids {
        let workspace = actor.workspace_id;
        external_id::attach(
            txn,
            workspace,
            KIND,
            id,
            &ids,
            true,
            external_id::INPUT_FIELD,
        )
        .await?;
    }
    let reason = "company updated";
    scoring::recompute(txn, actor.workspace_id, Which::Company(id), reason, now()).await?;
    let event = event_for::<company::Entity>(&row, "updated")?;
    Ok((row, event))
}

/// Soft-deletes (`delete`) or restores company `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<company::Model> {
    delete_or_restore::<company::Entity>(core, actor, Area::Companies, id, expected_version, delete)
        .await
}

/// The descriptive fields as sent (create) or as they will be (update).
struct Described {
    domain: Option<String>,
    industry: Option<String>,
    employee_count: Option<i32>,
    revenue: Option<Decimal>,
    revenue_currency: Option<String>,
    city: Option<String>,
    country: Option<String>,
}

/// Validated descriptive fields shared by create and update.
struct Fields {
    domain: Option<String>,
    industry: Option<String>,
    employee_count: Option<i32>,
    revenue: Option<(i64, String)>,
    city: Option<String>,
    country: Option<String>,
}

impl Fields {
    fn validate(sent: Described) -> CoreResult<Self> {
        let domain = match sent
            .domain
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            Some(d) => Some(text::normalize_domain(d).map_err(CoreError::invalid("input.domain"))?),
            None => None,
        };
        if sent.employee_count.is_some_and(|n| n < 0) {
            return Err(CoreError::bad_input(
                "input.employeeCount",
                "must not be negative",
            ));
        }
        let revenue = match (sent.revenue, sent.revenue_currency) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(CoreError::bad_input(
                    "input.annualRevenueCurrency",
                    "required with annualRevenue",
                ));
            }
            (Some(amount), Some(code)) => {
                let code = currency::normalize_currency(&code)
                    .map_err(CoreError::invalid("input.annualRevenueCurrency"))?;
                let amount = money::amount_e4(amount, &code)
                    .map_err(CoreError::invalid("input.annualRevenue"))?;
                Some((amount, code))
            }
        };
        Ok(Fields {
            domain,
            industry: text::optional_text(sent.industry.as_deref(), 100)
                .map_err(CoreError::invalid("input.industry"))?,
            employee_count: sent.employee_count,
            revenue,
            city: text::optional_text(sent.city.as_deref(), 100)
                .map_err(CoreError::invalid("input.city"))?,
            country: text::country_code(sent.country)
                .map_err(CoreError::invalid("input.country"))?,
        })
    }

    fn apply(self, model: &mut company::ActiveModel) {
        model.domain = Set(self.domain);
        model.industry = Set(self.industry);
        model.employee_count = Set(self.employee_count);
        model.annual_revenue_e4 = Set(self.revenue.as_ref().map(|r| r.0));
        model.annual_revenue_currency = Set(self.revenue.map(|r| r.1));
        model.city = Set(self.city);
        model.country = Set(self.country);
    }
}
