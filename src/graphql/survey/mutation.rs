//! Survey response mutations: each converts its input and calls one core operation.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::enums::SurveyKind;
use entity::survey_response;
use rapport_core::ops::survey::{self, NewSurveyResponse, SurveyResponseChanges};
use rapport_macros::connections;

use super::SurveyResponse;
use crate::auth::Area;
use crate::graphql::context::acting;
use crate::graphql::error::ApiResult;
use crate::graphql::ids::{self, Kind};
use crate::graphql::level::Level;
use crate::graphql::write::patch;

/// An NPS or CSAT answer of a contact.
#[derive(InputObject)]
pub struct CreateSurveyResponseInput {
    /// Who answered, by global id.
    pub contact_id: ID,
    /// A ticket of the same contact, when the survey was about one.
    pub ticket_id: Option<ID>,
    /// Which survey it answers; decides the score range.
    pub kind: SurveyKind,
    /// 0–10 for NPS, 1–5 for CSAT.
    pub score: i32,
    /// A standardised reason code, e.g. `SLOW_RESPONSE`.
    pub reason: Option<String>,
    /// The respondent's own words.
    pub comment: Option<String>,
    /// Defaults to now.
    pub responded_at: Option<DateTime<Utc>>,
}

/// Changes to a survey answer; omitted fields stay.
#[derive(InputObject, Default)]
pub struct UpdateSurveyResponseInput {
    /// 0–10 for NPS, 1–5 for CSAT. Left as it is when omitted.
    pub score: Option<i32>,
    /// A standardised reason code, e.g. `SLOW_RESPONSE`. Left as it is when omitted.
    pub reason: MaybeUndefined<String>,
    /// The respondent's own words. Left as it is when omitted.
    pub comment: MaybeUndefined<String>,
}

/// The result of a survey answer mutation.
#[derive(SimpleObject)]
pub struct SurveyResponsePayload {
    /// The SurveyResponse as the mutation left it.
    pub survey_response: SurveyResponse,
}

fn payload(row: survey_response::Model) -> SurveyResponsePayload {
    SurveyResponsePayload {
        survey_response: SurveyResponse(Level::single(row)),
    }
}

#[derive(Default)]
pub struct SurveyResponseMutation;

#[connections]
#[Object]
impl SurveyResponseMutation {
    /// Records a survey answer.
    async fn create_survey_response(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new record's fields.")] input: CreateSurveyResponseInput,
    ) -> ApiResult<SurveyResponsePayload> {
        let (core, actor) = acting(ctx, Area::Surveys)?;
        let new = NewSurveyResponse {
            contact_id: ids::decode(&input.contact_id, Kind::Contact, "input.contactId")?,
            ticket_id: ids::decode_opt(input.ticket_id.as_ref(), Kind::Ticket, "input.ticketId")?,
            kind: input.kind,
            score: input.score,
            reason: input.reason,
            comment: input.comment,
            responded_at: input.responded_at,
        };
        Ok(payload(survey::create(core, actor, new).await?))
    }

    /// Corrects a response's score, reason or comment.
    async fn update_survey_response(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global id of the record to act on.")] id: ID,
        #[graphql(desc = "The fields to change; omitted fields stay as they are.")]
        input: UpdateSurveyResponseInput,
        #[graphql(
            desc = "The `version` the client last read; when given and the record has changed since, the mutation is refused with `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> ApiResult<SurveyResponsePayload> {
        let (core, actor) = acting(ctx, Area::Surveys)?;
        let id = ids::decode(&id, Kind::SurveyResponse, "id")?;
        let changes = SurveyResponseChanges {
            score: input.score,
            reason: patch(input.reason),
            comment: patch(input.comment),
        };
        let row = survey::update(core, actor, id, changes, expected_version).await?;
        Ok(payload(row))
    }

    /// Soft-deletes a response.
    by_id!(delete_survey_response: SurveyResponsePayload, Surveys, SurveyResponse,
        payload(survey::delete(core, actor, id, expected_version, true).await?));

    /// Restores a deleted response.
    by_id!(restore_survey_response: SurveyResponsePayload, Surveys, SurveyResponse,
        payload(survey::delete(core, actor, id, expected_version, false).await?));
}
