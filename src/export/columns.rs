//! The columns of each exported record type: the GraphQL type's stored
//! fields under their GraphQL names, each value as the API gives it out
//! (global ids, exact decimals, RFC 3339 timestamps, enum names), so an
//! export reads like the API. A to-one field becomes `<field>Id` holding
//! the global id. Calculated fields (figures, weighted amounts) and
//! `deletedAt` (lists skip deleted rows) are left out.

use async_graphql::{ID, InputType, Value};
use entity::{activity, company, contact, customer_order, deal, product, survey_response, ticket};
use rapport_core::ops::product::prices;
use uuid::Uuid;

use crate::domain::money;
use crate::graphql::ids::{self, Kind};

/// One column: its name, whether it is an amount (left out for roles that
/// see no amounts), and how a row gives its value.
pub struct Column<M> {
    pub name: &'static str,
    pub amount: bool,
    pub read: fn(&M) -> Value,
}

macro_rules! col {
    ($name:literal, |$m:ident| $value:expr) => {
        Column {
            name: $name,
            amount: false,
            read: |$m| $value,
        }
    };
    (amount $name:literal, |$m:ident| $value:expr) => {
        Column {
            name: $name,
            amount: true,
            read: |$m| $value,
        }
    };
}

/// The value a resolver returning `T` gives out.
fn v<T: InputType>(value: &T) -> Value {
    value.to_value()
}

fn id(kind: Kind, id: Uuid) -> Value {
    <ID as InputType>::to_value(&ids::encode(kind, id))
}

fn opt_id(kind: Kind, value: Option<Uuid>) -> Value {
    value.map_or(Value::Null, |value| id(kind, value))
}

