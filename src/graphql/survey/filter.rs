//! How survey response lists are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::SurveyKind;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter,
    record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields survey responses can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyResponseOrderField {
    /// By `respondedAt`: when the contact answered.
    RespondedAt,
    /// By `score`: 0–10 for NPS, 1–5 for CSAT.
    Score,
    /// By `createdAt`: when it was recorded.
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
    /// Every filter in the list must match as well.
    pub and: Option<Vec<SurveyResponseFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<SurveyResponseFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<SurveyResponseFilter>>,
    /// Matches on the SurveyResponse's global id.
    pub id: Option<IdFilter>,
    /// Matches on `contact`: who answered, by global id.
    pub contact_id: Option<IdFilter>,
    /// Matches on `ticket`: the ticket the response is about, by its global id.
    pub ticket_id: Option<IdFilter>,
    /// Matches on `kind`: which survey it answers.
    pub kind: Option<EnumFilter<SurveyKind>>,
    /// Matches on `score`: 0–10 for NPS, 1–5 for CSAT.
    pub score: Option<IntFilter>,
    /// Matches on `reason`: A standardised reason code, e.g. `SLOW_RESPONSE`.
    pub reason: Option<StringFilter>,
    /// Matches on `respondedAt`: when the contact answered.
    pub responded_at: Option<DateTimeFilter>,
}

impl RecordFilter for SurveyResponseFilter {
    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("survey_response", workspace_id, backend)
            .id(&self.id, "id", Kind::SurveyResponse)?
            .id(&self.contact_id, "contact_id", Kind::Contact)?
            .id(&self.ticket_id, "ticket_id", Kind::Ticket)?
            .column(&self.kind, "kind")
            .column(&self.score, "score")
            .column(&self.reason, "reason")
            .column(&self.responded_at, "responded_at")
            .done()
    }
    record_filter_composition!();
}
