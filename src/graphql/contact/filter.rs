//! How contacts are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::{LifecycleStage, TaggableType};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::calculated::{Figure, FiguresFilter, Of, sort_key};
use crate::graphql::company::CompanyFilter;
use crate::graphql::deal::DealFilter;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::FilterNode;
use crate::graphql::filter::relation::{self, Link, ManyFilter};
use crate::graphql::filter::{
    DateFilter, DateTimeFilter, EnumFilter, IdFilter, IntFilter, RecordFilter, StringFilter,
    TagFilter, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{RecordOrdering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};
use crate::graphql::ticket::TicketFilter;

/// Fields contacts can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactOrderField {
    /// By `firstName`: given name.
    FirstName,
    /// By `lastName`: family name.
    LastName,
    /// By `email`: email address, trimmed and lower-cased; unique in the workspace.
    Email,
    /// By `leadScore`: the sum of the points of the workspace's scoring rules that match the
    /// contact; kept current on every change to its inputs.
    LeadScore,
    /// By `createdAt`: when it was created.
    CreatedAt,
    /// By `updatedAt`: when it last changed.
    UpdatedAt,
    /// Calculated: live tickets.
    TicketCount,
    /// Calculated: tickets OPEN or PENDING.
    OpenTicketCount,
    /// Calculated: the latest ticket's opening (none last).
    LastTicketAt,
    /// Calculated (none last).
    LatestNps,
    /// Calculated (none last).
    LatestCsat,
    /// Calculated: Σ of orders by nominal amount.
    LifetimeValue,
    /// Calculated: 0–100.
    ChurnRisk,
    /// Calculated: mean hours to resolve tickets (none last).
    AverageResolutionHours,
    /// Calculated: the latest activity (not a task), engagement, order,
    /// ticket or survey answer (none last).
    LastTouchedAt,
    /// Calculated: the percentage of key fields filled.
    Completeness,
}

impl ContactOrderField {
    fn key(self) -> SortKey {
        let figure = match self {
            Self::TicketCount => Figure::TicketCount(Of::Contact),
            Self::OpenTicketCount => Figure::OpenTicketCount(Of::Contact),
            Self::LastTicketAt => Figure::LastTicketAt(Of::Contact),
            Self::LatestNps => Figure::LatestNps(Of::Contact),
            Self::LatestCsat => Figure::LatestCsat(Of::Contact),
            Self::LifetimeValue => Figure::LifetimeValue(Of::Contact),
            Self::ChurnRisk => Figure::ChurnRisk(Of::Contact),
            Self::AverageResolutionHours => Figure::AverageResolution(Of::Contact),
            Self::LastTouchedAt => Figure::LastTouchedAt(Of::Contact),
            Self::Completeness => Figure::Completeness(Of::Contact),
            _ => return self.column_key(),
        };
        sort_key(figure)
    }

    fn column_key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::FirstName => ("first_name", KeyType::Text, false),
            Self::LastName => ("last_name", KeyType::Text, false),
            Self::Email => ("email", KeyType::Text, true),
            Self::LeadScore => ("lead_score", KeyType::Int, false),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
            // Calculated fields are keyed by `key`.
            _ => ("id", KeyType::Uuid, false),
        };
        SortKey {
            table: "contact",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: oldest first).
    pub fn keys(order_by: Option<&[RecordOrdering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "contact", Self::key, &[SortKey::id("contact")])
    }
}

