//! Campaigns: what marketing ran (a channel, a period), what it cost and what
//! it was for. A campaign's spend is in ONE currency (the currency it was
//! paid in); figures across campaigns are reported per currency, never
//! converted. ADMIN and MANAGER manage campaigns; every role reads them
//! (SUPPORT without the amounts, like deal amounts).

use crate::store::Fresh;
use chrono::NaiveDate;
use entity::campaign;
use entity::enums::{CampaignChannel, CampaignStatus};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::Patch;
use super::edit::non_negative_amount;
use super::external_id::{self, ExternalId};
use super::lifecycle::delete_or_restore;
use crate::Kind;
use crate::access::{Actor, Area};
use crate::domain::{money, text};
use crate::error::{CoreError, CoreResult};
use crate::store::{Core, check_version, load_live, now, save_if_unchanged};

/// Longest campaign name, in characters.
const NAME_MAX: usize = 200;
/// Longest goal text, in characters.
const GOAL_MAX: usize = 1000;

/// A new campaign.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub channel: CampaignChannel,
    pub status: CampaignStatus,
    pub starts_on: NaiveDate,
    /// The last day (included); `None` while open-ended.
    pub ends_on: Option<NaiveDate>,
    /// Zero or more, with at most as many decimals as the currency has.
    pub spend: Decimal,
    pub currency: String,
    pub goal: Option<String>,
    /// Its ids in other systems (an import links contacts to it by them).
    pub external_ids: Vec<ExternalId>,
}

/// Changes to a campaign; `Keep` and `None` fields stay.
#[derive(Debug, Clone, Default)]
pub struct CampaignChanges {
    pub name: Option<String>,
    pub channel: Option<CampaignChannel>,
    pub status: Option<CampaignStatus>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Patch<NaiveDate>,
    pub spend: Option<Decimal>,
    pub currency: Option<String>,
    pub goal: Patch<String>,
    /// The whole set of its external ids; `None` keeps them.
    pub external_ids: Option<Vec<ExternalId>>,
}

/// Records a campaign (ADMIN and MANAGER).
pub async fn create(core: &Core, actor: &Actor, new: NewCampaign) -> CoreResult<campaign::Model> {
    actor.require(Area::Campaigns)?;
    let name = check_name(&new.name)?;
    check_period(new.starts_on, new.ends_on)?;
    let (code, spend_e4) = non_negative_amount(new.spend, &new.currency, "input.spend")?;
    let goal = check_goal(new.goal)?;
    let external_ids = external_id::validate(new.external_ids, external_id::INPUT_FIELD)?;
    let txn = core.begin().await?;
    let at = now();
    let row = campaign::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        channel: Set(new.channel),
        status: Set(new.status),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        spend_e4: Set(spend_e4),
        currency: Set(code),
        goal: Set(goal),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await?;
    let field = external_id::INPUT_FIELD;
    external_id::attach(
        &txn,
        actor.workspace_id,
        Kind::Campaign,
        row.id,
        &external_ids,
        false,
        field,
    )
    .await?;
    core.finish::<campaign::Entity>(txn, actor, row, "created")
        .await
}

/// Changes campaign `id`; with `expected_version`, refuses (`CONFLICT`) if
/// it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: CampaignChanges,
    expected_version: Option<i32>,
) -> CoreResult<campaign::Model> {
    actor.require(Area::Campaigns)?;
    let name = changes.name.as_deref().map(check_name).transpose()?;
    let goal = match changes.goal {
        Patch::Set(goal) => Patch::from_option(check_goal(Some(goal))?),
        other => other,
    };
    let external_ids = changes
        .external_ids
        .map(|ids| external_id::validate(ids, external_id::INPUT_FIELD))
        .transpose()?;
    let txn = core.begin().await?;
    let current = load_live::<campaign::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let starts_on = changes.starts_on.unwrap_or(current.starts_on);
    let ends_on = changes.ends_on.apply(current.ends_on);
    check_period(starts_on, ends_on)?;
    let code = changes.currency.unwrap_or_else(|| current.currency.clone());
    // A kept spend is re-checked against a new currency's decimals.
    let spend = changes
        .spend
        .unwrap_or_else(|| money::from_e4(current.spend_e4, &current.currency));
    let (code, spend_e4) = non_negative_amount(spend, &code, "input.spend")?;
    let change = campaign::ActiveModel {
        name: Set(name.unwrap_or_else(|| current.name.clone())),
        channel: Set(changes.channel.unwrap_or(current.channel)),
        status: Set(changes.status.unwrap_or(current.status)),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        spend_e4: Set(spend_e4),
        currency: Set(code),
        goal: Set(goal.apply(current.goal.clone())),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row =
        save_if_unchanged::<campaign::Entity>(&txn, actor, id, current.version, change).await?;
    if let Some(ids) = external_ids {
        let field = external_id::INPUT_FIELD;
        external_id::attach(
            &txn,
            actor.workspace_id,
            Kind::Campaign,
            id,
            &ids,
            true,
            field,
        )
        .await?;
    }
    core.finish::<campaign::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes (`delete`) or restores campaign `id`. Attribution pointing
/// at it stays: a restored campaign gets its leads back.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<campaign::Model> {
    delete_or_restore::<campaign::Entity>(
        core,
        actor,
        Area::Campaigns,
        id,
        expected_version,
        delete,
    )
    .await
}

fn check_name(raw: &str) -> CoreResult<String> {
    text::required_name(raw, NAME_MAX).map_err(CoreError::invalid("input.name"))
}

fn check_goal(raw: Option<String>) -> CoreResult<Option<String>> {
    text::optional_text(raw.as_deref(), GOAL_MAX).map_err(CoreError::invalid("input.goal"))
}

/// A period whose end, when there is one, is not before its start.
fn check_period(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> CoreResult<()> {
    if ends_on.is_some_and(|end| end < starts_on) {
        return Err(CoreError::bad_input(
            "input.endsOn",
            "must not be before startsOn",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_spends_and_names_are_checked() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        assert!(check_period(day(1), None).is_ok());
        assert!(check_period(day(1), Some(day(1))).is_ok());
        assert!(check_period(day(2), Some(day(1))).is_err());
        assert_eq!(
            non_negative_amount(Decimal::new(1050, 2), "usd", "input.spend").unwrap(),
            ("USD".to_owned(), 105_000)
        );
        assert!(non_negative_amount(Decimal::new(-1, 0), "USD", "input.spend").is_err());
        assert!(non_negative_amount(Decimal::new(1, 1), "JPY", "input.spend").is_err());
        assert!(check_name("  ").is_err());
        assert_eq!(check_goal(Some("  ".into())).unwrap(), None);
    }
}
