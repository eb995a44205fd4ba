//! How survey response lists are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::SurveyKind;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter, col,
    record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

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