/// Which contacts to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ContactFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<ContactFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<ContactFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<ContactFilter>>,
    /// Matches on the Contact's global id.
    pub id: Option<IdFilter>,
    /// Matches records found by this text as `search` finds them (part of
    /// a word, any case, or one letter off).
    pub search: Option<String>,
    /// Conditions on custom field values, all of which must hold.
    pub custom_fields: Option<Vec<crate::graphql::filter::custom::CustomFieldFilter>>,
    /// Matches on `firstName`: given name.
    pub first_name: Option<StringFilter>,
    /// Matches on `lastName`: family name.
    pub last_name: Option<StringFilter>,
    /// Matches on `email`: email address, trimmed and lower-cased; unique in the workspace.
    pub email: Option<StringFilter>,
    /// Matches on `phone`: phone number in E.164 form, e.g. +14155552671.
    pub phone: Option<StringFilter>,
    /// Matches on `jobTitle`: job title.
    pub job_title: Option<StringFilter>,
    /// Matches on `lifecycleStage`: where the contact stands in the customer lifecycle.
    pub lifecycle_stage: Option<EnumFilter<LifecycleStage>>,
    /// Matches on `city`: city.
    pub city: Option<StringFilter>,
    /// Matches on `country`: ISO 3166-1 alpha-2 country.
    pub country: Option<StringFilter>,
    /// Matches on `birthdate`: date of birth.
    pub birthdate: Option<DateFilter>,
    /// Matches on `company`: the company the contact works for, by its global id.
    pub company_id: Option<IdFilter>,
    /// Matches on `owner`: the member responsible for the contact, by its global id.
    pub owner_id: Option<IdFilter>,
    /// Matches on `createdAt`: when it was created.
    pub created_at: Option<DateTimeFilter>,
    /// Matches on `updatedAt`: when it last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// Matches on `tags`: its tags.
    pub tags: Option<TagFilter>,
    /// Conditions on the calculated figures.
    pub figures: Option<FiguresFilter>,
    /// Matches on `leadScore`: the sum of the points of the workspace's scoring rules that match
    /// the contact; kept current on every change to its inputs.
    pub lead_score: Option<IntFilter>,
    /// True for contacts who agreed to marketing email and have not unsubscribed.
    pub email_opt_in: Option<bool>,
    /// Matches on `emailOptInAt`: when the contact's latest consent to marketing email was given.
    pub email_opt_in_at: Option<DateTimeFilter>,
    /// Matches on `unsubscribedAt`: when the contact unsubscribed after its latest consent.
    pub unsubscribed_at: Option<DateTimeFilter>,
    /// The company it works for (contacts without one do not match) matches this filter.
    pub company: Option<Box<CompanyFilter>>,
    /// Its tickets: `some`, `every` or `none` of them match.
    pub tickets: Option<ManyFilter<TicketFilter>>,
    /// The deals it takes part in (in any role): `some`, `every` or `none` of them match.
    pub deals: Option<ManyFilter<DealFilter>>,
}

impl RecordFilter for ContactFilter {
    fn search_of(&self) -> Option<(&'static str, &str)> {
        self.search.as_deref().map(|text| ("contact", text))
    }

    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let deals = Link::paired("deal", "deal_contact", "deal_id", "contact_id", "contact");
        Fields::new("contact", workspace_id, backend)
            .search(&self.search)?
            .custom(&self.custom_fields)?
            .column(&self.first_name, "first_name")
            .column(&self.last_name, "last_name")
            .column(&self.email, "email")
            .column(&self.phone, "phone")
            .column(&self.job_title, "job_title")
            .column(&self.city, "city")
            .column(&self.country, "country")
            .id(&self.id, "id", Kind::Contact)?
            .id(&self.company_id, "company_id", Kind::Company)?
            .id(&self.owner_id, "owner_id", Kind::Member)?
            .column(&self.lifecycle_stage, "lifecycle_stage")
            .column(&self.birthdate, "birthdate")
            .column(&self.created_at, "created_at")
            .column(&self.updated_at, "updated_at")
            .column(&self.email_opt_in_at, "email_opt_in_at")
            .column(&self.unsubscribed_at, "unsubscribed_at")
            .tags(&self.tags, TaggableType::Contact)
            .figures(&self.figures, Of::Contact)?
            .column(&self.lead_score, "lead_score")
            .column(&self.email_opt_in, "email_opt_in")
            .one(&self.company, "company", "company_id")?
            .many(
                &self.tickets,
                Link::to_many("ticket", "contact_id", "contact"),
            )?
            .many(&self.deals, deals)?
            .done()
    }
    record_filter_composition!();

    fn relations(&self) -> Vec<(String, &dyn FilterNode)> {
        let mut nodes = Vec::new();
        nodes.extend(relation::one_node("company", &self.company));
        nodes.extend(self.tickets.iter().flat_map(|f| f.nodes("tickets")));
        nodes.extend(self.deals.iter().flat_map(|f| f.nodes("deals")));
        nodes
    }
}
