//! The demo's records, each written through the core's operations at the
//! moment it is dated (the manual clock is set before each one).

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::{ActivityKind, DealContactRole, LifecycleStage, StageKind};
use entity::stage;
use rapport_core::clock::Clock;
use rapport_core::domain::phone;
use rapport_core::ops::deal::{DealContact, NewDeal, Outcome};
use rapport_core::ops::pipeline::NewPipeline;
use rapport_core::ops::pipeline::stage::NewStage;
use rapport_core::ops::{company, contact, deal, pipeline, tag};
use rapport_core::{Core, CoreError, Kind};
use rust_decimal::Decimal;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    CITIES, COMPANIES, FIRST, INDUSTRIES, LAST, LOST_REASONS, Sequence, TAGS, TITLES, Team,
    WON_REASONS,
};
use crate::auth::Actor;
use crate::graphql::filter::col;

/// A refused operation, as an error the CLI can print.
pub(super) fn refused(error: CoreError) -> anyhow::Error {
    anyhow::anyhow!("the demo seed was refused: {} {error:?}", error.code())
}

/// A pipeline's stages, in order, with their kinds.
type Stages = Vec<(Uuid, StageKind)>;

pub struct Demo<'a> {
    pub(super) core: &'a Core,
    clock: Clock,
    seq: Arc<Mutex<Sequence>>,
    pub(super) team: Team,
    start: DateTime<Utc>,
}

impl<'a> Demo<'a> {
    pub fn new(core: &'a Core, clock: Clock, seq: Arc<Mutex<Sequence>>, team: Team) -> Self {
        let start = clock.now();
        Self {
            core,
            clock,
            seq,
            team,
            start,
        }
    }

    pub(super) fn below(&self, n: usize) -> usize {
        self.seq
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .below(n)
    }

