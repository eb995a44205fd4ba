//! How companies are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::TaggableType;
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::calculated::{Figure, FiguresFilter, Of, sort_key};
use crate::graphql::contact::ContactFilter;
use crate::graphql::deal::DealFilter;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::FilterNode;
use crate::graphql::filter::relation::{Link, ManyFilter};
use crate::graphql::filter::{
    DateFilter, DateTimeFilter, DecimalFilter, IdFilter, IntFilter, RecordFilter, StringFilter,
    TagFilter, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{RecordOrdering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};
use crate::graphql::ticket::TicketFilter;

/// Fields companies can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompanyOrderField {
    /// By `name`: the company's name.
    Name,
    /// By `employeeCount`: how many people it employs.
    EmployeeCount,
    /// By `annualRevenue`: yearly revenue, in `annualRevenueCurrency`.
    AnnualRevenue,
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
    /// The highest lead score of its contacts.
    LeadScore,
    /// Calculated: the latest activity (not a task), order or ticket of the
    /// company, or engagement or survey answer of its contacts (none last).
    LastTouchedAt,
    /// Calculated: the percentage of key fields filled.
    Completeness,
}

impl CompanyOrderField {
    fn key(self) -> SortKey {
        let figure = match self {
            Self::TicketCount => Figure::TicketCount(Of::Company),
            Self::OpenTicketCount => Figure::OpenTicketCount(Of::Company),
            Self::LastTicketAt => Figure::LastTicketAt(Of::Company),
            Self::LatestNps => Figure::LatestNps(Of::Company),
            Self::LatestCsat => Figure::LatestCsat(Of::Company),
            Self::LifetimeValue => Figure::LifetimeValue(Of::Company),
            Self::ChurnRisk => Figure::ChurnRisk(Of::Company),
            Self::AverageResolutionHours => Figure::AverageResolution(Of::Company),
            Self::LastTouchedAt => Figure::LastTouchedAt(Of::Company),
            Self::Completeness => Figure::Completeness(Of::Company),
            Self::LeadScore => Figure::CompanyLeadScore,
            _ => return self.column_key(),
        };
        sort_key(figure)
    }

    fn column_key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::Name => ("name", KeyType::Text, false),
            Self::EmployeeCount => ("employee_count", KeyType::Int, true),
            Self::AnnualRevenue => ("annual_revenue_e4", KeyType::BigInt, true),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
            // Calculated fields are keyed by `key`.
            _ => ("id", KeyType::Uuid, false),
        };
        SortKey {
            table: "company",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: oldest first).
    pub fn keys(order_by: Option<&[RecordOrdering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "company", Self::key, &[SortKey::id("company")])
    }
}

/// Which companies to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CompanyFilter {
    /// Every filter in the list must match as well.
    pub and: Option<Vec<CompanyFilter>>,
    /// At least one filter in the list must match as well.
    pub or: Option<Vec<CompanyFilter>>,
    /// Leaves out the records this filter matches.
    pub not: Option<Box<CompanyFilter>>,
    /// Matches on the Company's global id.
    pub id: Option<IdFilter>,
    /// Matches records found by this text as `search` finds them (part of
    /// a word, any case, or one letter off).
    pub search: Option<String>,
    /// Conditions on custom field values, all of which must hold.
    pub custom_fields: Option<Vec<crate::graphql::filter::custom::CustomFieldFilter>>,
    /// Matches on `name`: the company's name.
    pub name: Option<StringFilter>,
    /// Matches on `domain`: its web domain, lower-cased, without scheme or path.
    pub domain: Option<StringFilter>,
    /// Matches on `industry`: its industry.
    pub industry: Option<StringFilter>,
    /// Matches on `employeeCount`: how many people it employs.
    pub employee_count: Option<IntFilter>,
    /// Compared by nominal amount, whatever the currency.
    pub annual_revenue: Option<DecimalFilter>,
    /// Matches on `city`: city of its main office.
    pub city: Option<StringFilter>,
    /// Matches on `country`: ISO 3166-1 alpha-2 country of its main office.
    pub country: Option<StringFilter>,
    /// Matches on `owner`: the member responsible for the account, by its global id.
    pub owner_id: Option<IdFilter>,
    /// Matches on `createdAt`: when it was created.
    pub created_at: Option<DateTimeFilter>,
    /// Matches on `updatedAt`: when it last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// Matches on `tags`: its tags.
    pub tags: Option<TagFilter>,
    /// Conditions on the calculated figures.
    pub figures: Option<FiguresFilter>,
    /// The highest lead score among its contacts.
    pub lead_score: Option<IntFilter>,
    /// Matches on `currentVendor`: the competitor it buys from today.
    pub current_vendor: Option<StringFilter>,
    /// Matches on `vendorContractEndsOn`: when its contract with `currentVendor` ends.
    pub vendor_contract_ends_on: Option<DateFilter>,
    /// When the customer left; `{ isNull: true }` for current customers and prospects.
    pub churned_at: Option<DateTimeFilter>,
    /// Matches on `exitReason`: why it left: a CUSTOMER_EXIT reason code.
    pub exit_reason: Option<StringFilter>,
    /// Its contacts: `some`, `every` or `none` of them match.
    pub contacts: Option<ManyFilter<ContactFilter>>,
    /// Its deals: `some`, `every` or `none` of them match.
    pub deals: Option<ManyFilter<DealFilter>>,
    /// Its tickets: `some`, `every` or `none` of them match.
    pub tickets: Option<ManyFilter<TicketFilter>>,
}

impl RecordFilter for CompanyFilter {
    fn search_of(&self) -> Option<(&'static str, &str)> {
        self.search.as_deref().map(|text| ("company", text))
    }

    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        Fields::new("company", workspace_id, backend)
            .search(&self.search)?
            .custom(&self.custom_fields)?
            .column(&self.name, "name")
            .column(&self.domain, "domain")
            .column(&self.industry, "industry")
            .column(&self.city, "city")
            .column(&self.country, "country")
            .column(&self.current_vendor, "current_vendor")
            .column(&self.exit_reason, "exit_reason")
            .id(&self.id, "id", Kind::Company)?
            .id(&self.owner_id, "owner_id", Kind::Member)?
            .column(&self.employee_count, "employee_count")
            .amount(&self.annual_revenue, "annual_revenue_e4")?
            .column(&self.created_at, "created_at")
            .column(&self.updated_at, "updated_at")
            .column(&self.vendor_contract_ends_on, "vendor_contract_ends_on")
            .column(&self.churned_at, "churned_at")
            .tags(&self.tags, TaggableType::Company)
            .figures(&self.figures, Of::Company)?
            .value(&self.lead_score, |backend| {
                Figure::CompanyLeadScore.expr(backend)
            })
            .many(
                &self.contacts,
                Link::to_many("contact", "company_id", "company"),
            )?
            .many(&self.deals, Link::to_many("deal", "company_id", "company"))?
            .many(
                &self.tickets,
                Link::to_many("ticket", "company_id", "company"),
            )?
            .done()
    }
    record_filter_composition!();

    fn relations(&self) -> Vec<(String, &dyn FilterNode)> {
        let mut nodes = Vec::new();
        nodes.extend(self.contacts.iter().flat_map(|f| f.nodes("contacts")));
        nodes.extend(self.deals.iter().flat_map(|f| f.nodes("deals")));
        nodes.extend(self.tickets.iter().flat_map(|f| f.nodes("tickets")));
        nodes
    }
}
