//! Trigger rules (ADMIN and MANAGER write them) and the sweep of the
//! time-driven ones on demand. When each kind fires is
//! [`rules::triggers::fire`](crate::rules::triggers::fire).

use crate::store::Fresh;
use std::ops::RangeInclusive;

use entity::enums::TriggerKind;
use entity::trigger_rule;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::lifecycle::delete_or_restore;
use super::unique::Unique;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::rules::triggers::fire;
use crate::store::{Author, Core, check_version, load_live, now, save_if_unchanged};

/// A trigger's settings, whole (an update replaces them all).
#[derive(Debug, Clone)]
pub struct TriggerSettings {
    pub name: String,
    pub kind: TriggerKind,
    /// CSAT_BELOW: 2–5 (answers below it fire). TICKET_BURST: 2–100 tickets.
    pub threshold: Option<i32>,
    /// TICKET_BURST: 1–365. CONTRACT_ENDING: 0–365 days ahead.
    pub within_days: Option<i32>,
    pub active: bool,
}

/// A trigger's name is unique among the workspace's live triggers.
const NAME: Unique = Unique::TriggerRuleName;
const FIELD: &str = "input.name";

/// Adds a trigger.
pub async fn create_rule(
    core: &Core,
    actor: &Actor,
    settings: TriggerSettings,
) -> CoreResult<trigger_rule::Model> {
    actor.require(Area::Settings)?;
    let (name, threshold, within_days) = check(&settings)?;
    let txn = core.begin().await?;
    NAME.check_free(&txn, actor.workspace_id, Some(&name), &[], FIELD)
        .await?;
    let at = now();
    let row = trigger_rule::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        name: Set(name),
        kind: Set(settings.kind),
        threshold: Set(threshold),
        within_days: Set(within_days),
        active: Set(settings.active),
        ..Default::default()
    }
    .fresh(at)
    .insert(&txn)
    .await
    .map_err(NAME.or_taken(FIELD))?;
    core.finish::<trigger_rule::Entity>(txn, actor, row, "created")
        .await
}

/// Replaces trigger `id`'s settings; with `expected_version`, refuses
/// (`CONFLICT`) if it changed since.
pub async fn update_rule(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    settings: TriggerSettings,
    expected_version: Option<i32>,
) -> CoreResult<trigger_rule::Model> {
    actor.require(Area::Settings)?;
    let (name, threshold, within_days) = check(&settings)?;
    let txn = core.begin().await?;
    let current = load_live::<trigger_rule::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    NAME.check_free(&txn, actor.workspace_id, Some(&name), &[id], FIELD)
        .await?;
    let change = trigger_rule::ActiveModel {
        name: Set(name),
        kind: Set(settings.kind),
        threshold: Set(threshold),
        within_days: Set(within_days),
        active: Set(settings.active),
        version: Set(current.version + 1),
        updated_at: Set(now()),
        ..Default::default()
    };
    let row =
        save_if_unchanged::<trigger_rule::Entity>(&txn, actor, id, current.version, change).await?;
    core.finish::<trigger_rule::Entity>(txn, actor, row, "updated")
        .await
}

/// Deletes (`delete`, restorable) or restores trigger `id`.
pub async fn delete_rule(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<trigger_rule::Model> {
    delete_or_restore::<trigger_rule::Entity>(
        core,
        actor,
        Area::Settings,
        id,
        expected_version,
        delete,
    )
    .await
}

/// Checks the time-driven triggers (CONTRACT_ENDING) of the actor's
/// workspace now, as the server does periodically; returns how many fired.
/// Firing is idempotent: a second run fires nothing new.
pub async fn sweep(core: &Core, actor: &Actor) -> CoreResult<usize> {
    actor.require(Area::Settings)?;
    let txn = core.begin().await?;
    let events = fire::sweep(&txn, actor.workspace_id, now()).await?;
    let fired = events.iter().filter(|e| e.kind == "trigger.fired").count();
    core.commit(txn, Author::of(actor), events).await?;
    Ok(fired)
}

/// The checked name, threshold and window of a trigger: each kind takes the
/// settings it uses, within their ranges, and refuses the others.
fn check(input: &TriggerSettings) -> CoreResult<(String, Option<i32>, Option<i32>)> {
    let name = text::required_name(&input.name, 200).map_err(CoreError::invalid("input.name"))?;
    let want = |value: Option<i32>, field: &str, range: RangeInclusive<i32>| match value {
        Some(v) if range.contains(&v) => Ok(Some(v)),
        _ => Err(CoreError::bad_input(
            field,
            format!(
                "a {:?} trigger needs it between {} and {}",
                input.kind,
                range.start(),
                range.end()
            ),
        )),
    };
    let refuse = |value: Option<i32>, field: &str| match value {
        None => Ok(None),
        Some(_) => Err(CoreError::bad_input(
            field,
            format!("a {:?} trigger does not take it", input.kind),
        )),
    };
    let (threshold, within) = match input.kind {
        TriggerKind::CsatBelow => (
            want(input.threshold, "input.threshold", 2..=5)?,
            refuse(input.within_days, "input.withinDays")?,
        ),
        TriggerKind::TicketBurst => (
            want(input.threshold, "input.threshold", 2..=100)?,
            want(input.within_days, "input.withinDays", 1..=365)?,
        ),
        TriggerKind::ContractEnding => (
            refuse(input.threshold, "input.threshold")?,
            want(input.within_days, "input.withinDays", 0..=365)?,
        ),
    };
    Ok((name, threshold, within))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(kind: TriggerKind, threshold: Option<i32>, within: Option<i32>) -> TriggerSettings {
        TriggerSettings {
            name: "Watch".into(),
            kind,
            threshold,
            within_days: within,
            active: true,
        }
    }

    fn refused_field(settings: &TriggerSettings) -> Option<String> {
        match check(settings) {
            Err(CoreError::BadInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    #[test]
    fn each_kind_takes_its_own_settings_within_range() {
        let csat = settings(TriggerKind::CsatBelow, Some(3), None);
        assert_eq!(check(&csat).unwrap(), ("Watch".into(), Some(3), None));
        let too_low = settings(TriggerKind::CsatBelow, Some(1), None);
        assert_eq!(refused_field(&too_low).as_deref(), Some("input.threshold"));
        let extra = settings(TriggerKind::CsatBelow, Some(3), Some(7));
        assert_eq!(refused_field(&extra).as_deref(), Some("input.withinDays"));
        let burst = settings(TriggerKind::TicketBurst, Some(5), None);
        assert_eq!(refused_field(&burst).as_deref(), Some("input.withinDays"));
        let ending = settings(TriggerKind::ContractEnding, None, Some(0));
        assert!(check(&ending).is_ok());
    }
}
