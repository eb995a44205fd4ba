//! Survey responses: NPS (0–10) and CSAT (1–5) answers from contacts,
//! optionally about a ticket, with a standardised reason and a comment.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, SubsecRound, Utc};
use entity::enums::{ReasonKind, SurveyKind};
use entity::survey_response;
use rapport_macros::connections;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::contact::Contact;
use super::context::writer;
use super::error::{ApiError, ApiResult};
use super::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter, col,
    record_filter_composition,
};
use super::ids::{self, Kind};
use super::level::{Conn, Level, Row};
use super::list::{self, ListArgs, Record};
use super::order::{Ordering, newest_first};
use super::page::{KeyType, PageArgs, SortKey};
use super::reason::check_listed;
use super::ticket::Ticket;
use super::write::{
    self, begin, check_reference, check_version, commit, event_for, load_live, now,
};
use crate::auth::Area;
use crate::domain::text;

/// Longest comment.
const COMMENT_MAX: usize = 10_000;
/// Longest reason code.
const REASON_MAX: usize = 100;

/// An answer to a survey.
pub struct SurveyResponse(pub Row<survey_response::Model>);

impl Record for SurveyResponse {
    type Entity = survey_response::Entity;
    type Model = survey_response::Model;
    fn wrap(row: Row<survey_response::Model>) -> Self {
        Self(row)
    }
}

/// Fields survey responses can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyResponseOrderField {
    RespondedAt,
    Score,
    CreatedAt,
}

impl SurveyResponseOrderField {
    fn key(self) -> SortKey {
        let (column, ty) = match self {
            Self::RespondedAt => ("responded_at", KeyType::Timestamp),
            Self::Score => ("score", KeyType::Int),
            Self::CreatedAt => ("created_at", KeyType::Timestamp),
        };
        SortKey {
            table: "survey_response",
            column,
            ty,
            nullable: false,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: newest first).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "survey_response", Self::key, Self::RespondedAt)
    }
}

/// Which responses to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SurveyResponseFilter {
    pub and: Option<Vec<SurveyResponseFilter>>,
    pub or: Option<Vec<SurveyResponseFilter>>,
    pub not: Option<Box<SurveyResponseFilter>>,
    pub id: Option<IdFilter>,
    pub contact_id: Option<IdFilter>,
    pub ticket_id: Option<IdFilter>,
    pub kind: Option<EnumFilter<SurveyKind>>,
    pub score: Option<IntFilter>,
    pub reason: Option<StringFilter>,
    pub responded_at: Option<DateTimeFilter>,
}

impl RecordFilter for SurveyResponseFilter {
    fn fields(&self, _workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let c = |name| col("survey_response", name);
        let mut all = Condition::all();
        let references = [
            (&self.id, "id", Kind::SurveyResponse, "filter.id"),
            (
                &self.contact_id,
                "contact_id",
                Kind::Contact,
                "filter.contactId",
            ),
            (
                &self.ticket_id,
                "ticket_id",
                Kind::Ticket,
                "filter.ticketId",
            ),
        ];
        for (filter, column, kind, field) in references {
            if let Some(f) = filter {
                all = all.add(f.condition(c(column), kind, field)?);
            }
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(c("kind")));
        }
        if let Some(f) = &self.score {
            all = all.add(f.condition(c("score")));
        }
        if let Some(f) = &self.reason {
            all = all.add(f.condition(c("reason"), backend));
        }
        if let Some(f) = &self.responded_at {
            all = all.add(f.condition(c("responded_at")));
        }
        Ok(all)
    }
    record_filter_composition!();
}

