//! The deterministic demo workspace `cargo run` starts with: two pipelines,
//! 30 companies, 150 contacts, 100 deals, 200 tickets, activities and tags.
//! The same data every time (a fixed pseudo-random sequence and fixed ids),
//! so a README query gives the same answer on every machine.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use entity::enums::{
    ActivityKind, DealContactRole, DealStatus, LifecycleStage, Role, StageKind, TaggableType,
    TicketPriority, TicketStatus,
};
use entity::{
    activity, company, contact, deal, deal_contact, deal_stage_change, member, pipeline, stage,
    tag, tagging, ticket, workspace,
};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::graphql::filter::col;

/// The demo admin's login; `rapport token` prints a token for it.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.rapport.dev";

const COMPANIES: [&str; 30] = [
    "Acme Robotics",
    "Globex Logistics",
    "Initech Software",
    "Umbrella Health",
    "Stark Energy",
    "Wayne Shipping",
    "Hooli Cloud",
    "Vandelay Imports",
    "Soylent Foods",
    "Tyrell Biotech",
    "Cyberdyne Security",
    "Wonka Confectionery",
    "Oscorp Materials",
    "Aperture Labs",
    "Black Mesa Research",
    "Gringotts Finance",
    "Monarch Textiles",
    "Nakatomi Trading",
    "Pied Piper Media",
    "Dunder Paper",
    "Bluth Properties",
    "Sterling Advertising",
    "Prestige Worldwide",
    "Massive Dynamic",
    "Duff Beverages",
    "Krusty Retail",
    "Ollivander Crafts",
    "Zorg Industries",
    "Gekko Capital",
    "Rekall Travel",
];
const INDUSTRIES: [&str; 8] = [
    "Software",
    "Manufacturing",
    "Healthcare",
    "Logistics",
    "Finance",
    "Retail",
    "Energy",
    "Media",
];
const CITIES: [(&str, &str, &str); 6] = [
    ("Berlin", "DE", "+4930"),
    ("London", "GB", "+44207"),
    ("Paris", "FR", "+3314"),
    ("Amsterdam", "NL", "+3120"),
    ("Madrid", "ES", "+3491"),
    ("Vienna", "AT", "+431"),
];
const FIRST: [&str; 15] = [
    "Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Iris", "Jonas", "Kara",
    "Liam", "Mia", "Noah", "Olivia",
];
const LAST: [&str; 10] = [
    "Schmidt", "Smith", "Martin", "de Vries", "Garcia", "Huber", "Rossi", "Novak", "Larsen",
    "Dubois",
];
const TITLES: [&str; 6] = [
    "CEO",
    "CTO",
    "Head of Operations",
    "Procurement Manager",
    "Engineer",
    "Finance Director",
];
const TAGS: [&str; 5] = ["vip", "enterprise", "smb", "partner", "at-risk"];
const CATEGORIES: [&str; 5] = ["billing", "bug", "onboarding", "how-to", "outage"];
const WON_REASONS: [&str; 3] = ["Best price", "Product fit", "Relationship"];
const LOST_REASONS: [&str; 3] = ["Price too high", "Chose a competitor", "No budget"];

/// A fixed pseudo-random sequence (SplitMix64): the same demo on every run.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// A UUID v7 at a fixed time, with sequence bits: valid, ordered, repeatable.
    fn id(&mut self, at: DateTime<Utc>) -> Uuid {
        let bytes = self.next().to_be_bytes();
        let more = self.next().to_be_bytes();
        let random = [
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            more[0], more[1],
        ];
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis() as u64, &random).into_uuid()
    }
}

/// The demo workspace's id.
pub fn demo_workspace_id() -> Uuid {
    Sequence(0).id(epoch())
}

fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// True when no workspace exists yet (a first run).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(workspace::Entity::find().count(db).await? == 0)
}

