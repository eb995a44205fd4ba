//! How deals are sorted and filtered.

use async_graphql::{Enum, InputObject};
use entity::enums::{DealStatus, TaggableType};
use sea_orm::sea_query::Condition;
use uuid::Uuid;

use crate::graphql::calculated::{Figure, sort_key, whole_days_condition};
use crate::graphql::company::CompanyFilter;
use crate::graphql::contact::ContactFilter;
use crate::graphql::error::ApiResult;
use crate::graphql::filter::Fields;
use crate::graphql::filter::FilterNode;
use crate::graphql::filter::relation::{self, Link, ManyFilter};
use crate::graphql::filter::{
    DateFilter, DateTimeFilter, DecimalFilter, EnumFilter, IdFilter, IntFilter, RecordFilter,
    StringFilter, TagFilter, col, record_filter_composition,
};
use crate::graphql::ids::Kind;
use crate::graphql::order::{RecordOrdering, sort_keys};
use crate::graphql::page::{KeyType, SortKey};
use crate::graphql::pipeline::StageFilter;
use crate::graphql::ticket::TicketFilter;

/// Fields deals can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DealOrderField {
    /// The deal's name.
    Name,
    /// The nominal amount, whatever the currency.
    Amount,
    /// The expected close date; deals without one come last.
    ExpectedCloseDate,
    /// When the deal entered its current stage.
    StageEnteredAt,
    /// When it was created.
    CreatedAt,
    /// When it last changed.
    UpdatedAt,
    /// Calculated: whole days in the current stage.
    DaysInStage,
    /// Calculated: whole days since creation.
    AgeDays,
    /// Calculated: amount × stage win probability (nominal).
    WeightedAmount,
}

impl DealOrderField {
    fn key(self) -> SortKey {
        let figure = match self {
            Self::DaysInStage => Figure::DealDaysInStage,
            Self::AgeDays => Figure::DealAgeDays,
            Self::WeightedAmount => Figure::DealWeightedAmount,
            _ => return self.column_key(),
        };
        sort_key(figure)
    }

    fn column_key(self) -> SortKey {
        let (column, ty, nullable) = match self {
            Self::Name => ("name", KeyType::Text, false),
            Self::Amount => ("amount_e4", KeyType::BigInt, false),
            Self::ExpectedCloseDate => ("expected_close_date", KeyType::Date, true),
            Self::StageEnteredAt => ("stage_entered_at", KeyType::Timestamp, false),
            Self::CreatedAt => ("created_at", KeyType::Timestamp, false),
            Self::UpdatedAt => ("updated_at", KeyType::Timestamp, false),
            // Calculated fields are keyed by `key`.
            _ => ("id", KeyType::Uuid, false),
        };
        SortKey {
            table: "deal",
            column,
            ty,
            nullable,
            desc: false,
        }
    }

    /// The sort keys of an `orderBy` argument (default: oldest first).
    pub fn keys(order_by: Option<&[RecordOrdering<Self>]>) -> ApiResult<Vec<SortKey>> {
        sort_keys(order_by, "deal", Self::key, &[SortKey::id("deal")])
    }
}

/// Which deals to return. Fields combine with AND.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DealFilter {
    /// All of these filters.
    pub and: Option<Vec<DealFilter>>,
    /// At least one of these filters.
    pub or: Option<Vec<DealFilter>>,
    /// Not this filter.
    pub not: Option<Box<DealFilter>>,
    /// The deal's id.
    pub id: Option<IdFilter>,
    /// Matches records found by this text as `search` finds them (part of
    /// a word, any case, or one letter off).
    pub search: Option<String>,
    /// Conditions on custom field values, all of which must hold.
    pub custom_fields: Option<Vec<crate::graphql::filter::custom::CustomFieldFilter>>,
    /// The deal's name.
    pub name: Option<StringFilter>,
    /// Compared by nominal amount, whatever the currency.
    pub amount: Option<DecimalFilter>,
    /// ISO 4217 code.
    pub currency: Option<StringFilter>,
    /// Open, won or lost.
    pub status: Option<EnumFilter<DealStatus>>,
    /// The deal's pipeline.
    pub pipeline_id: Option<IdFilter>,
    /// The deal's current stage.
    pub stage_id: Option<IdFilter>,
    /// The customer company.
    pub company_id: Option<IdFilter>,
    /// The responsible member.
    pub owner_id: Option<IdFilter>,
    /// The expected close date.
    pub expected_close_date: Option<DateFilter>,
    /// When it was won or lost.
    pub closed_at: Option<DateTimeFilter>,
    /// When it was created.
    pub created_at: Option<DateTimeFilter>,
    /// When it last changed.
    pub updated_at: Option<DateTimeFilter>,
    /// By tag name.
    pub tags: Option<TagFilter>,
    /// Conditions on the calculated figures.
    pub figures: Option<DealFiguresFilter>,
    /// Its company (deals without one do not match) matches this filter.
    pub company: Option<Box<CompanyFilter>>,
    /// The stage it is in matches this filter.
    pub stage: Option<Box<StageFilter>>,
    /// The tickets raised about it: `some`, `every` or `none` of them match.
    pub tickets: Option<ManyFilter<TicketFilter>>,
    /// The contacts taking part in it (in any role): `some`, `every` or `none` of them match.
    pub contacts: Option<ManyFilter<ContactFilter>>,
}