    pub(super) fn pick<T: Copy>(&self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn seller(&self) -> Actor {
        self.team.sellers[self.below(self.team.sellers.len())].clone()
    }

    /// A moment in the demo's first 300 days, advancing with the sequence.
    pub(super) fn moment(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(self.below(300 * 24 * 60) as i64)
    }

    /// The demo's first moment.
    pub(super) fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The demo's last day: nothing is dated after it (records that would
    /// move later stay where they are, as open deals do at any moment).
    pub(super) fn end(&self) -> DateTime<Utc> {
        self.start + Duration::days(330)
    }

    /// Sets the clock the next operation acts at.
    pub(super) fn at(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    pub async fn write(self) -> anyhow::Result<()> {
        let pipelines = self.pipelines().await?;
        self.scoring_rules().await?;
        self.goals().await?;
        let (companies, contacts) = self.companies().await?;
        let deals = self.deals(&pipelines, &companies, &contacts).await?;
        let resolved = self.tickets(&contacts, &deals).await?;
        let catalogue = self.catalogue().await?;
        self.orders(&catalogue, &companies, &contacts).await?;
        self.carts(&catalogue, &contacts).await?;
        self.surveys(&contacts, &resolved).await?;
        let campaigns = self.campaigns().await?;
        self.engagements(&contacts, campaigns).await?;
        self.competitors(&companies).await?;
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
            let author = self.seller();
            self.activity(&author, kind, subject, (Some(*contact_id), deal_id, None))
                .await?;
        }
        self.consents(&contacts).await?;
        Ok(())
    }

    async fn pipelines(&self) -> anyhow::Result<Vec<(Uuid, Stages)>> {
        let plans = [
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
        let mut pipelines = Vec::new();
        for (position, (name, stages)) in plans.into_iter().enumerate() {
            let stages = stages
                .into_iter()
                .enumerate()
                .map(|(position, (name, win_probability, kind))| NewStage {
                    name: name.into(),
                    position: i32::try_from(position).ok(),
                    win_probability,
                    kind,
                })
                .collect();
            let new = NewPipeline {
                name: name.into(),
                position: i32::try_from(position).ok(),
                stages,
            };
            let row = pipeline::create(self.core, &self.team.admin, new)
                .await
                .map_err(refused)?;
            let stages = stage::Entity::find()
                .filter(col("stage", "workspace_id").eq(row.workspace_id))
                .filter(col("stage", "pipeline_id").eq(row.id))
                .order_by_asc(stage::Column::Position)
                .all(&self.core.db)
                .await?;
            pipelines.push((row.id, stages.iter().map(|s| (s.id, s.kind)).collect()));
        }
        Ok(pipelines)
    }

    /// The companies, each with five contacts; some companies tagged.
    async fn companies(&self) -> anyhow::Result<(Vec<(Uuid, &'static str)>, Vec<(Uuid, Uuid)>)> {
        let admin = &self.team.admin;
        let mut companies = Vec::new();
        let mut contacts = Vec::new();
        for (i, name) in COMPANIES.iter().enumerate() {
            let at = self.start + Duration::hours(i as i64);
            self.at(at);
            let (city, country, prefix) = self.pick(&CITIES);
            let domain = format!(
                "{}.example",
                name.split(' ').next().unwrap_or("company").to_lowercase()
            );
            let currency = if country == "GB" { "GBP" } else { "EUR" };
            let new = company::NewCompany {
                name: (*name).into(),
                domain: Some(domain.clone()),
                industry: Some(self.pick(&INDUSTRIES).into()),
                employee_count: Some(10 + self.below(5000) as i32),
                annual_revenue: Some(Decimal::from((1 + self.below(500)) as i64 * 100_000)),
                annual_revenue_currency: Some(currency.into()),
                city: Some(city.into()),
                country: Some(country.into()),
                owner_id: Some(self.seller().member_id),
                external_ids: Vec::new(),
                custom_fields: Vec::new(),
            };
            let row = company::create(self.core, admin, new)
                .await
                .map_err(refused)?;
            companies.push((row.id, currency));
            if i % 3 == 0 {
                let name = self.pick(&TAGS).to_owned();
                tag::add(self.core, admin, Some((Kind::Company, row.id)), &[name])
                    .await
                    .map_err(refused)?;
            }
            for j in 0..5 {
                self.at(at + Duration::minutes(j));
                let first = self.pick(&FIRST);
                let last = self.pick(&LAST);
                let local = format!("{}.{}", first, last.replace(' ', "")).to_lowercase();
                let lifecycle_stage = [
                    LifecycleStage::Lead,
                    LifecycleStage::MarketingQualified,
                    LifecycleStage::SalesQualified,
                    LifecycleStage::Opportunity,
                    LifecycleStage::Customer,
                ][self.below(5)];
                let number = format!("{prefix}{:07}", 1_000_000 + self.below(8_999_999));
                // The phone rule refuses numbers no plan assigns: keep only real-looking ones.
                let phone = phone::normalize_phone(&number, None).ok().map(|_| number);
                let new = contact::NewContact {
                    first_name: first.into(),
                    last_name: last.into(),
                    email: Some(format!("{local}.{i}{j}@{domain}")),
                    phone,
                    job_title: Some(self.pick(&TITLES).into()),
                    lifecycle_stage,
                    city: Some(city.into()),
                    country: Some(country.into()),
                    birthdate: NaiveDate::from_ymd_opt(
                        1960 + self.below(40) as i32,
                        1 + self.below(12) as u32,
                        1 + self.below(28) as u32,
                    ),
                    company_id: Some(row.id),
                    owner_id: Some(self.seller().member_id),
                    external_ids: Vec::new(),
                    custom_fields: Vec::new(),
                };
                let person = contact::create(self.core, admin, new)
                    .await
                    .map_err(refused)?;
                contacts.push((person.id, row.id));
            }
        }
        Ok((companies, contacts))
    }

    /// The deals: created in their pipeline's first stage and moved stage by
    /// stage, some closed won or lost with a reason (stage stays, history
    /// and events as the API writes them).
    async fn deals(
        &self,
        pipelines: &[(Uuid, Stages)],
        companies: &[(Uuid, &'static str)],
        contacts: &[(Uuid, Uuid)],
    ) -> anyhow::Result<Vec<(Uuid, Uuid)>> {
        let admin = &self.team.admin;
        let mut deals = Vec::new();
        for i in 0..100 {
            let (company_id, currency) = companies[i % companies.len()];
            let (pipeline_id, stages) = &pipelines[if i % 5 == 4 { 1 } else { 0 }];
            let (target, kind) = self.pick(stages);
            let created = self.moment();
            self.at(created);
            let people = contacts
                .iter()
                .filter(|(_, c)| *c == company_id)
                .take(1 + i % 2)
                .enumerate()
                .map(|(k, (contact_id, _))| DealContact {
                    contact_id: *contact_id,
                    role: if k == 0 {
                        DealContactRole::DecisionMaker
                    } else {
                        DealContactRole::Champion
                    },
                })
                .collect();
            let path = self.stage_path(stages, target);
            let new = NewDeal {
                name: format!(
                    "{} — {}",
                    COMPANIES[i % COMPANIES.len()],
                    ["Platform", "Expansion", "Pilot", "Renewal", "Support plan"][i % 5]
                ),
                amount: Decimal::from((1_000 + self.below(99_000)) as i64 * 10),
                currency: currency.into(),
                pipeline_id: *pipeline_id,
                stage_id: path.first().copied(),
                company_id: Some(company_id),
                owner_id: Some(self.seller().member_id),
                expected_close_date: Some(
                    (created + Duration::days(30 + self.below(90) as i64)).date_naive(),
                ),
                contacts: people,
                external_ids: Vec::new(),
                custom_fields: Vec::new(),
            };
            let row = deal::create(self.core, admin, new).await.map_err(refused)?;
            let outcome = match kind {
                StageKind::Won => Some((Outcome::Won, self.pick(&WON_REASONS))),
                StageKind::Lost => Some((Outcome::Lost, self.pick(&LOST_REASONS))),
                StageKind::Open => None,
            };
            self.walk(row.id, created, &path[1..], outcome).await?;
            if i % 7 == 0 {
                tag::add(
                    self.core,
                    admin,
                    Some((Kind::Deal, row.id)),
                    &[TAGS[1].into()],
                )
                .await
                .map_err(refused)?;
            }
            deals.push((row.id, company_id));
        }
        Ok(deals)
    }

    /// The open stages a deal passes through: up to its stage when that is
    /// open; when it ends won or lost, from the first open stage to one it
    /// reached before closing.
    fn stage_path(&self, stages: &Stages, target: Uuid) -> Vec<Uuid> {
        let open: Vec<Uuid> = stages
            .iter()
            .filter(|(_, kind)| *kind == StageKind::Open)
            .map(|(id, _)| *id)
            .collect();
        let last = open
            .iter()
            .position(|id| *id == target)
            .unwrap_or_else(|| self.below(open.len().max(1)));
        open.into_iter().take(last + 1).collect()
    }

    /// Moves deal `id` along `path` a few days per stage, then closes it;
    /// a deal whose next step would fall after the demo's end stays where it is.
    async fn walk(
        &self,
        id: Uuid,
        mut at: DateTime<Utc>,
        path: &[Uuid],
        outcome: Option<(Outcome, &str)>,
    ) -> anyhow::Result<()> {
        let admin = &self.team.admin;
        for stage_id in path {
            at += Duration::days(3 + self.below(18) as i64);
            if at > self.end() {
                return Ok(());
            }
            self.at(at);
            deal::stage::move_to(self.core, admin, id, *stage_id, None)
                .await
                .map_err(refused)?;
        }
        if let Some((outcome, reason)) = outcome {
            at += Duration::days(5 + self.below(30) as i64);
            if at <= self.end() {
                self.at(at);
                deal::stage::close(self.core, admin, id, outcome, reason, None)
                    .await
                    .map_err(refused)?;
            }
        }
        Ok(())
    }
}
