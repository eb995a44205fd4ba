//! Survey responses: NPS (0–10) and CSAT (1–5) answers from contacts,
//! optionally about a ticket, with a standardised reason and a comment.

use crate::store::Fresh;
use chrono::{DateTime, SubsecRound, Utc};
use entity::enums::{ReasonKind, SurveyKind};
use entity::{contact, survey_response, ticket};
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use uuid::Uuid;

use super::Patch;
use super::lifecycle::delete_or_restore;
use crate::access::{Actor, Area};
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::events::NewEvent;
use crate::ops::reason::check_listed;
use crate::rules::stored_figures::{self, Inputs, Owners};
use crate::rules::triggers::fire::on_survey;
use crate::store::{
    Author, Core, check_reference, check_version, event_for, load_live, now, save_if_unchanged,
};

/// Longest comment.
const COMMENT_MAX: usize = 10_000;
/// Longest reason code.
const REASON_MAX: usize = 100;

/// A new survey answer.
#[derive(Debug, Clone)]
pub struct NewSurveyResponse {
    pub contact_id: Uuid,
    /// A ticket of the same contact, when the survey was about one.
    pub ticket_id: Option<Uuid>,
    pub kind: SurveyKind,
    pub score: i32,
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// Defaults to now.
    pub responded_at: Option<DateTime<Utc>>,
}

/// Corrections to a survey answer; `None` and `Keep` fields stay.
#[derive(Debug, Clone, Default)]
pub struct SurveyResponseChanges {
    pub score: Option<i32>,
    pub reason: Patch<String>,
    pub comment: Patch<String>,
}

/// Records a survey answer; it may fire CSAT triggers.
pub async fn create(
    core: &Core,
    actor: &Actor,
    new: NewSurveyResponse,
) -> CoreResult<survey_response::Model> {
    let txn = core.begin().await?;
    let (row, events) = create_in(&txn, actor, new).await?;
    core.commit(txn, Author::of(actor), events).await?;
    Ok(row)
}

/// Records an answer in the caller's transaction and returns it with its
/// event and whatever triggers it fired, for the caller to commit (imports).
pub async fn create_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewSurveyResponse,
) -> CoreResult<(survey_response::Model, Vec<NewEvent>)> {
    actor.require(Area::Surveys)?;
    let score = check_score(new.kind, new.score)?;
    let reason = check_reason(new.reason.as_deref())?;
    let comment = text::optional_text(new.comment.as_deref(), COMMENT_MAX)
        .map_err(CoreError::invalid("input.comment"))?;
    if let Some(code) = &reason {
        check_listed(txn, actor, ReasonKind::Satisfaction, code, "input.reason").await?;
    }
    let contact_id = new.contact_id;
    check_reference::<contact::Entity>(txn, actor, Some(contact_id), "input.contactId").await?;
    let ticket =
        check_reference::<ticket::Entity>(txn, actor, new.ticket_id, "input.ticketId").await?;
    if ticket.is_some_and(|t| t.contact_id != Some(contact_id)) {
        return Err(CoreError::bad_input(
            "input.ticketId",
            "the ticket is another contact's",
        ));
    }
    let at = now();
    let row = survey_response::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(actor.workspace_id),
        contact_id: Set(contact_id),
        ticket_id: Set(new.ticket_id),
        kind: Set(new.kind),
        score: Set(score),
        reason: Set(reason),
        comment: Set(comment),
        responded_at: Set(new.responded_at.map_or(at, |t| t.trunc_subsecs(6))),
        ..Default::default()
    }
    .fresh(at)
    .insert(txn)
    .await?;
    refresh_answers(txn, actor, contact_id).await?;
    let mut events = vec![event_for::<survey_response::Entity>(&row, "created")?];
    events.extend(on_survey(txn, &row, at).await?);
    Ok((row, events))
}

