//! How ticket lists are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::{TaggableType, TicketPriority, TicketStatus};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::company::CompanyFilter;
use crate::graphql::contact::ContactFilter;
use crate::graphql::deal::DealFilter;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::FilterNode;
use crate::graphql::filter::relation::{self};
use crate::graphql::filter::{
    DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter, TagFilter,
    record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{RecordOrdering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};

/// Fields tickets can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketOrderField {
    /// The ticket number (creation order within the workspace).
    Number,
    /// By `openedAt`: when it was opened.
    OpenedAt,
    /// Unresolved tickets come last.
    ResolvedAt,
    /// By `createdAt`: when it was created.
    CreatedAt,
    /// By `updatedAt`: when it last changed.
    UpdatedAt,
}

impl TicketOrderField {
    fn key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::Number => ("number", KeyType::BigInt, false),
            Self::OpenedAt => ("opened_at", KeyType::Timestamp, false),
            Self::ResolvedAt => ("resolved_at", KeyType::Timestamp, true),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
        };
        SortKey {
            table: "ticket",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: by number).
    pub fn keys(order_by: Option<&[RecordOrdering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(
            order_by,
            "ticket",
            Self::key,
            &[Self::Number.key(), SortKey::id("ticket")],
        )
    }
}

/// Which tickets to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TicketFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<TicketFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<TicketFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<TicketFilter>>,
    /// Matches on the Ticket's global id.
    pub id: Option<IdFilter>,
    /// Matches records found by this text as `search` finds them (part of
    /// a word, any case, or one letter off).
    pub search: Option<String>,
    /// Conditions on custom field values, all of which must hold.
    pub custom_fields: Option<Vec<crate::graphql::filter::custom::CustomFieldFilter>>,
    /// Matches on `number`: 1, 2, 3… within the workspace, for people to quote ("ticket #42").
    pub number: Option<IntFilter>,
    /// Matches on `subject`: A one-line summary.
    pub subject: Option<StringFilter>,
    /// Matches on `status`: where the ticket is in its life.
    pub status: Option<EnumFilter<TicketStatus>>,
    /// Matches on `priority`: how urgent it is.
    pub priority: Option<EnumFilter<TicketPriority>>,
    /// Matches on `category`: A free-form category, e.g. "billing".
    pub category: Option<StringFilter>,
    /// Matches on `contact`: the person who asked, by its global id.
    pub contact_id: Option<IdFilter>,
    /// Matches on `company`: the customer the ticket is for, by its global id.
    pub company_id: Option<IdFilter>,
    /// Matches on `deal`: the deal it relates to, by its global id.
    pub deal_id: Option<IdFilter>,
    /// Matches on `assignee`: the member working on it, by its global id.
    pub assignee_id: Option<IdFilter>,
    /// Matches on `openedAt`: when it was opened.
    pub opened_at: Option<DateTimeFilter>,
    /// Matches on `resolvedAt`: when it was last resolved (or closed without being resolved first);
    /// cleared when reopened.
    pub resolved_at: Option<DateTimeFilter>,
    /// Matches on `createdAt`: when it was created.
    pub created_at: Option<DateTimeFilter>,
    /// Matches on `updatedAt`: when it last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// Matches on `tags`: its tags.
    pub tags: Option<TagFilter>,
    /// Its company (tickets without one do not match) matches this filter.
    pub company: Option<Box<CompanyFilter>>,
    /// Its contact (tickets without one do not match) matches this filter.
    pub contact: Option<Box<ContactFilter>>,
    /// Its deal (tickets without one do not match) matches this filter.
    pub deal: Option<Box<DealFilter>>,
}

impl RecordFilter for TicketFilter {
    fn search_of(&self) -> Option<(&'static str, &str)> {
        self.search.as_deref().map(|text| ("ticket", text))
    }

    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("ticket", workspace_id, backend)
            .search(&self.search)?
            .custom(&self.custom_fields)?
            .column(&self.subject, "subject")
            .column(&self.category, "category")
            .id(&self.id, "id", Kind::Ticket)?
            .id(&self.contact_id, "contact_id", Kind::Contact)?
            .id(&self.company_id, "company_id", Kind::Company)?
            .id(&self.deal_id, "deal_id", Kind::Deal)?
            .id(&self.assignee_id, "assignee_id", Kind::Member)?
            .column(&self.number, "number")
            .column(&self.status, "status")
            .column(&self.priority, "priority")
            .column(&self.opened_at, "opened_at")
            .column(&self.resolved_at, "resolved_at")
            .column(&self.created_at, "created_at")
            .column(&self.updated_at, "updated_at")
            .tags(&self.tags, TaggableType::Ticket)
            .one(&self.company, "company", "company_id")?
            .one(&self.contact, "contact", "contact_id")?
            .one(&self.deal, "deal", "deal_id")?
            .done()
    }
    record_filter_composition!();

    fn relations(&self) -> Vec<(String, &dyn FilterNode)> {
        let mut nodes = Vec::new();
        nodes.extend(relation::one_node("company", &self.company));
        nodes.extend(relation::one_node("contact", &self.contact));
        nodes.extend(relation::one_node("deal", &self.deal));
        nodes
    }
}