/// The actor of the member with `email` (any workspace; emails are unique in the demo).
pub async fn actor_by_email(db: &DatabaseConnection, email: &str) -> anyhow::Result<Actor> {
    let email = email.trim().to_lowercase();
    let member = member::Entity::find()
        .filter(col("member", "email").eq(email.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no member with email {email}"))?;
    Ok(Actor {
        workspace_id: member.workspace_id,
        member_id: member.id,
        role: member.role,
        api_key_id: None,
    })
}

/// Creates the demo workspace unless it exists; returns whether it did.
pub async fn demo(db: &DatabaseConnection) -> Result<bool, DbErr> {
    if workspace::Entity::find_by_id(demo_workspace_id())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let txn = db.begin().await?;
    Demo {
        seq: Sequence(1),
        ws: demo_workspace_id(),
        at: epoch(),
    }
    .write(&txn)
    .await?;
    txn.commit().await?;
    Ok(true)
}

struct Demo {
    seq: Sequence,
    ws: Uuid,
    at: DateTime<Utc>,
}

impl Demo {
    /// A moment in the demo's first 300 days, advancing with the sequence.
    fn moment(&mut self) -> DateTime<Utc> {
        self.at + Duration::minutes(self.seq.below(300 * 24 * 60) as i64)
    }

    async fn write<C: ConnectionTrait>(mut self, db: &C) -> Result<(), DbErr> {
        let (ws, t0) = (self.ws, self.at);
        workspace::ActiveModel {
            id: Set(ws),
            name: Set("Demo Sales Co".into()),
            ticket_seq: Set(200),
            event_seq: Set(0),
            created_at: Set(t0),
            updated_at: Set(t0),
        }
        .insert(db)
        .await?;
        let roles = [
            ("Ada Admin", DEMO_ADMIN_EMAIL, Role::Admin, 0),
            (
                "Max Manager",
                "manager@demo.rapport.dev",
                Role::Manager,
                200,
            ),
            ("Sam Seller", "sam@demo.rapport.dev", Role::Sales, 750),
            ("Sara Sales", "sara@demo.rapport.dev", Role::Sales, 750),
            ("Sue Support", "support@demo.rapport.dev", Role::Support, 0),
            ("Vic Viewer", "viewer@demo.rapport.dev", Role::Viewer, 0),
        ];
        let mut members = Vec::new();
        for (name, email, role, bps) in roles {
            let id = self.seq.id(t0);
            members.push((id, role));
            member::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws),
                email: Set(email.into()),
                name: Set(name.into()),
                role: Set(role),
                title: Set(None),
                commission_bps: Set(bps),
                password_hash: Set(None),
                deactivated_at: Set(None),
                invitation_hash: Set(None),
                invitation_expires_at: Set(None),
                created_at: Set(t0),
                updated_at: Set(t0),
            }
            .insert(db)
            .await?;
        }
        let sellers: Vec<Uuid> = members
            .iter()
            .filter(|(_, r)| *r == Role::Sales)
            .map(|(id, _)| *id)
            .collect();
        let support = members
            .iter()
            .find(|(_, r)| *r == Role::Support)
            .map(|(id, _)| *id);

        let pipelines = [
            (
                "New business",
                vec![
                    ("Qualification", 10, StageKind::Open),
                    ("Discovery", 25, StageKind::Open),
                    ("Proposal", 50, StageKind::Open),
                    ("Negotiation", 75, StageKind::Open),
                    ("Won", 100, StageKind::Won),
                    ("Lost", 0, StageKind::Lost),
                ],
            ),
            (
                "Renewals",
                vec![
                    ("Upcoming", 60, StageKind::Open),
                    ("Negotiating", 80, StageKind::Open),
                    ("Renewed", 100, StageKind::Won),
                    ("Churned", 0, StageKind::Lost),
                ],
            ),
        ];
        let mut stages_of: Vec<(Uuid, Vec<(Uuid, StageKind)>)> = Vec::new();
        for (position, (name, stages)) in pipelines.into_iter().enumerate() {
            let pid = self.seq.id(t0);
            pipeline::ActiveModel {
                id: Set(pid),
                workspace_id: Set(ws),
                name: Set(name.into()),
                position: Set(position as i32),
                version: Set(1),
                deleted_at: Set(None),
                created_at: Set(t0),
                updated_at: Set(t0),
            }
            .insert(db)
            .await?;
            let mut ids = Vec::new();
            for (position, (name, probability, kind)) in stages.into_iter().enumerate() {
                let sid = self.seq.id(t0);
                ids.push((sid, kind));
                stage::ActiveModel {
                    id: Set(sid),
                    workspace_id: Set(ws),
                    pipeline_id: Set(pid),
                    name: Set(name.into()),
                    position: Set(position as i32),
                    win_probability: Set(probability),
                    kind: Set(kind),
                    version: Set(1),
                    deleted_at: Set(None),
                    created_at: Set(t0),
                    updated_at: Set(t0),
                }
                .insert(db)
                .await?;
            }
            stages_of.push((pid, ids));
        }

        let mut tag_ids = Vec::new();
        for name in TAGS {
            let id = self.seq.id(t0);
            tag_ids.push(id);
            tag::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws),
                name: Set(name.into()),
                color: Set(None),
                created_at: Set(t0),
                updated_at: Set(t0),
            }
            .insert(db)
            .await?;
        }

        let mut companies = Vec::new();
        let mut contacts: Vec<(Uuid, Uuid)> = Vec::new();
        for (i, name) in COMPANIES.iter().enumerate() {
            let at = t0 + Duration::hours(i as i64);
            let id = self.seq.id(at);
            let (city, country, prefix) = *self.seq.pick(&CITIES);
            let domain = format!(
                "{}.example",
                name.split(' ').next().unwrap_or("company").to_lowercase()
            );
            let currency = if country == "GB" { "GBP" } else { "EUR" };
            company::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws),
                name: Set((*name).into()),
                domain: Set(Some(domain.clone())),
                industry: Set(Some((*self.seq.pick(&INDUSTRIES)).into())),
                employee_count: Set(Some(10 + self.seq.below(5000) as i32)),
                annual_revenue_e4: Set(Some((1 + self.seq.below(500)) as i64 * 100_000 * 10_000)),
                annual_revenue_currency: Set(Some(currency.into())),
                city: Set(Some(city.into())),
                country: Set(Some(country.into())),
                owner_id: Set(Some(*self.seq.pick(&sellers))),
                current_vendor: Set(None),
                vendor_contract_ends_on: Set(None),
                churned_at: Set(None),
                exit_reason: Set(None),
                version: Set(1),
                deleted_at: Set(None),
                created_at: Set(at),
                updated_at: Set(at),
            }
            .insert(db)
            .await?;
            companies.push((id, currency));
            if i % 3 == 0 {
                let tag_id = tag_ids[self.seq.below(tag_ids.len())];
                self.tag(db, tag_id, TaggableType::Company, id).await?;
            }
            for j in 0..5 {
                let cid = self.seq.id(at + Duration::minutes(j));
                let first = *self.seq.pick(&FIRST);
                let last = *self.seq.pick(&LAST);
                let local = format!("{}.{}", first, last.replace(' ', "")).to_lowercase();
                let stage = [
                    LifecycleStage::Lead,
                    LifecycleStage::MarketingQualified,
                    LifecycleStage::SalesQualified,
                    LifecycleStage::Opportunity,
                    LifecycleStage::Customer,
                ][self.seq.below(5)];
                contact::ActiveModel {
                    id: Set(cid),
                    workspace_id: Set(ws),
                    company_id: Set(Some(id)),
                    first_name: Set(first.into()),
                    last_name: Set(last.into()),
                    email: Set(Some(format!("{local}.{i}{j}@{domain}"))),
                    phone: Set(Some(format!(
                        "{prefix}{:07}",
                        1_000_000 + self.seq.below(8_999_999)
                    ))),
                    job_title: Set(Some((*self.seq.pick(&TITLES)).into())),
                    lifecycle_stage: Set(stage),
                    city: Set(Some(city.into())),
                    country: Set(Some(country.into())),
                    birthdate: Set(NaiveDate::from_ymd_opt(
                        1960 + self.seq.below(40) as i32,
                        1 + self.seq.below(12) as u32,
                        1 + self.seq.below(28) as u32,
                    )),
                    owner_id: Set(Some(*self.seq.pick(&sellers))),
                    lead_score: Set(0),
                    email_opt_in: Set(false),
                    email_opt_in_at: Set(None),
                    consent_source: Set(None),
                    consent_legal_basis: Set(None),
                    unsubscribed_at: Set(None),
                    version: Set(1),
                    deleted_at: Set(None),
                    created_at: Set(at),
                    updated_at: Set(at),
                }
                .insert(db)
                .await?;
                contacts.push((cid, id));
            }
        }

        let mut deals = Vec::new();
        for i in 0..100 {
            let (company_id, currency) = companies[i % companies.len()];
            let (pipeline_id, stages) = &stages_of[if i % 5 == 4 { 1 } else { 0 }];
            let (stage_id, kind) = *self.seq.pick(stages);
            let created = self.moment();
            let id = self.seq.id(created);
            let status = match kind {
                StageKind::Open => DealStatus::Open,
                StageKind::Won => DealStatus::Won,
                StageKind::Lost => DealStatus::Lost,
            };
            let closed_at = (status != DealStatus::Open)
                .then(|| created + Duration::days(10 + self.seq.below(60) as i64));
            let reason = match status {
                DealStatus::Won => Some(*self.seq.pick(&WON_REASONS)),
                DealStatus::Lost => Some(*self.seq.pick(&LOST_REASONS)),
                DealStatus::Open => None,
            };
            let name = format!(
                "{} — {}",
                COMPANIES[i % COMPANIES.len()],
                ["Platform", "Expansion", "Pilot", "Renewal", "Support plan"][i % 5]
            );
            deal::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws),
                name: Set(name),
                amount_e4: Set((1_000 + self.seq.below(99_000)) as i64 * 10 * 10_000),
                currency: Set(currency.into()),
                pipeline_id: Set(*pipeline_id),
                stage_id: Set(stage_id),
                company_id: Set(Some(company_id)),
                owner_id: Set(Some(*self.seq.pick(&sellers))),
                expected_close_date: Set(Some(
                    (created + Duration::days(30 + self.seq.below(90) as i64)).date_naive(),
                )),
                status: Set(status),
                closed_at: Set(closed_at),
                close_reason: Set(reason.map(Into::into)),
                stage_entered_at: Set(created),
                version: Set(1),
                deleted_at: Set(None),
                created_at: Set(created),
                updated_at: Set(created),
            }
            .insert(db)
            .await?;
            deal_stage_change::ActiveModel {
                id: Set(self.seq.id(created)),
                workspace_id: Set(ws),
                deal_id: Set(id),
                from_stage_id: Set(None),
                to_stage_id: Set(stage_id),
                changed_by: Set(None),
                created_at: Set(created),
                updated_at: Set(created),
            }
            .insert(db)
            .await?;
            let people: Vec<Uuid> = contacts
                .iter()
                .filter(|(_, c)| *c == company_id)
                .map(|(id, _)| *id)
                .collect();
            for (k, contact_id) in people.iter().take(1 + i % 2).enumerate() {
                let role = if k == 0 {
                    DealContactRole::DecisionMaker
                } else {
                    DealContactRole::Champion
                };
                deal_contact::ActiveModel {
                    id: Set(self.seq.id(created)),
                    workspace_id: Set(ws),
                    deal_id: Set(id),
                    contact_id: Set(*contact_id),
                    role: Set(role),
                    created_at: Set(created),
                    updated_at: Set(created),
                }
                .insert(db)
                .await?;
            }
            if i % 7 == 0 {
                self.tag(db, tag_ids[1], TaggableType::Deal, id).await?;
            }
            deals.push((id, company_id));
        }

        for number in 1..=200i64 {
            let (contact_id, company_id) = contacts[self.seq.below(contacts.len())];
            let opened = self.moment();
            let id = self.seq.id(opened);
            let status = [
                TicketStatus::Open,
                TicketStatus::Pending,
                TicketStatus::Resolved,
                TicketStatus::Closed,
            ][self.seq.below(4)];
            let done = matches!(status, TicketStatus::Resolved | TicketStatus::Closed);
            let resolved = done.then(|| opened + Duration::hours(1 + self.seq.below(96) as i64));
            let deal_id = deals
                .iter()
                .find(|(_, c)| *c == company_id)
                .map(|(d, _)| *d)
                .filter(|_| number % 4 == 0);
            ticket::ActiveModel {
                id: Set(id),
                workspace_id: Set(ws),
                number: Set(number),
                subject: Set(format!("{} question #{number}", self.seq.pick(&CATEGORIES))),
                description: Set(Some("Reported through the support portal.".into())),
                status: Set(status),
                priority: Set([
                    TicketPriority::Low,
                    TicketPriority::Normal,
                    TicketPriority::Normal,
                    TicketPriority::High,
                    TicketPriority::Urgent,
                ][self.seq.below(5)]),
                category: Set(Some((*self.seq.pick(&CATEGORIES)).into())),
                contact_id: Set(Some(contact_id)),
                company_id: Set(Some(company_id)),
                deal_id: Set(deal_id),
                assignee_id: Set(support),
                opened_at: Set(opened),
                first_response_at: Set(
                    (status != TicketStatus::Open).then(|| opened + Duration::minutes(30))
                ),
                resolved_at: Set(resolved),
                closed_at: Set((status == TicketStatus::Closed)
                    .then_some(resolved)
                    .flatten()),
                version: Set(1),
                deleted_at: Set(None),
                created_at: Set(opened),
                updated_at: Set(opened),
            }
            .insert(db)
            .await?;
            if number % 2 == 0 {
                self.activity(
                    db,
                    ActivityKind::Email,
                    "Replied to the customer",
                    None,
                    None,
                    Some(id),
                    support,
                )
                .await?;
            }
        }

        for (i, (contact_id, company_id)) in contacts.iter().enumerate() {
            let kind = [
                ActivityKind::Note,
                ActivityKind::Call,
                ActivityKind::Meeting,
                ActivityKind::Task,
            ][i % 4];
            let subject = [
                "Intro call notes",
                "Follow-up call",
                "On-site meeting",
                "Send the proposal",
            ][i % 4];
            let deal_id = deals.iter().find(|(_, c)| c == company_id).map(|(d, _)| *d);
            let author = Some(*self.seq.pick(&sellers));
            self.activity(db, kind, subject, Some(*contact_id), deal_id, None, author)
                .await?;
        }
        Ok(())
    }

    async fn tag<C: ConnectionTrait>(
        &mut self,
        db: &C,
        tag_id: Uuid,
        record_type: TaggableType,
        record_id: Uuid,
    ) -> Result<(), DbErr> {
        let at = self.at;
        tagging::ActiveModel {
            id: Set(self.seq.id(at)),
            workspace_id: Set(self.ws),
            tag_id: Set(tag_id),
            record_type: Set(record_type),
            record_id: Set(record_id),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(db)
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn activity<C: ConnectionTrait>(
        &mut self,
        db: &C,
        kind: ActivityKind,
        subject: &str,
        contact_id: Option<Uuid>,
        deal_id: Option<Uuid>,
        ticket_id: Option<Uuid>,
        author: Option<Uuid>,
    ) -> Result<(), DbErr> {
        let at = self.moment();
        activity::ActiveModel {
            id: Set(self.seq.id(at)),
            workspace_id: Set(self.ws),
            kind: Set(kind),
            subject: Set(subject.into()),
            body: Set(None),
            occurred_at: Set(at),
            due_at: Set((kind == ActivityKind::Task).then(|| at + Duration::days(7))),
            completed_at: Set(None),
            contact_id: Set(contact_id),
            company_id: Set(None),
            deal_id: Set(deal_id),
            ticket_id: Set(ticket_id),
            author_id: Set(author),
            assignee_id: Set(None),
            version: Set(1),
            deleted_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(db)
        .await?;
        Ok(())
    }
}
