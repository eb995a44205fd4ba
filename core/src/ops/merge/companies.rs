//! `mergeCompanies`: duplicates of an organisation folded into one company.

use entity::company;

use super::fields::{Default, Field, fill};
use super::{Merge, Merged, Spec, merge};
use crate::access::Actor;
use crate::error::CoreResult;
use crate::ops::unique::Unique;
use crate::rules::scoring::Which;
use crate::rules::stored_figures::Owners;
use crate::store::Core;

/// What `keep` may name on a company, and the columns each moves.
const FIELDS: &[Field] = &[
    fill("name", &["name"]),
    fill("domain", &["domain"]),
    fill("industry", &["industry"]),
    fill("employeeCount", &["employee_count"]),
    fill(
        "annualRevenue",
        &["annual_revenue_e4", "annual_revenue_currency"],
    ),
    fill("city", &["city"]),
    fill("country", &["country"]),
    fill("ownerId", &["owner_id"]),
    fill(
        "currentVendor",
        &["current_vendor", "vendor_contract_ends_on"],
    ),
    Field {
        name: "churn",
        columns: &["churned_at", "exit_reason"],
        default: Default::Survivor,
    },
];

/// Merges `command.merged` companies into `command.survivor`: their
/// contacts, deals, tickets, activities, orders, tags and external ids
/// become the survivor's, and the moved contacts are rescored on its
/// firmographics.
pub async fn merge_companies(
    core: &Core,
    actor: &Actor,
    command: Merge,
) -> CoreResult<Merged<company::Model>> {
    let spec = Spec {
        fields: FIELDS,
        unique: Unique::CompanyDomain,
        rescore: Which::Company,
        owners: |before: &company::Model, _: &company::Model, merged: &[company::Model]| {
            let owners = Owners::of(None, Some(before.id));
            merged
                .iter()
                .fold(owners, |owners, row| owners.and(None, Some(row.id)))
        },
        refuse: |_: &company::Model| None,
    };
    merge::<company::Entity>(core, actor, command, spec).await
}
