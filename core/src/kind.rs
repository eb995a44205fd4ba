//! The kinds of record that have global ids, by their API type name.

use entity::enums::CustomFieldRecordType;

/// The record types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Company,
    Contact,
    Deal,
    Pipeline,
    Stage,
    Ticket,
    Activity,
    Member,
    Tag,
    Workspace,
    DealStageChange,
    ApiKey,
    Order,
    SurveyResponse,
    Goal,
    Reason,
    LeadScoringRule,
    TriggerRule,
    Campaign,
    Form,
    Segment,
    Product,
    CustomField,
    /// A tracked engagement (not a node: it has external ids for imports).
    Engagement,
    Document,
    DocumentRevision,
    Team,
}

impl Kind {
    /// Every kind, for reading a global id back.
    pub const ALL: [Kind; 27] = [
        Kind::Company,
        Kind::Contact,
        Kind::Deal,
        Kind::Pipeline,
        Kind::Stage,
        Kind::Ticket,
        Kind::Activity,
        Kind::Member,
        Kind::Tag,
        Kind::Workspace,
        Kind::DealStageChange,
        Kind::ApiKey,
        Kind::Order,
        Kind::SurveyResponse,
        Kind::Goal,
        Kind::Reason,
        Kind::LeadScoringRule,
        Kind::TriggerRule,
        Kind::Campaign,
        Kind::Form,
        Kind::Segment,
        Kind::Product,
        Kind::CustomField,
        Kind::Engagement,
        Kind::Document,
        Kind::DocumentRevision,
        Kind::Team,
    ];

    /// The GraphQL type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Company => "Company",
            Kind::Contact => "Contact",
            Kind::Deal => "Deal",
            Kind::Pipeline => "Pipeline",
            Kind::Stage => "Stage",
            Kind::Ticket => "Ticket",
            Kind::Activity => "Activity",
            Kind::Member => "Member",
            Kind::Tag => "Tag",
            Kind::Workspace => "Workspace",
            Kind::DealStageChange => "DealStageChange",
            Kind::ApiKey => "ApiKey",
            Kind::Order => "Order",
            Kind::SurveyResponse => "SurveyResponse",
            Kind::Goal => "Goal",
            Kind::Reason => "Reason",
            Kind::LeadScoringRule => "LeadScoringRule",
            Kind::TriggerRule => "TriggerRule",
            Kind::Campaign => "Campaign",
            Kind::Form => "Form",
            Kind::Segment => "Segment",
            Kind::Product => "Product",
            Kind::CustomField => "CustomField",
            Kind::Engagement => "Engagement",
            Kind::Document => "Document",
            Kind::DocumentRevision => "DocumentRevision",
            Kind::Team => "Team",
        }
    }

    /// The record type of a kind that carries custom fields and documents
    /// (companies, contacts, deals and tickets).
    pub fn record_type(self) -> Option<CustomFieldRecordType> {
        match self {
            Kind::Company => Some(CustomFieldRecordType::Company),
            Kind::Contact => Some(CustomFieldRecordType::Contact),
            Kind::Deal => Some(CustomFieldRecordType::Deal),
            Kind::Ticket => Some(CustomFieldRecordType::Ticket),
            _ => None,
        }
    }

    /// The kind of a record type.
    pub fn of_record_type(record_type: CustomFieldRecordType) -> Kind {
        match record_type {
            CustomFieldRecordType::Company => Kind::Company,
            CustomFieldRecordType::Contact => Kind::Contact,
            CustomFieldRecordType::Deal => Kind::Deal,
            CustomFieldRecordType::Ticket => Kind::Ticket,
        }
    }
}
