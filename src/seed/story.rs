//! The demo's year past pipelines and support: lead scoring rules, the
//! sellers' quarterly goals, orders, NPS and CSAT answers, marketing
//! campaigns and the engagements they brought, companies buying from a
//! competitor, and the newsletter's opt-ins and unsubscriptions. Written through the core's operations
//! at their historic moments, so the README's analytics, charts, figures and
//! leaderboard answer real numbers rather than zeros.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::enums::{
    CampaignChannel, CampaignStatus, EngagementKind, LegalBasis, ScoringTarget, SurveyKind,
};
use rapport_core::ops::campaign::{self, NewCampaign};
use rapport_core::ops::engagement::NewEngagement;
use rapport_core::ops::goal::NewGoal;
use rapport_core::ops::order::NewOrder;
use rapport_core::ops::scoring_rule::RuleSettings;
use rapport_core::ops::survey::NewSurveyResponse;
use rapport_core::ops::{consent, customer, engagement, goal, order, scoring_rule, survey};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::catalogue::Catalogue;
use super::records::{Demo, refused};

const VENDORS: [&str; 3] = ["Salesforce", "HubSpot", "Pipedrive"];
const PAGES: [&str; 4] = ["/pricing", "/product/tour", "/customers", "/docs/api"];
const NPS_REASONS: [&str; 3] = ["SLOW_RESPONSE", "MISSING_FEATURE", "GREAT_SUPPORT"];

/// A ticket the demo resolved: (ticket, its contact, when it was resolved).
pub type Resolved = (Uuid, Uuid, DateTime<Utc>);

