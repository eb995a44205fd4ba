//! Survey responses: NPS (0–10) and CSAT (1–5) answers from contacts,
//! optionally about a ticket, with a standardised reason and a comment.

mod filter;
mod mutation;

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use entity::enums::SurveyKind;
use entity::survey_response;
use rapport_macros::connections;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use super::contact::Contact;
use super::error::ApiResult;
use super::ids::{self, Kind};
use super::level::{Conn, Row};
use super::list::{self, ListArgs, Record};
use super::order::Ordering;
use super::page::PageArgs;
use super::ticket::Ticket;

pub use filter::{SurveyResponseFilter, SurveyResponseOrderField};
pub use mutation::{SurveyResponseMutation, SurveyResponsePayload};

/// An answer to a survey.
pub struct SurveyResponse(pub Row<survey_response::Model>);

impl Record for SurveyResponse {
    type Entity = survey_response::Entity;
    type Model = survey_response::Model;
    fn wrap(row: Row<survey_response::Model>) -> Self {
        Self(row)
    }
}

/// A contact's answer to an NPS or CSAT survey.
#[connections]
#[Object]
impl SurveyResponse {
    /// The global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::SurveyResponse, self.0.model().id)
    }
    /// Which survey it answers.
    field!(kind: SurveyKind);
    /// 0–10 for NPS, 1–5 for CSAT.
    field!(score: i32);
    /// For NPS: PROMOTER (9–10), PASSIVE (7–8) or DETRACTOR (0–6).
    async fn nps_category(&self) -> Option<NpsCategory> {
        let m = self.0.model();
        (m.kind == SurveyKind::Nps).then(|| NpsCategory::of(m.score))
    }
    /// A standardised reason code, e.g. `SLOW_RESPONSE`.
    field!(reason: Option<&str>);
    /// The respondent's own words.
    field!(comment: Option<&str>);
    /// When the contact answered.
    field!(responded_at: DateTime<Utc>);
    /// Incremented by every change; send it back as `expectedVersion`.
    field!(version: i32);
    /// Set while it is deleted (it can be restored); null otherwise.
    field!(deleted_at: Option<DateTime<Utc>>);
    /// When it was recorded.
    field!(created_at: DateTime<Utc>);
    /// Who answered; null once the contact is deleted.
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
    /// Score 9–10.
    Promoter,
    /// Score 7–8.
    Passive,
    /// Score 0–6.
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
    fn nps_answers_fall_into_three_groups() {
        assert_eq!(NpsCategory::of(9), NpsCategory::Promoter);
        assert_eq!(NpsCategory::of(7), NpsCategory::Passive);
        assert_eq!(NpsCategory::of(6), NpsCategory::Detractor);
    }
}