/// Corrects answer `id`'s score, reason or comment; with `expected_version`,
/// refuses (`CONFLICT`) if it changed since.
pub async fn update(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    changes: SurveyResponseChanges,
    expected_version: Option<i32>,
) -> CoreResult<survey_response::Model> {
    actor.require(Area::Surveys)?;
    let txn = core.begin().await?;
    let current = load_live::<survey_response::Entity>(&txn, actor, id).await?;
    check_version(expected_version, current.version)?;
    let mut change = <survey_response::ActiveModel as Default>::default();
    if let Some(score) = changes.score {
        change.score = Set(check_score(current.kind, score)?);
    }
    match changes.reason {
        Patch::Keep => {}
        Patch::Clear => change.reason = Set(None),
        Patch::Set(reason) => change.reason = Set(listed_reason(&txn, actor, &reason).await?),
    }
    match changes.comment {
        Patch::Keep => {}
        Patch::Clear => change.comment = Set(None),
        Patch::Set(comment) => {
            change.comment = Set(text::optional_text(Some(&comment), COMMENT_MAX)
                .map_err(CoreError::invalid("input.comment"))?);
        }
    }
    change.version = Set(current.version + 1);
    change.updated_at = Set(now());
    let row =
        save_if_unchanged::<survey_response::Entity>(&txn, actor, id, current.version, change)
            .await?;
    refresh_answers(&txn, actor, row.contact_id).await?;
    core.finish::<survey_response::Entity>(txn, actor, row, "updated")
        .await
}

/// Soft-deletes (`delete`) or restores answer `id`.
pub async fn delete(
    core: &Core,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    delete: bool,
) -> CoreResult<survey_response::Model> {
    delete_or_restore::<survey_response::Entity>(
        core,
        actor,
        Area::Surveys,
        id,
        expected_version,
        delete,
    )
    .await
}

/// Recomputes the latest answers of the contact and of its company.
async fn refresh_answers(
    txn: &DatabaseTransaction,
    actor: &Actor,
    contact_id: Uuid,
) -> CoreResult<()> {
    let company = stored_figures::company_of(txn, actor.workspace_id, contact_id).await?;
    let owners = Owners::of(Some(contact_id), company);
    stored_figures::refresh(txn, actor.workspace_id, &owners, &[Inputs::Surveys]).await
}

/// A sent reason checked for shape and against the workspace's list.
async fn listed_reason(
    txn: &DatabaseTransaction,
    actor: &Actor,
    reason: &str,
) -> CoreResult<Option<String>> {
    let code = check_reason(Some(reason))?;
    if let Some(code) = &code {
        check_listed(txn, actor, ReasonKind::Satisfaction, code, "input.reason").await?;
    }
    Ok(code)
}

/// Refuses a score outside the survey's scale.
fn check_score(kind: SurveyKind, score: i32) -> CoreResult<i32> {
    let (low, high) = match kind {
        SurveyKind::Nps => (0, 10),
        SurveyKind::Csat => (1, 5),
    };
    if (low..=high).contains(&score) {
        Ok(score)
    } else {
        Err(CoreError::bad_input(
            "input.score",
            format!("a {kind:?} score is between {low} and {high}"),
        ))
    }
}

/// A reason code: upper-case letters, digits and underscores.
fn check_reason(reason: Option<&str>) -> CoreResult<Option<String>> {
    let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let valid = reason.len() <= REASON_MAX
        && reason.starts_with(|c: char| c.is_ascii_uppercase())
        && reason
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(Some(reason.to_owned()))
    } else {
        Err(CoreError::bad_input(
            "input.reason",
            "a reason code is like SLOW_RESPONSE (A–Z, 0–9, _)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_reasons_are_checked() {
        assert!(check_score(SurveyKind::Nps, 0).is_ok());
        assert!(check_score(SurveyKind::Nps, 11).is_err());
        assert!(check_score(SurveyKind::Csat, 0).is_err());
        assert!(check_score(SurveyKind::Csat, 5).is_ok());
        assert_eq!(
            check_reason(Some("SLOW_RESPONSE")).unwrap().as_deref(),
            Some("SLOW_RESPONSE")
        );
        assert!(check_reason(Some("slow")).is_err());
        assert_eq!(check_reason(Some("  ")).unwrap(), None);
    }
}
