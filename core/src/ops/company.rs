//! Companies: create, change, delete and restore.

use entity::{company, member};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::Patch;
use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::{currency, money, text};
use crate::error::{CoreError, CoreResult};
use crate::rules::scoring::{self, Which};
use crate::store::{Core, check_reference, check_version, load_live, now, save_if_unchanged};

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
}

/// Creates a company.
pub async fn create(core: &Core, actor: &Actor, new: NewCompany) -> CoreResult<company::Model> {
    actor.require(Area::Companies)?;
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
    let txn = core.begin().await?;
    check_reference::<member::Entity>(&txn, actor, new.owner_id, "input.ownerId").await?;
    let at = now();
    let mut model = company::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        owner_id: Set(new.owner_id),
        version: Set(1),
        deleted_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    fields.apply(&mut model);
    let row = model.insert(&txn).await?;
    core.finish::<company::Entity>(txn, actor, row, "created")
        .await
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
    actor.require(Area::Companies)?;
    let txn = core.begin().await?;
    let current = load_live::<company::Entity>(&txn, actor, id).await?;
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
    if let Patch::Set(owner) = changes.owner_id {
        check_reference::<member::Entity>(&txn, actor, Some(owner), "input.ownerId").await?;
    }
    let mut model = company::ActiveModel {
        name: Set(name),
        owner_id: Set(changes.owner_id.apply(current.owner_id)),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    fields.apply(&mut model);
    let row = save_if_unchanged::<company::Entity>(&txn, actor, id, current.version, model).await?;
    let reason = "company updated";
    scoring::recompute(&txn, actor.workspace_id, Which::Company(id), reason, now()).await?;
    core.finish::<company::Entity>(txn, actor, row, "updated")
        .await
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
