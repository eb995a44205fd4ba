//! When triggers fire. Each firing is recorded once per trigger, record and
//! occasion (a unique index backs the check), creates a task for the
//! record's owner, and produces two events: the task's `activity.created`
//! and `trigger.fired` on the `trigger` channel. Firings happen inside the
//! transaction of the change that caused them, or in a sweep for
//! conditions that time alone makes true (a contract end coming near).

use crate::store::Fresh;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{ActivityKind, SurveyKind, TriggerKind};
use entity::{activity, company, contact, survey_response, ticket, trigger_firing, trigger_rule};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::error::CoreResult;
use crate::events::NewEvent;
use crate::store::event_for_new;

/// How long the owner has for a task a trigger creates.
const TASK_DUE_IN: Duration = Duration::days(1);

/// Who a firing is about and who must act.
struct Target {
    record_id: Uuid,
    contact_id: Option<Uuid>,
    company_id: Option<Uuid>,
    owner_id: Option<Uuid>,
}

/// The active triggers of `kind` in the workspace.
async fn active<C: ConnectionTrait>(
    db: &C,
    workspace_id: Uuid,
    kind: TriggerKind,
) -> CoreResult<Vec<trigger_rule::Model>> {
    Ok(trigger_rule::Entity::find()
        .filter(trigger_rule::Column::WorkspaceId.eq(workspace_id))
        .filter(trigger_rule::Column::Kind.eq(kind))
        .filter(trigger_rule::Column::Active.eq(true))
        .filter(trigger_rule::Column::DeletedAt.is_null())
        .all(db)
        .await?)
}

/// Fires `rule` for `target` on `occasion` unless it fired for it already.
async fn fire(
    txn: &DatabaseTransaction,
    rule: &trigger_rule::Model,
    target: Target,
    occasion: String,
    subject: String,
    at: DateTime<Utc>,
) -> CoreResult<Vec<NewEvent>> {
    let fired = trigger_firing::Entity::find()
        .filter(trigger_firing::Column::WorkspaceId.eq(rule.workspace_id))
        .filter(trigger_firing::Column::TriggerId.eq(rule.id))
        .filter(trigger_firing::Column::RecordId.eq(target.record_id))
        .filter(trigger_firing::Column::Occasion.eq(occasion.as_str()))
        .count(txn)
        .await?;
    if fired > 0 {
        return Ok(Vec::new());
    }
    let task = activity::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(rule.workspace_id),
        kind: Set(ActivityKind::Task),
        subject: Set(subject),
        body: Set(Some(format!("Created by the trigger \"{}\".", rule.name))),
        occurred_at: Set(at),
        due_at: Set(Some(at + TASK_DUE_IN)),
        completed_at: Set(None),
        contact_id: Set(target.contact_id),
        company_id: Set(target.company_id),
        deal_id: Set(None),
        ticket_id: Set(None),
        author_id: Set(None),
        assignee_id: Set(target.owner_id),
        ..Default::default()
    }
    .fresh(at)
    .insert(txn)
    .await?;
    let firing = trigger_firing::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(rule.workspace_id),
        trigger_id: Set(rule.id),
        record_id: Set(target.record_id),
        occasion: Set(occasion),
        task_id: Set(task.id),
        fired_at: Set(at),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(txn)
    .await?;
    // The event is about the firing (a new record), so history keeps it as
    // the firing's own entry rather than as a change of the rule.
    let fired = NewEvent {
        topic: "trigger".to_owned(),
        kind: "trigger.fired".to_owned(),
        record_type: "TriggerFiring",
        record_id: firing.id,
        payload: json!({ "triggerfiring": firing, "trigger": rule, "task": task }),
        new_record: true,
    };
    Ok(vec![
        event_for_new::<activity::Entity>(&task, "created")?,
        fired,
    ])
}

fn contact_target(c: &contact::Model) -> Target {
    Target {
        record_id: c.id,
        contact_id: Some(c.id),
        company_id: c.company_id,
        owner_id: c.owner_id,
    }
}

fn name(c: &contact::Model) -> String {
    format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned()
}

async fn contact_of(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    id: Uuid,
) -> CoreResult<Option<contact::Model>> {
    Ok(contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(contact::Column::Id.eq(id))
        .filter(contact::Column::DeletedAt.is_null())
        .one(txn)
        .await?)
}

/// CSAT_BELOW: a CSAT answer under the trigger's threshold.
pub async fn on_survey(
    txn: &DatabaseTransaction,
    survey: &survey_response::Model,
    at: DateTime<Utc>,
) -> CoreResult<Vec<NewEvent>> {
    if survey.kind != SurveyKind::Csat {
        return Ok(Vec::new());
    }
    let mut events = Vec::new();
    for rule in active(txn, survey.workspace_id, TriggerKind::CsatBelow).await? {
        if rule.threshold.is_none_or(|t| survey.score >= t) {
            continue;
        }
        let Some(contact) = contact_of(txn, survey.workspace_id, survey.contact_id).await? else {
            continue;
        };
        let subject = format!("Follow up: CSAT {} from {}", survey.score, name(&contact));
        let occasion = format!("survey:{}", survey.id);
        events.extend(fire(txn, &rule, contact_target(&contact), occasion, subject, at).await?);
    }
    Ok(events)
}

