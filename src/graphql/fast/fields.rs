//! What the fast read path knows of each record type: its GraphQL names,
//! the plain fields it can answer from columns, and the lists it can nest.
//!
//! Each field gives out exactly what its resolver returns: the column is
//! read as the resolver's Rust type and turned into a GraphQL value by that
//! type's own `to_value`. `ReadPath::Verify` (every API test) compares the
//! two paths on every read, so a field that drifts from its resolver fails
//! the tests rather than a client.

use async_graphql::{ID, InputType, Value};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{DealStatus, LegalBasis, LifecycleStage, TicketPriority, TicketStatus};
use sea_orm::{DbErr, QueryResult, TryGetable};
use uuid::Uuid;

use crate::auth::Actor;
use crate::domain::money;
use crate::graphql::ids::{self, Kind};

/// A record type the fast path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Company,
    Contact,
    Deal,
    Ticket,
}

/// How a nested list of a record is found.
#[derive(Debug, Clone, Copy)]
pub enum Relation {
    /// Rows of `child` whose `column` holds the parent's id.
    ForeignKey { child: Type, column: &'static str },
    /// `Contact.deals`, through the `deal_contact` links.
    DealsOfContact,
}

impl Relation {
    pub fn child(self) -> Type {
        match self {
            Relation::ForeignKey { child, .. } => child,
            Relation::DealsOfContact => Type::Deal,
        }
    }
}

/// A to-one field: the `target` record whose id the row's `column` holds
/// (null when unset, deleted or not visible, as `list::referenced` answers).
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    pub target: Type,
    pub column: &'static str,
}

/// Reads one field's value from a row.
type Read = fn(&QueryResult, &Actor) -> Result<Value, DbErr>;

/// A field answered from columns of the row.
#[derive(Clone, Copy)]
pub struct Scalar {
    /// The columns it reads.
    pub columns: &'static [&'static str],
    pub read: Read,
}

impl Type {
    pub fn of(kind: Kind) -> Option<Type> {
        match kind {
            Kind::Company => Some(Type::Company),
            Kind::Contact => Some(Type::Contact),
            Kind::Deal => Some(Type::Deal),
            Kind::Ticket => Some(Type::Ticket),
            _ => None,
        }
    }

    /// The GraphQL object type's name.
    pub fn name(self) -> &'static str {
        match self {
            Type::Company => "Company",
            Type::Contact => "Contact",
            Type::Deal => "Deal",
            Type::Ticket => "Ticket",
        }
    }

    pub fn table(self) -> &'static str {
        match self {
            Type::Company => "company",
            Type::Contact => "contact",
            Type::Deal => "deal",
            Type::Ticket => "ticket",
        }
    }

    pub fn connection_name(self) -> String {
        format!("{}Connection", self.name())
    }

    pub fn edge_name(self) -> String {
        format!("{}Edge", self.name())
    }

    /// The nested list `field` of this type, when the fast path knows it.
    /// (`Deal.contacts` is left to the executor: its edges carry roles.)
    pub fn relation(self, field: &str) -> Option<Relation> {
        let fk = |child, column| Some(Relation::ForeignKey { child, column });
        match (self, field) {
            (Type::Company, "contacts") => fk(Type::Contact, "company_id"),
            (Type::Company, "deals") => fk(Type::Deal, "company_id"),
            (Type::Company, "tickets") => fk(Type::Ticket, "company_id"),
            (Type::Contact, "deals") => Some(Relation::DealsOfContact),
            (Type::Contact, "tickets") => fk(Type::Ticket, "contact_id"),
            (Type::Deal, "tickets") => fk(Type::Ticket, "deal_id"),
            _ => None,
        }
    }

    /// The to-one field `field` of this type, when the fast path knows it.
    pub fn reference(self, field: &str) -> Option<Reference> {
        let to = |target, column| Some(Reference { target, column });
        match (self, field) {
            (Type::Contact, "company") => to(Type::Company, "company_id"),
            (Type::Deal, "company") => to(Type::Company, "company_id"),
            (Type::Ticket, "contact") => to(Type::Contact, "contact_id"),
            (Type::Ticket, "company") => to(Type::Company, "company_id"),
            (Type::Ticket, "deal") => to(Type::Deal, "deal_id"),
            _ => None,
        }
    }

    /// The plain field `field` of this type, when the fast path knows it.
    pub fn scalar(self, field: &str) -> Option<Scalar> {
        match self {
            Type::Company => company(field),
            Type::Contact => contact(field),
            Type::Deal => deal(field),
            Type::Ticket => ticket(field),
        }
    }
}

/// Reads `column` as `T` and gives it out as a resolver returning `T` does.
fn get<T: TryGetable + InputType>(row: &QueryResult, column: &str) -> Result<Value, DbErr> {
    Ok(row.try_get::<T>("", column)?.to_value())
}

macro_rules! column {
    ($column:literal as $ty:ty) => {
        Some(Scalar {
            columns: &[$column],
            read: |row, _| get::<$ty>(row, $column),
        })
    };
}

fn global_id(kind: Kind) -> Option<Scalar> {
    let read: Read = match kind {
        Kind::Company => |row, _| id_of(row, Kind::Company),
        Kind::Contact => |row, _| id_of(row, Kind::Contact),
        Kind::Deal => |row, _| id_of(row, Kind::Deal),
        _ => |row, _| id_of(row, Kind::Ticket),
    };
    Some(Scalar {
        columns: &["id"],
        read,
    })
}

fn id_of(row: &QueryResult, kind: Kind) -> Result<Value, DbErr> {
    let id: Uuid = row.try_get("", "id")?;
    Ok(<ID as InputType>::to_value(&ids::encode(kind, id)))
}