/// A contact's answer to an NPS or CSAT survey.
#[Object]
impl SurveyResponse {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::SurveyResponse, self.0.model().id)
    }
    async fn kind(&self) -> SurveyKind {
        self.0.model().kind
    }
    /// 0–10 for NPS, 1–5 for CSAT.
    async fn score(&self) -> i32 {
        self.0.model().score
    }
    /// For NPS: PROMOTER (9–10), PASSIVE (7–8) or DETRACTOR (0–6).
    async fn nps_category(&self) -> Option<NpsCategory> {
        let m = self.0.model();
        (m.kind == SurveyKind::Nps).then(|| NpsCategory::of(m.score))
    }
    /// A standardised reason code, e.g. `SLOW_RESPONSE`.
    async fn reason(&self) -> Option<&str> {
        self.0.model().reason.as_deref()
    }
    async fn comment(&self) -> Option<&str> {
        self.0.model().comment.as_deref()
    }
    async fn responded_at(&self) -> DateTime<Utc> {
        self.0.model().responded_at
    }
    /// Incremented by every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.model().version
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.model().deleted_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.model().created_at
    }
    async fn contact(&self, ctx: &Context<'_>) -> ApiResult<Option<Contact>> {
        list::referenced(ctx, &self.0, "contact", |m: &survey_response::Model| {
            Some(m.contact_id)
        })
        .await
    }
    /// The ticket the response is about.
    async fn ticket(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        list::referenced(ctx, &self.0, "ticket", |m: &survey_response::Model| {
            m.ticket_id
        })
        .await
    }
}

/// Where an NPS answer puts the customer.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpsCategory {
    Promoter,
    Passive,
    Detractor,
}

impl NpsCategory {
    pub fn of(score: i32) -> Self {
        match score {
            9.. => Self::Promoter,
            7..=8 => Self::Passive,
            _ => Self::Detractor,
        }
    }
}

/// Refuses a score outside the survey's scale.
fn check_score(kind: SurveyKind, score: i32) -> ApiResult<i32> {
    let (low, high) = match kind {
        SurveyKind::Nps => (0, 10),
        SurveyKind::Csat => (1, 5),
    };
    if (low..=high).contains(&score) {
        Ok(score)
    } else {
        Err(ApiError::bad_input(
            "input.score",
            format!("a {kind:?} score is between {low} and {high}"),
        ))
    }
}

/// A reason code: upper-case letters, digits and underscores.
fn check_reason(reason: Option<&str>) -> ApiResult<Option<String>> {
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
        Err(ApiError::bad_input(
            "input.reason",
            "a reason code is like SLOW_RESPONSE (A–Z, 0–9, _)",
        ))
    }
}

#[derive(InputObject)]
pub struct CreateSurveyResponseInput {
    pub contact_id: ID,
    /// A ticket of the same contact, when the survey was about one.
    pub ticket_id: Option<ID>,
    pub kind: SurveyKind,
    pub score: i32,
    pub reason: Option<String>,
    pub comment: Option<String>,
    /// Defaults to now.
    pub responded_at: Option<DateTime<Utc>>,
}

#[derive(InputObject, Default)]
pub struct UpdateSurveyResponseInput {
    pub score: Option<i32>,
    pub reason: MaybeUndefined<String>,
    pub comment: MaybeUndefined<String>,
}

#[derive(SimpleObject)]
pub struct SurveyResponsePayload {
    pub survey_response: SurveyResponse,
}

fn payload(row: survey_response::Model) -> SurveyResponsePayload {
    SurveyResponsePayload {
        survey_response: SurveyResponse(Level::single(row)),
    }
}

#[derive(Default)]
pub struct SurveyResponseMutation;

#[Object]
impl SurveyResponseMutation {
    /// Records a survey answer.
    async fn create_survey_response(
        &self,
        ctx: &Context<'_>,
        input: CreateSurveyResponseInput,
    ) -> ApiResult<SurveyResponsePayload> {
        let actor = writer(ctx, Area::Surveys)?;
        let score = check_score(input.kind, input.score)?;
        let reason = check_reason(input.reason.as_deref())?;
        let comment = text::optional_text(input.comment.as_deref(), COMMENT_MAX)
            .map_err(ApiError::invalid("input.comment"))?;
        let contact_id = ids::decode(&input.contact_id, Kind::Contact, "input.contactId")?;
        let ticket_id = ids::decode_opt(input.ticket_id.as_ref(), Kind::Ticket, "input.ticketId")?;
        let txn = begin(ctx).await?;
        if let Some(code) = &reason {
            check_listed(&txn, actor, ReasonKind::Satisfaction, code, "input.reason").await?;
        }
        check_reference::<Contact>(&txn, actor, Some(contact_id), "input.contactId").await?;
        let ticket = check_reference::<Ticket>(&txn, actor, ticket_id, "input.ticketId").await?;
        if ticket.is_some_and(|t| t.contact_id != Some(contact_id)) {
            return Err(ApiError::bad_input(
                "input.ticketId",
                "the ticket is another contact's",
            ));
        }
        let at = now();
        let row = survey_response::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(actor.workspace_id),
            contact_id: Set(contact_id),
            ticket_id: Set(ticket_id),
            kind: Set(input.kind),
            score: Set(score),
            reason: Set(reason),
            comment: Set(comment),
            responded_at: Set(input.responded_at.map_or(at, |t| t.trunc_subsecs(6))),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        let mut events = vec![event_for::<SurveyResponse>(&row, "created")?];
        events.extend(crate::graphql::triggers::fire::on_survey(&txn, &row, at).await?);
        commit(ctx, txn, actor, events).await?;
        Ok(payload(row))
    }