/// Conditions on a deal's calculated figures.
#[derive(InputObject, Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DealFiguresFilter {
    /// Whole days in the current stage.
    pub days_in_stage: Option<IntFilter>,
    /// Whole days since creation.
    pub age_days: Option<IntFilter>,
    /// Amount × stage win probability, by nominal amount.
    pub weighted_amount: Option<DecimalFilter>,
}

impl DealFiguresFilter {
    /// The conditions on the listed deals' figures.
    fn condition(&self, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let mut all = Condition::all();
        if let Some(f) = &self.days_in_stage {
            let entered = col("deal", "stage_entered_at");
            all = all.add(whole_days_condition(f, entered, crate::clock::now()));
        }
        if let Some(f) = &self.age_days {
            all = all.add(f.condition(Figure::DealAgeDays.expr(backend)));
        }
        if let Some(f) = &self.weighted_amount {
            let weighted = Figure::DealWeightedAmount.expr(backend);
            all = all.add(f.condition(weighted, "filter.figures.weightedAmount")?);
        }
        Ok(all)
    }
}

impl RecordFilter for DealFilter {
    fn search_of(&self) -> Option<(&'static str, &str)> {
        self.search.as_deref().map(|text| ("deal", text))
    }

    fn fields(&self, workspace_id: Uuid, backend: sea_orm::DbBackend) -> ApiResult<Condition> {
        let contacts = Link::paired("contact", "deal_contact", "contact_id", "deal_id", "deal");
        let figures = match &self.figures {
            Some(figures) => figures.condition(backend)?,
            None => Condition::all(),
        };
        Fields::new("deal", workspace_id, backend)
            .search(&self.search)?
            .custom(&self.custom_fields)?
            .column(&self.name, "name")
            .column(&self.currency, "currency")
            .id(&self.id, "id", Kind::Deal)?
            .id(&self.pipeline_id, "pipeline_id", Kind::Pipeline)?
            .id(&self.stage_id, "stage_id", Kind::Stage)?
            .id(&self.company_id, "company_id", Kind::Company)?
            .id(&self.owner_id, "owner_id", Kind::Member)?
            .amount(&self.amount, "amount_e4")?
            .column(&self.status, "status")
            .column(&self.expected_close_date, "expected_close_date")
            .column(&self.closed_at, "closed_at")
            .column(&self.created_at, "created_at")
            .column(&self.updated_at, "updated_at")
            .tags(&self.tags, TaggableType::Deal)
            .and(figures)
            .one(&self.company, "company", "company_id")?
            .one(&self.stage, "stage", "stage_id")?
            .many(&self.tickets, Link::to_many("ticket", "deal_id", "deal"))?
            .many(&self.contacts, contacts)?
            .done()
    }
    record_filter_composition!();

    fn relations(&self) -> Vec<(String, &dyn FilterNode)> {
        let mut nodes = Vec::new();
        nodes.extend(relation::one_node("company", &self.company));
        nodes.extend(relation::one_node("stage", &self.stage));
        nodes.extend(self.tickets.iter().flat_map(|f| f.nodes("tickets")));
        nodes.extend(self.contacts.iter().flat_map(|f| f.nodes("contacts")));
        nodes
    }

    fn own_hidden_field(&self, actor: &crate::auth::Actor) -> Option<&'static str> {
        if actor.sees_amounts() {
            return None;
        }
        let weighted = self
            .figures
            .as_ref()
            .is_some_and(|f| f.weighted_amount.is_some());
        if self.amount.is_some() {
            Some("amount")
        } else if weighted {
            Some("weightedAmount")
        } else {
            None
        }
    }
}