/// TICKET_BURST: the ticket's contact opened `threshold` tickets within the
/// last `within_days` days. It fires once per window: not again while an
/// earlier firing for the contact is younger than the window.
pub async fn on_ticket(
    txn: &DatabaseTransaction,
    ticket: &ticket::Model,
    at: DateTime<Utc>,
) -> CoreResult<Vec<NewEvent>> {
    let Some(contact_id) = ticket.contact_id else {
        return Ok(Vec::new());
    };
    let mut events = Vec::new();
    for rule in active(txn, ticket.workspace_id, TriggerKind::TicketBurst).await? {
        let (Some(threshold), Some(days)) = (rule.threshold, rule.within_days) else {
            continue;
        };
        let since = at - Duration::days(i64::from(days));
        let recent = ticket::Entity::find()
            .filter(ticket::Column::WorkspaceId.eq(ticket.workspace_id))
            .filter(ticket::Column::ContactId.eq(contact_id))
            .filter(ticket::Column::DeletedAt.is_null())
            .filter(ticket::Column::OpenedAt.gt(since))
            .count(txn)
            .await?;
        if recent < u64::try_from(threshold).unwrap_or(u64::MAX) {
            continue;
        }
        let fired_lately = trigger_firing::Entity::find()
            .filter(trigger_firing::Column::WorkspaceId.eq(ticket.workspace_id))
            .filter(trigger_firing::Column::TriggerId.eq(rule.id))
            .filter(trigger_firing::Column::RecordId.eq(contact_id))
            .filter(trigger_firing::Column::FiredAt.gt(since))
            .count(txn)
            .await?;
        if fired_lately > 0 {
            continue;
        }
        let Some(contact) = contact_of(txn, ticket.workspace_id, contact_id).await? else {
            continue;
        };
        let subject = format!(
            "Check on {}: {recent} tickets in {days} days",
            name(&contact)
        );
        let occasion = format!("ticket:{}", ticket.id);
        events.extend(fire(txn, &rule, contact_target(&contact), occasion, subject, at).await?);
    }
    Ok(events)
}

/// CONTRACT_ENDING for one company: its competitor contract ends between
/// today and `within_days` days from now (UTC days). Fires once per end date.
pub async fn on_contract(
    txn: &DatabaseTransaction,
    company: &company::Model,
    at: DateTime<Utc>,
) -> CoreResult<Vec<NewEvent>> {
    let Some(ends) = company.vendor_contract_ends_on else {
        return Ok(Vec::new());
    };
    if company.deleted_at.is_some() {
        return Ok(Vec::new());
    }
    let rules = active(txn, company.workspace_id, TriggerKind::ContractEnding).await?;
    contract_firings(txn, company, ends, &rules, at).await
}

async fn contract_firings(
    txn: &DatabaseTransaction,
    company: &company::Model,
    ends: NaiveDate,
    rules: &[trigger_rule::Model],
    at: DateTime<Utc>,
) -> CoreResult<Vec<NewEvent>> {
    let today = at.date_naive();
    let mut events = Vec::new();
    for rule in rules {
        let days = i64::from(rule.within_days.unwrap_or(0));
        if ends < today || ends > today + Duration::days(days) {
            continue;
        }
        let vendor = company.current_vendor.as_deref().unwrap_or("a competitor");
        let subject = format!("{}: contract with {vendor} ends on {ends}", company.name);
        let target = Target {
            record_id: company.id,
            contact_id: None,
            company_id: Some(company.id),
            owner_id: company.owner_id,
        };
        let occasion = format!("contract:{ends}");
        events.extend(fire(txn, rule, target, occasion, subject, at).await?);
    }
    Ok(events)
}

/// CONTRACT_ENDING for every company of the workspace whose contract end
/// came into a trigger's window, as time passed.
pub async fn sweep(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    at: DateTime<Utc>,
) -> CoreResult<Vec<NewEvent>> {
    let rules = active(txn, workspace_id, TriggerKind::ContractEnding).await?;
    let Some(widest) = rules.iter().filter_map(|r| r.within_days).max() else {
        return Ok(Vec::new());
    };
    let today = at.date_naive();
    let companies = company::Entity::find()
        .filter(company::Column::WorkspaceId.eq(workspace_id))
        .filter(company::Column::DeletedAt.is_null())
        .filter(company::Column::VendorContractEndsOn.gte(today))
        .filter(
            company::Column::VendorContractEndsOn.lte(today + Duration::days(i64::from(widest))),
        )
        .all(txn)
        .await?;
    let mut events = Vec::new();
    for company in &companies {
        if let Some(ends) = company.vendor_contract_ends_on {
            events.extend(contract_firings(txn, company, ends, &rules, at).await?);
        }
    }
    Ok(events)
}

/// The workspaces that have an active CONTRACT_ENDING trigger.
pub async fn workspaces_to_sweep<C: ConnectionTrait>(db: &C) -> CoreResult<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = trigger_rule::Entity::find()
        .filter(trigger_rule::Column::Kind.eq(TriggerKind::ContractEnding))
        .filter(trigger_rule::Column::Active.eq(true))
        .filter(trigger_rule::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.workspace_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}
