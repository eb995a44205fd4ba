//! The demo's support work: tickets and their replies, and activities.

use chrono::Duration;
use entity::enums::{ActivityKind, TicketPriority, TicketStatus};
use rapport_core::ops::{activity, ticket};
use uuid::Uuid;

use super::CATEGORIES;
use super::records::{Demo, refused};
use super::story::Resolved;
use crate::auth::Actor;

impl Demo<'_> {
    /// The tickets, numbered 1 to 200 by the core as they open; those no
    /// longer open answered half an hour later, and resolved or closed.
    /// Returns the resolved ones, for their CSAT answers.
    pub(super) async fn tickets(
        &self,
        contacts: &[(Uuid, Uuid)],
        deals: &[(Uuid, Uuid)],
    ) -> anyhow::Result<Vec<Resolved>> {
        let support = &self.team.support;
        let mut answered = Vec::new();
        for number in 1..=200usize {
            let (contact_id, company_id) = contacts[self.below(contacts.len())];
            let opened = self.moment();
            self.at(opened);
            let status = [
                TicketStatus::Open,
                TicketStatus::Pending,
                TicketStatus::Resolved,
                TicketStatus::Closed,
            ][self.below(4)];
            let done = matches!(status, TicketStatus::Resolved | TicketStatus::Closed);
            let resolved = done.then(|| opened + Duration::hours(1 + self.below(96) as i64));
            let deal_id = deals
                .iter()
                .find(|(_, c)| *c == company_id)
                .map(|(d, _)| *d)
                .filter(|_| number % 4 == 0);
            let new = ticket::NewTicket {
                subject: format!("{} question #{number}", self.pick(&CATEGORIES)),
                description: Some("Reported through the support portal.".into()),
                priority: [
                    TicketPriority::Low,
                    TicketPriority::Normal,
                    TicketPriority::Normal,
                    TicketPriority::High,
                    TicketPriority::Urgent,
                ][self.below(5)],
                category: Some(self.pick(&CATEGORIES).into()),
                contact_id: Some(contact_id),
                company_id: Some(company_id),
                deal_id,
                assignee_id: Some(support.member_id),
                external_ids: Vec::new(),
                custom_fields: Vec::new(),
            };
            let row = ticket::create(self.core, support, new)
                .await
                .map_err(refused)?;
            if status != TicketStatus::Open {
                self.at(opened + Duration::minutes(30));
                self.status(row.id, TicketStatus::Pending).await?;
            }
            if let Some(resolved) = resolved {
                self.at(resolved);
                self.status(row.id, TicketStatus::Resolved).await?;
                answered.push((row.id, contact_id, resolved));
                if status == TicketStatus::Closed {
                    self.status(row.id, TicketStatus::Closed).await?;
                }
            }
            if number % 2 == 0 {
                let subject = "Replied to the customer";
                let on = (None, None, Some(row.id));
                self.activity(support, ActivityKind::Email, subject, on)
                    .await?;
            }
        }
        Ok(answered)
    }

    async fn status(&self, id: Uuid, status: TicketStatus) -> anyhow::Result<()> {
        ticket::set_status(self.core, &self.team.support, id, status, None)
            .await
            .map_err(refused)?;
        Ok(())
    }

    /// An activity by `author` at a moment of the demo, on (contact, deal, ticket).
    pub(super) async fn activity(
        &self,
        author: &Actor,
        kind: ActivityKind,
        subject: &str,
        (contact_id, deal_id, ticket_id): (Option<Uuid>, Option<Uuid>, Option<Uuid>),
    ) -> anyhow::Result<()> {
        let at = self.moment();
        self.at(at);
        let new = activity::NewActivity {
            kind,
            subject: subject.into(),
            body: None,
            occurred_at: Some(at),
            due_at: (kind == ActivityKind::Task).then(|| at + Duration::days(7)),
            contact_id,
            company_id: None,
            deal_id,
            ticket_id,
            assignee_id: None,
            external_ids: Vec::new(),
        };
        activity::create(self.core, author, new)
            .await
            .map_err(refused)?;
        Ok(())
    }
}