    /// Corrects a response's score, reason or comment.
    async fn update_survey_response(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSurveyResponseInput,
        expected_version: Option<i32>,
    ) -> ApiResult<SurveyResponsePayload> {
        let actor = writer(ctx, Area::Surveys)?;
        let id = ids::decode(&id, Kind::SurveyResponse, "id")?;
        let txn = begin(ctx).await?;
        let current = load_live::<SurveyResponse>(&txn, actor, id).await?;
        check_version(expected_version, current.version)?;
        let mut change = <survey_response::ActiveModel as Default>::default();
        if let Some(score) = input.score {
            change.score = Set(check_score(current.kind, score)?);
        }
        match input.reason {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => change.reason = Set(None),
            MaybeUndefined::Value(reason) => {
                let code = check_reason(Some(&reason))?;
                if let Some(code) = &code {
                    check_listed(&txn, actor, ReasonKind::Satisfaction, code, "input.reason")
                        .await?;
                }
                change.reason = Set(code);
            }
        }
        match input.comment {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => change.comment = Set(None),
            MaybeUndefined::Value(comment) => {
                change.comment = Set(text::optional_text(Some(&comment), COMMENT_MAX)
                    .map_err(ApiError::invalid("input.comment"))?);
            }
        }
        change.version = Set(current.version + 1);
        change.updated_at = Set(now());
        let row =
            write::save_if_unchanged::<SurveyResponse>(&txn, actor, id, current.version, change)
                .await?;
        let event = event_for::<SurveyResponse>(&row, "updated")?;
        commit(ctx, txn, actor, vec![event]).await?;
        Ok(payload(row))
    }

    /// Soft-deletes a response.
    async fn delete_survey_response(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<SurveyResponsePayload> {
        let actor = writer(ctx, Area::Surveys)?;
        let survey_response =
            write::delete_or_restore(ctx, actor, &id, expected_version, true).await?;
        Ok(SurveyResponsePayload { survey_response })
    }

    /// Restores a deleted response.
    async fn restore_survey_response(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: Option<i32>,
    ) -> ApiResult<SurveyResponsePayload> {
        let actor = writer(ctx, Area::Surveys)?;
        let survey_response =
            write::delete_or_restore(ctx, actor, &id, expected_version, false).await?;
        Ok(SurveyResponsePayload { survey_response })
    }
}

#[derive(Default)]
pub struct SurveyResponseQuery;

#[connections]
#[Object]
impl SurveyResponseQuery {
    /// The workspace's survey responses (newest first unless `orderBy` says otherwise).
    listing!(survey_responses: SurveyResponse, SurveyResponseFilter, SurveyResponseOrderField);
}

/// The responses of each row of a level, by `foreign_key` (`contact_id` or `ticket_id`).
#[allow(clippy::too_many_arguments)]
pub async fn responses_of<P: Send + Sync + 'static>(
    ctx: &Context<'_>,
    parent: &Row<P>,
    field: &str,
    parent_id: fn(&P) -> Uuid,
    foreign_key: &'static str,
    page: PageArgs,
    filter: Option<SurveyResponseFilter>,
    order_by: Option<Vec<Ordering<SurveyResponseOrderField>>>,
) -> ApiResult<Conn<SurveyResponse>> {
    let args = ListArgs {
        page,
        filter: filter.as_ref(),
        keys: SurveyResponseOrderField::keys(order_by.as_deref())?,
        extra: Condition::all(),
    };
    list::children(ctx, parent, field, parent_id, foreign_key, args).await
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
        assert_eq!(NpsCategory::of(9), NpsCategory::Promoter);
        assert_eq!(NpsCategory::of(7), NpsCategory::Passive);
        assert_eq!(NpsCategory::of(6), NpsCategory::Detractor);
    }
}
