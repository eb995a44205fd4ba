//! How activities are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::ActivityKind;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::{
    DateTimeFilter, EnumFilter, IdFilter, RecordFilter, StringFilter, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{Ordering, newest_first};
use crate::graphql::page::{KeyType, SortKey};

/// Fields activities can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityOrderField {
    /// By `occurredAt`: when it happened (or is planned to).
    OccurredAt,
    /// Activities without a due date come last.
    DueAt,
    /// By `createdAt`: when it was recorded.
    CreatedAt,
}

impl ActivityOrderField {
    fn key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::OccurredAt => ("occurred_at", KeyType::Timestamp, false),
            Self::DueAt => ("due_at", KeyType::Timestamp, true),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
        };
        SortKey {
            table: "activity",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: newest first, as timelines read).
    pub fn keys(order_by: Option<&[Ordering<Self>]>) -> ApiResult<Vec<SortKey>> {
        newest_first(order_by, "activity", Self::key, Self::OccurredAt)
    }
}

/// Which activities to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ActivityFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<ActivityFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<ActivityFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<ActivityFilter>>,
    /// Matches on the Activity's global id.
    pub id: Option<IdFilter>,
    /// Matches records found by this text as `search` finds them (part of
    /// a word, any case, or one letter off).
    pub search: Option<String>,
    /// Matches on `kind`: what sort of entry it is.
    pub kind: Option<EnumFilter<ActivityKind>>,
    /// Matches on `subject`: A one-line summary.
    pub subject: Option<StringFilter>,
    /// Matches on `contact`: the contact it is about, by its global id.
    pub contact_id: Option<IdFilter>,
    /// Matches on `company`: the company it is about, by its global id.
    pub company_id: Option<IdFilter>,
    /// Matches on `deal`: the deal it is about, by its global id.
    pub deal_id: Option<IdFilter>,
    /// Matches on `ticket`: the ticket it is about, by its global id.
    pub ticket_id: Option<IdFilter>,
    /// Matches on `author`: the member who recorded it, by its global id.
    pub author_id: Option<IdFilter>,
    /// Matches on `assignee`: who should do it (tasks), by its global id.
    pub assignee_id: Option<IdFilter>,
    /// Matches on `occurredAt`: when it happened (or is planned to).
    pub occurred_at: Option<DateTimeFilter>,
    /// Matches on `dueAt`: when a task is due.
    pub due_at: Option<DateTimeFilter>,
    /// `{isNull: true}` with `kind: {eq: TASK}` lists open tasks.
    pub completed_at: Option<DateTimeFilter>,
}

impl RecordFilter for ActivityFilter {
    fn search_of(&self) -> Option<(&'static str, &str)> {
        self.search.as_deref().map(|text| ("activity", text))
    }

    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("activity", workspace_id, backend)
            .search(&self.search)?
            .id(&self.id, "id", Kind::Activity)?
            .id(&self.contact_id, "contact_id", Kind::Contact)?
            .id(&self.company_id, "company_id", Kind::Company)?
            .id(&self.deal_id, "deal_id", Kind::Deal)?
            .id(&self.ticket_id, "ticket_id", Kind::Ticket)?
            .id(&self.author_id, "author_id", Kind::Member)?
            .id(&self.assignee_id, "assignee_id", Kind::Member)?
            .column(&self.kind, "kind")
            .column(&self.subject, "subject")
            .column(&self.occurred_at, "occurred_at")
            .column(&self.due_at, "due_at")
            .column(&self.completed_at, "completed_at")
            .done()
    }
    record_filter_composition!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::order::OrderDirection;

    #[test]
    fn timelines_default_to_newest_first() {
        let keys = ActivityOrderField::keys(None).unwrap();
        assert_eq!(
            keys.iter().map(|k| (k.column, k.desc)).collect::<Vec<_>>(),
            [("occurred_at", true), ("id", true)]
        );
    }

    #[test]
    fn an_explicit_order_ends_with_the_id() {
        let order = [Ordering {
            field: ActivityOrderField::DueAt,
            direction: OrderDirection::Asc,
        }];
        let keys = ActivityOrderField::keys(Some(&order)).unwrap();
        assert_eq!(
            keys.iter().map(|k| k.column).collect::<Vec<_>>(),
            ["due_at", "id"]
        );
        assert!(keys[0].nullable);
    }
}
