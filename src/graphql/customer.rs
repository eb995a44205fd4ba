//! The customer facts of a company that sales acts on: the competitor's
//! contract it could be won from, and its exit when it stops buying (what
//! churn figures count).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::company;
use entity::enums::ReasonKind;
use sea_orm::Set;

use super::company::{Company, CompanyPayload};
use super::context::writer;
use super::error::{ApiError, ApiResult};
use super::ids::{self, Kind};
use super::level::Level;
use super::reason;
use super::write::{self, begin, check_version, commit, event_for, load_live, now};
use crate::auth::Area;
use crate::domain::text;

/// Longest vendor name.
const VENDOR_MAX: usize = 200;

/// Saves `change` on the company if still at the checked version, with its event.
async fn save(
    ctx: &Context<'_>,
    id: ID,
    expected_version: Option<i32>,
    make: impl FnOnce(&company::Model) -> ApiResult<company::ActiveModel>,
    action: &str,
) -> ApiResult<CompanyPayload> {
    let actor = writer(ctx, Area::Companies)?;
    let id = ids::decode(&id, Kind::Company, "id")?;
    let txn = begin(ctx).await?;
    let current = load_live::<Company>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let mut change = make(&current)?;
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row = write::save_if_unchanged::<Company>(&txn, actor, id, current.version, change).await?;
    let mut events = vec![event_for::<Company>(&row, action)?];
    // A contract end already within a trigger's window fires now, not at the next sweep.
    events.extend(crate::graphql::triggers::fire::on_contract(&txn, &row, now()).await?);
    commit(ctx, txn, actor, events).await?;
    Ok(CompanyPayload {
        company: Company(Level::single(row)),
    })
}

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Records the competitor a company buys from and when that contract
    /// ends (null for both clears it). A `CONTRACT_ENDING` trigger watches
    /// the date.
    async fn set_company_competitor_contract(
        &self,
        ctx: &Context<'_>,
        id: ID,
        current_vendor: Option<String>,
        contract_ends_on: Option<NaiveDate>,
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let vendor = text::optional_text(current_vendor.as_deref(), VENDOR_MAX)
            .map_err(ApiError::invalid("currentVendor"))?;
        if vendor.is_none() && contract_ends_on.is_some() {
            return Err(ApiError::bad_input(
                "currentVendor",
                "a contract end date needs the vendor it is with",
            ));
        }
        let change = company::ActiveModel {
            current_vendor: Set(vendor),
            vendor_contract_ends_on: Set(contract_ends_on),
            ..Default::default()
        };
        save(ctx, id, expected_version, |_| Ok(change), "updated").await
    }

    /// Records that a company stopped being a customer, why (a CUSTOMER_EXIT
    /// reason) and when (default now).
    async fn record_company_exit(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        churned_at: Option<DateTime<Utc>>,
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let actor = writer(ctx, Area::Companies)?;
        let db = &super::context::state(ctx)?.db;
        let code =
            reason::check_code(db, actor, ReasonKind::CustomerExit, &reason, "reason").await?;
        let at = churned_at.map_or_else(now, |t| t.trunc_subsecs(6));
        save(
            ctx,
            id,
            expected_version,
            |current| {
                if current.churned_at.is_some() {
                    return Err(ApiError::bad_input(
                        "id",
                        "the company has left already (undo the exit first)",
                    ));
                }
                Ok(company::ActiveModel {
                    churned_at: Set(Some(at)),
                    exit_reason: Set(Some(code)),
                    ..Default::default()
                })
            },
            "exited",
        )
        .await
    }

    /// Takes back a recorded exit: the company is a customer again.
    async fn undo_company_exit(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<CompanyPayload> {
        let change = company::ActiveModel {
            churned_at: Set(None),
            exit_reason: Set(None),
            ..Default::default()
        };
        save(ctx, id, expected_version, |_| Ok(change), "updated").await
    }
}