type Text = String;
type OptText = Option<String>;
type Time = DateTime<Utc>;
type OptTime = Option<DateTime<Utc>>;
type OptDate = Option<NaiveDate>;

fn company(field: &str) -> Option<Scalar> {
    match field {
        "id" => global_id(Kind::Company),
        "name" => column!("name" as Text),
        "domain" => column!("domain" as OptText),
        "industry" => column!("industry" as OptText),
        "employeeCount" => column!("employee_count" as Option<i32>),
        "annualRevenue" => Some(Scalar {
            columns: &["annual_revenue_e4", "annual_revenue_currency"],
            read: |row, _| {
                let amount: Option<i64> = row.try_get("", "annual_revenue_e4")?;
                let currency: Option<String> = row.try_get("", "annual_revenue_currency")?;
                let currency = currency.as_deref().unwrap_or("USD");
                Ok(amount.map(|v| money::from_e4(v, currency)).to_value())
            },
        }),
        "annualRevenueCurrency" => column!("annual_revenue_currency" as OptText),
        "city" => column!("city" as OptText),
        "country" => column!("country" as OptText),
        "currentVendor" => column!("current_vendor" as OptText),
        "vendorContractEndsOn" => column!("vendor_contract_ends_on" as OptDate),
        "churnedAt" => column!("churned_at" as OptTime),
        "exitReason" => column!("exit_reason" as OptText),
        "version" => column!("version" as i32),
        "deletedAt" => column!("deleted_at" as OptTime),
        "createdAt" => column!("created_at" as Time),
        "updatedAt" => column!("updated_at" as Time),
        _ => None,
    }
}

fn contact(field: &str) -> Option<Scalar> {
    match field {
        "id" => global_id(Kind::Contact),
        "firstName" => column!("first_name" as Text),
        "lastName" => column!("last_name" as Text),
        "fullName" => Some(Scalar {
            columns: &["first_name", "last_name"],
            read: |row, _| {
                let first: String = row.try_get("", "first_name")?;
                let last: String = row.try_get("", "last_name")?;
                Ok(Value::String(format!("{first} {last}").trim().to_owned()))
            },
        }),
        "email" => column!("email" as OptText),
        "phone" => column!("phone" as OptText),
        "jobTitle" => column!("job_title" as OptText),
        "leadScore" => column!("lead_score" as i32),
        "emailOptIn" => column!("email_opt_in" as bool),
        "emailOptInAt" => column!("email_opt_in_at" as OptTime),
        "consentSource" => column!("consent_source" as OptText),
        "consentLegalBasis" => column!("consent_legal_basis" as Option<LegalBasis>),
        "unsubscribedAt" => column!("unsubscribed_at" as OptTime),
        "lifecycleStage" => column!("lifecycle_stage" as LifecycleStage),
        "city" => column!("city" as OptText),
        "country" => column!("country" as OptText),
        "birthdate" => column!("birthdate" as OptDate),
        "version" => column!("version" as i32),
        "deletedAt" => column!("deleted_at" as OptTime),
        "createdAt" => column!("created_at" as Time),
        "updatedAt" => column!("updated_at" as Time),
        _ => None,
    }
}

fn deal(field: &str) -> Option<Scalar> {
    match field {
        "id" => global_id(Kind::Deal),
        "name" => column!("name" as Text),
        // Null for roles that see no amounts, as `Deal.amount` resolves it.
        "amount" => Some(Scalar {
            columns: &["amount_e4", "currency"],
            read: |row, actor| {
                if !actor.sees_amounts() {
                    return Ok(Value::Null);
                }
                let amount: i64 = row.try_get("", "amount_e4")?;
                let currency: String = row.try_get("", "currency")?;
                Ok(money::from_e4(amount, &currency).to_value())
            },
        }),
        "currency" => column!("currency" as Text),
        "status" => column!("status" as DealStatus),
        "expectedCloseDate" => column!("expected_close_date" as OptDate),
        "closedAt" => column!("closed_at" as OptTime),
        "closeReason" => column!("close_reason" as OptText),
        "stageEnteredAt" => column!("stage_entered_at" as Time),
        "version" => column!("version" as i32),
        "deletedAt" => column!("deleted_at" as OptTime),
        "createdAt" => column!("created_at" as Time),
        "updatedAt" => column!("updated_at" as Time),
        _ => None,
    }
}

fn ticket(field: &str) -> Option<Scalar> {
    match field {
        "id" => global_id(Kind::Ticket),
        "number" => column!("number" as i64),
        "subject" => column!("subject" as Text),
        "description" => column!("description" as OptText),
        "status" => column!("status" as TicketStatus),
        "priority" => column!("priority" as TicketPriority),
        "category" => column!("category" as OptText),
        "openedAt" => column!("opened_at" as Time),
        "firstResponseAt" => column!("first_response_at" as OptTime),
        "resolvedAt" => column!("resolved_at" as OptTime),
        "closedAt" => column!("closed_at" as OptTime),
        "resolutionTimeSeconds" => Some(Scalar {
            columns: &["opened_at", "resolved_at"],
            read: |row, _| {
                let opened: DateTime<Utc> = row.try_get("", "opened_at")?;
                let resolved: Option<DateTime<Utc>> = row.try_get("", "resolved_at")?;
                Ok(resolved
                    .map(|resolved| (resolved - opened).num_seconds())
                    .to_value())
            },
        }),
        "version" => column!("version" as i32),
        "deletedAt" => column!("deleted_at" as OptTime),
        "createdAt" => column!("created_at" as Time),
        "updatedAt" => column!("updated_at" as Time),
        _ => None,
    }
}