pub const COMPANY: &[Column<company::Model>] = &[
    col!("id", |m| id(Kind::Company, m.id)),
    col!("name", |m| v(&m.name)),
    col!("domain", |m| v(&m.domain)),
    col!("industry", |m| v(&m.industry)),
    col!("employeeCount", |m| v(&m.employee_count)),
    col!("annualRevenue", |m| {
        let currency = m.annual_revenue_currency.as_deref().unwrap_or("USD");
        v(&m.annual_revenue_e4.map(|e4| money::from_e4(e4, currency)))
    }),
    col!("annualRevenueCurrency", |m| v(&m.annual_revenue_currency)),
    col!("city", |m| v(&m.city)),
    col!("country", |m| v(&m.country)),
    col!("ownerId", |m| opt_id(Kind::Member, m.owner_id)),
    col!("currentVendor", |m| v(&m.current_vendor)),
    col!("vendorContractEndsOn", |m| v(&m.vendor_contract_ends_on)),
    col!("churnedAt", |m| v(&m.churned_at)),
    col!("exitReason", |m| v(&m.exit_reason)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];

pub const CONTACT: &[Column<contact::Model>] = &[
    col!("id", |m| id(Kind::Contact, m.id)),
    col!("firstName", |m| v(&m.first_name)),
    col!("lastName", |m| v(&m.last_name)),
    col!("email", |m| v(&m.email)),
    col!("phone", |m| v(&m.phone)),
    col!("jobTitle", |m| v(&m.job_title)),
    col!("companyId", |m| opt_id(Kind::Company, m.company_id)),
    col!("ownerId", |m| opt_id(Kind::Member, m.owner_id)),
    col!("leadScore", |m| v(&m.lead_score)),
    col!("emailOptIn", |m| v(&m.email_opt_in)),
    col!("emailOptInAt", |m| v(&m.email_opt_in_at)),
    col!("consentSource", |m| v(&m.consent_source)),
    col!("consentLegalBasis", |m| v(&m.consent_legal_basis)),
    col!("unsubscribedAt", |m| v(&m.unsubscribed_at)),
    col!("lifecycleStage", |m| v(&m.lifecycle_stage)),
    col!("city", |m| v(&m.city)),
    col!("country", |m| v(&m.country)),
    col!("birthdate", |m| v(&m.birthdate)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];

pub const DEAL: &[Column<deal::Model>] = &[
    col!("id", |m| id(Kind::Deal, m.id)),
    col!("name", |m| v(&m.name)),
    col!(amount "amount", |m| v(&money::from_e4(m.amount_e4, &m.currency))),
    col!("currency", |m| v(&m.currency)),
    col!("status", |m| v(&m.status)),
    col!("pipelineId", |m| id(Kind::Pipeline, m.pipeline_id)),
    col!("stageId", |m| id(Kind::Stage, m.stage_id)),
    col!("companyId", |m| opt_id(Kind::Company, m.company_id)),
    col!("ownerId", |m| opt_id(Kind::Member, m.owner_id)),
    col!("expectedCloseDate", |m| v(&m.expected_close_date)),
    col!("closedAt", |m| v(&m.closed_at)),
    col!("closeReason", |m| v(&m.close_reason)),
    col!("stageEnteredAt", |m| v(&m.stage_entered_at)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];

pub const TICKET: &[Column<ticket::Model>] = &[
    col!("id", |m| id(Kind::Ticket, m.id)),
    col!("number", |m| v(&m.number)),
    col!("subject", |m| v(&m.subject)),
    col!("description", |m| v(&m.description)),
    col!("status", |m| v(&m.status)),
    col!("priority", |m| v(&m.priority)),
    col!("category", |m| v(&m.category)),
    col!("contactId", |m| opt_id(Kind::Contact, m.contact_id)),
    col!("companyId", |m| opt_id(Kind::Company, m.company_id)),
    col!("dealId", |m| opt_id(Kind::Deal, m.deal_id)),
    col!("assigneeId", |m| opt_id(Kind::Member, m.assignee_id)),
    col!("openedAt", |m| v(&m.opened_at)),
    col!("firstResponseAt", |m| v(&m.first_response_at)),
    col!("resolvedAt", |m| v(&m.resolved_at)),
    col!("closedAt", |m| v(&m.closed_at)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];

pub const ACTIVITY: &[Column<activity::Model>] = &[
    col!("id", |m| id(Kind::Activity, m.id)),
    col!("kind", |m| v(&m.kind)),
    col!("subject", |m| v(&m.subject)),
    col!("body", |m| v(&m.body)),
    col!("occurredAt", |m| v(&m.occurred_at)),
    col!("dueAt", |m| v(&m.due_at)),
    col!("completedAt", |m| v(&m.completed_at)),
    col!("contactId", |m| opt_id(Kind::Contact, m.contact_id)),
    col!("companyId", |m| opt_id(Kind::Company, m.company_id)),
    col!("dealId", |m| opt_id(Kind::Deal, m.deal_id)),
    col!("ticketId", |m| opt_id(Kind::Ticket, m.ticket_id)),
    col!("authorId", |m| opt_id(Kind::Member, m.author_id)),
    col!("assigneeId", |m| opt_id(Kind::Member, m.assignee_id)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];

pub const ORDER: &[Column<customer_order::Model>] = &[
    col!("id", |m| id(Kind::Order, m.id)),
    col!("product", |m| v(&m.product)),
    col!("quantity", |m| v(&m.quantity)),
    col!("amount", |m| v(&money::from_e4(m.amount_e4, &m.currency))),
    col!("currency", |m| v(&m.currency)),
    col!("orderedAt", |m| v(&m.ordered_at)),
    col!("status", |m| v(&m.status)),
    col!("cartStartedAt", |m| v(&m.cart_started_at)),
    col!("contactId", |m| opt_id(Kind::Contact, m.contact_id)),
    col!("companyId", |m| opt_id(Kind::Company, m.company_id)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];

pub const SURVEY_RESPONSE: &[Column<survey_response::Model>] = &[
    col!("id", |m| id(Kind::SurveyResponse, m.id)),
    col!("kind", |m| v(&m.kind)),
    col!("score", |m| v(&m.score)),
    col!("reason", |m| v(&m.reason)),
    col!("comment", |m| v(&m.comment)),
    col!("respondedAt", |m| v(&m.responded_at)),
    col!("contactId", |m| id(Kind::Contact, m.contact_id)),
    col!("ticketId", |m| opt_id(Kind::Ticket, m.ticket_id)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
];

/// Read back by a products import (`listPrices` in the same text form).
pub const PRODUCT: &[Column<product::Model>] = &[
    col!("id", |m| id(Kind::Product, m.id)),
    col!("sku", |m| v(&m.sku)),
    col!("name", |m| v(&m.name)),
    col!("category", |m| v(&m.category)),
    col!(amount "listPrices", |m| v(&prices::to_text(&m.list_prices))),
    col!("active", |m| v(&m.active)),
    col!("version", |m| v(&m.version)),
    col!("createdAt", |m| v(&m.created_at)),
    col!("updatedAt", |m| v(&m.updated_at)),
];
