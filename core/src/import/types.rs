//! The types of record an import takes, their columns and what each
//! needs of its rows.

use super::{activities, catalogue, deals, engagements, people, purchases, tickets};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportType {
    Companies,
    Contacts,
    Deals,
    Tickets,
    Activities,
    Orders,
    SurveyResponses,
    Engagements,
    Products,
}

impl ImportType {
    pub const ALL: [ImportType; 9] = [
        ImportType::Companies,
        ImportType::Contacts,
        ImportType::Deals,
        ImportType::Tickets,
        ImportType::Activities,
        ImportType::Orders,
        ImportType::SurveyResponses,
        ImportType::Engagements,
        ImportType::Products,
    ];

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ImportType::Companies => "companies",
            ImportType::Contacts => "contacts",
            ImportType::Deals => "deals",
            ImportType::Tickets => "tickets",
            ImportType::Activities => "activities",
            ImportType::Orders => "orders",
            ImportType::SurveyResponses => "surveyResponses",
            ImportType::Engagements => "engagements",
            ImportType::Products => "products",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The columns a file of this type may have (the README lists them).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportType::Companies => people::COMPANY_COLUMNS,
            ImportType::Contacts => people::CONTACT_COLUMNS,
            ImportType::Deals => deals::COLUMNS,
            ImportType::Tickets => tickets::COLUMNS,
            ImportType::Activities => activities::COLUMNS,
            ImportType::Orders => purchases::ORDER_COLUMNS,
            ImportType::SurveyResponses => purchases::SURVEY_COLUMNS,
            ImportType::Engagements => engagements::COLUMNS,
            ImportType::Products => catalogue::COLUMNS,
        }
    }

    /// Whether its records carry custom fields (`customFields.<key>` columns).
    pub fn has_custom_fields(self) -> bool {
        matches!(
            self,
            ImportType::Companies | ImportType::Contacts | ImportType::Deals | ImportType::Tickets
        )
    }

    /// Tickets are numbered in the order they were opened, so their rows
    /// are written in order of `openedAt` (the caller sorts with [`sort_rows`]).
    pub fn ordered_by(self) -> Option<&'static str> {
        (self == ImportType::Tickets).then_some("openedAt")
    }
}
