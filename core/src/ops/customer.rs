//! The customer facts of a company that sales acts on: the competitor's
//! contract it could be won from, and its exit when it stops buying (what
//! churn figures count).

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use entity::company;
use entity::enums::ReasonKind;
use sea_orm::{DatabaseTransaction, Set};
use uuid::Uuid;

use super::reason::check_code;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::rules::triggers::fire;
use crate::store::{Author, Core, check_version, event_for, load_live, now, save_if_unchanged};

/// Longest vendor name.
const VENDOR_MAX: usize = 200;

/// Records the competitor company `id` buys from and when that contract
/// ends (`None` for both clears it). A `CONTRACT_ENDING` trigger watches the date.
pub async fn set_competitor_contract(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    current_vendor: Option<&str>,
    contract_ends_on: Option<NaiveDate>,
    expected_version: Option<i32>,
) -> CoreResult<company::Model> {
    actor.require(Area::Companies)?;
    let vendor = text::optional_text(current_vendor, VENDOR_MAX)
        .map_err(CoreError::invalid("currentVendor"))?;
    if vendor.is_none() && contract_ends_on.is_some() {
        return Err(CoreError::bad_input(
            "currentVendor",
            "a contract end date needs the vendor it is with",
        ));
    }
    let txn = core.begin().await?;
    let current = load_live::<company::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let change = company::ActiveModel {
        current_vendor: Set(vendor),
        vendor_contract_ends_on: Set(contract_ends_on),
        ..Default::default()
    };
    save(core, txn, actor, &current, change, "updated").await
}

/// Records that company `id` stopped being a customer, why (a CUSTOMER_EXIT
/// reason code) and when (default now).
pub async fn record_exit(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    reason: &str,
    churned_at: Option<DateTime<Utc>>,
    expected_version: Option<i32>,
) -> CoreResult<company::Model> {
    actor.require(Area::Companies)?;
    let txn = core.begin().await?;
    let code = check_code(&txn, actor, ReasonKind::CustomerExit, reason, "reason").await?;
    let at = churned_at.map_or_else(now, |t| t.trunc_subsecs(6));
    let current = load_live::<company::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    if current.churned_at.is_some() {
        return Err(CoreError::bad_input(
            "id",
            "the company has left already (undo the exit first)",
        ));
    }
    let change = company::ActiveModel {
        churned_at: Set(Some(at)),
        exit_reason: Set(Some(code)),
        ..Default::default()
    };
    save(core, txn, actor, &current, change, "exited").await
}

/// Takes back the recorded exit of company `id`: it is a customer again.
pub async fn undo_exit(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> CoreResult<company::Model> {
    actor.require(Area::Companies)?;
    let txn = core.begin().await?;
    let current = load_live::<company::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let change = company::ActiveModel {
        churned_at: Set(None),
        exit_reason: Set(None),
        ..Default::default()
    };
    save(core, txn, actor, &current, change, "updated").await
}

/// Saves `change` over `current` if still at its version, with its event and
/// any contract trigger it fires, and commits.
async fn save(
    core: &Core,
    txn: DatabaseTransaction,
    actor: &Actor,
    current: &company::Model,
    mut change: company::ActiveModel,
    verb: &str,
) -> CoreResult<company::Model> {
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row =
        save_if_unchanged::<company::Entity>(&txn, actor, current.id, current.version, change)
            .await?;
    let mut events = vec![event_for::<company::Entity>(&row, verb)?];
    // A contract end already within a trigger's window fires now, not at the next sweep.
    events.extend(fire::on_contract(&txn, &row, now()).await?);
    core.commit(txn, Author::of(actor), events).await?;
    Ok(row)
}