impl Demo<'_> {
    /// Rules first, so every contact is scored as it is written.
    pub(super) async fn scoring_rules(&self) -> anyhow::Result<()> {
        let rules = [
            ("Decision makers", ScoringTarget::JobTitle, Some("CEO"), 30),
            (
                "Finance signs",
                ScoringTarget::JobTitle,
                Some("Finance"),
                20,
            ),
            ("Reads the pricing", ScoringTarget::PageView, None, 5),
            ("Clicks our emails", ScoringTarget::EmailClick, None, 10),
            ("Joins webinars", ScoringTarget::WebinarSignup, None, 25),
        ];
        for (name, target, contains, points) in rules {
            let settings = RuleSettings {
                name: name.into(),
                target,
                contains: contains.map(str::to_owned),
                at_least: None,
                at_most: None,
                points,
                active: true,
            };
            scoring_rule::create(self.core, &self.team.admin, settings)
                .await
                .map_err(refused)?;
        }
        Ok(())
    }

    /// A quota per seller for each quarter of the demo's year, set on its first day.
    pub(super) async fn goals(&self) -> anyhow::Result<()> {
        let year = self.start().year();
        for quarter in 0..4u32 {
            let Some(first) = NaiveDate::from_ymd_opt(year, 1 + 3 * quarter, 1) else {
                continue;
            };
            let last = first
                .checked_add_months(chrono::Months::new(3))
                .and_then(|next| next.pred_opt())
                .unwrap_or(first);
            let set = first.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc();
            self.at(set.max(self.start()));
            for seller in &self.team.sellers {
                let new = NewGoal {
                    member_id: seller.member_id,
                    period_start: first,
                    period_end: last,
                    quota: Decimal::from(150_000 + 25_000 * self.below(5) as i64),
                    currency: "EUR".into(),
                };
                goal::create(self.core, &self.team.admin, new)
                    .await
                    .map_err(refused)?;
            }
        }
        Ok(())
    }

    /// Orders of the first two contacts of every other company: one to four
    /// each, at moments across the year, in the company's currency, of
    /// catalogue products at their list prices.
    pub(super) async fn orders(
        &self,
        catalogue: &Catalogue,
        companies: &[(Uuid, &'static str)],
        contacts: &[(Uuid, Uuid)],
    ) -> anyhow::Result<()> {
        for (company_id, currency) in companies.iter().step_by(2) {
            let buyers = contacts.iter().filter(|(_, c)| c == company_id).take(2);
            for (contact_id, _) in buyers {
                for _ in 0..=self.below(4) {
                    let lines = self.order_lines(catalogue);
                    let at = self.moment();
                    self.at(at);
                    let new = NewOrder {
                        contact_id: Some(*contact_id),
                        company_id: Some(*company_id),
                        product: None,
                        quantity: None,
                        amount: None,
                        currency: (*currency).into(),
                        ordered_at: Some(at),
                        status: None,
                        cart_started_at: None,
                        lines,
                    };
                    order::create(self.core, &self.team.admin, new)
                        .await
                        .map_err(refused)?;
                }
            }
        }
        Ok(())
    }

    /// NPS answers of one contact per company each quarter, a little better
    /// as the year goes on; a CSAT answer an hour after every other resolved ticket.
    pub(super) async fn surveys(
        &self,
        contacts: &[(Uuid, Uuid)],
        resolved: &[Resolved],
    ) -> anyhow::Result<()> {
        for quarter in 0..4i64 {
            for (contact_id, _) in contacts.iter().step_by(5) {
                let at = self.start() + Duration::days(quarter * 91 + self.below(80) as i64);
                self.at(at);
                let score = (4 + quarter as usize + self.below(6)).min(10) as i32;
                let reason = (score <= 6).then(|| self.pick(&NPS_REASONS).to_owned());
                let new = NewSurveyResponse {
                    contact_id: *contact_id,
                    ticket_id: None,
                    kind: SurveyKind::Nps,
                    score,
                    reason,
                    comment: None,
                    responded_at: Some(at),
                };
                survey::create(self.core, &self.team.support, new)
                    .await
                    .map_err(refused)?;
            }
        }
        for (ticket_id, contact_id, at) in resolved.iter().step_by(2) {
            let at = *at + Duration::hours(1);
            self.at(at);
            let new = NewSurveyResponse {
                contact_id: *contact_id,
                ticket_id: Some(*ticket_id),
                kind: SurveyKind::Csat,
                score: 1 + [1, 2, 3, 3, 4, 4, 4][self.below(7)],
                reason: None,
                comment: None,
                responded_at: Some(at),
            };
            survey::create(self.core, &self.team.support, new)
                .await
                .map_err(refused)?;
        }
        Ok(())
    }

    /// The year's marketing: search ads all year, a spring newsletter and a
    /// webinar in June. Returns their ids in that order.
    pub(super) async fn campaigns(&self) -> anyhow::Result<[Uuid; 3]> {
        let year = self.start().year();
        let day = |month, day| NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
        let plans = [
            (
                "Search ads 2026",
                CampaignChannel::SearchAds,
                day(1, 5),
                day(12, 31),
                12_000,
            ),
            (
                "Spring newsletter",
                CampaignChannel::Email,
                day(3, 1),
                day(5, 31),
                4_000,
            ),
            (
                "Forecasting webinar",
                CampaignChannel::Event,
                day(6, 1),
                day(6, 30),
                2_500,
            ),
        ];
        let mut ids = [Uuid::nil(); 3];
        for (slot, (name, channel, starts_on, ends_on, spend)) in ids.iter_mut().zip(plans) {
            self.at(self.start());
            let new = NewCampaign {
                name: name.into(),
                channel,
                status: CampaignStatus::Completed,
                starts_on,
                ends_on: Some(ends_on),
                spend: Decimal::from(spend),
                currency: "EUR".into(),
                goal: Some("Leads for the sales team".into()),
                external_ids: Vec::new(),
            };
            *slot = campaign::create(self.core, &self.team.admin, new)
                .await
                .map_err(refused)?
                .id;
        }
        Ok(ids)
    }

    /// Page views (from search ads), email clicks (the newsletter) and
    /// webinar signups of every third contact: touches of the campaigns
    /// that move their lead scores through the rules.
    pub(super) async fn engagements(
        &self,
        contacts: &[(Uuid, Uuid)],
        [ads, newsletter, webinar]: [Uuid; 3],
    ) -> anyhow::Result<()> {
        for (contact_id, _) in contacts.iter().step_by(3) {
            for _ in 0..=self.below(5) {
                let (kind, detail, campaign) = match self.below(6) {
                    0..=2 => (EngagementKind::PageView, self.pick(&PAGES), ads),
                    3 | 4 => (EngagementKind::EmailClick, "Spring newsletter", newsletter),
                    _ => (
                        EngagementKind::WebinarSignup,
                        "Forecasting webinar",
                        webinar,
                    ),
                };
                let at = self.moment();
                self.at(at);
                let new = NewEngagement {
                    contact_id: *contact_id,
                    kind,
                    occurred_at: Some(at),
                    detail: Some(detail.into()),
                    campaign_id: Some(campaign),
                };
                engagement::track(self.core, &self.team.admin, new)
                    .await
                    .map_err(refused)?;
            }
        }
        Ok(())
    }

    /// Every other contact joins the newsletter during the year and every
    /// fifth of those leaves it weeks later (never after the demo's last
    /// day), so the email list's growth answers real numbers.
    pub(super) async fn consents(&self, contacts: &[(Uuid, Uuid)]) -> anyhow::Result<()> {
        for (n, (contact_id, _)) in contacts.iter().step_by(2).enumerate() {
            let joined = self.moment();
            self.at(joined);
            let actor = &self.team.admin;
            consent::record(
                self.core,
                actor,
                *contact_id,
                "Newsletter signup",
                LegalBasis::Consent,
                Some(joined),
                None,
            )
            .await
            .map_err(refused)?;
            let left = joined + Duration::days(10 + self.below(60) as i64);
            if n % 5 == 4 && left < self.end() {
                self.at(left);
                consent::unsubscribe(self.core, actor, *contact_id, Some(left), None)
                    .await
                    .map_err(refused)?;
            }
        }
        Ok(())
    }

    /// Every seventh company buys from a competitor; the first one's
    /// contract ends a few weeks after the demo's last day (a renewal to win).
    /// The third company, a buyer since its first orders, leaves in late
    /// November (for the churn figures).
    pub(super) async fn competitors(
        &self,
        companies: &[(Uuid, &'static str)],
    ) -> anyhow::Result<()> {
        for (k, (company_id, _)) in companies.iter().step_by(7).enumerate() {
            self.at(self.start() + Duration::days(20 + 40 * k as i64));
            let ends = self.end() + Duration::days(if k == 0 { 20 } else { 90 * k as i64 });
            customer::set_competitor_contract(
                self.core,
                &self.team.admin,
                *company_id,
                Some(VENDORS[k % VENDORS.len()]),
                Some(ends.date_naive()),
                None,
            )
            .await
            .map_err(refused)?;
        }
        if let Some((company_id, _)) = companies.get(2) {
            let at = self.start() + Duration::days(320);
            self.at(at);
            customer::record_exit(
                self.core,
                &self.team.admin,
                *company_id,
                "MOVED_TO_COMPETITOR",
                Some(at),
                None,
            )
            .await
            .map_err(refused)?;
        }
        Ok(())
    }
}
