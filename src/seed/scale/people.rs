//! Companies and contacts, written from their plans with the details that
//! nothing else refers to: domains, phones, sizes, consent, lead scores.

use super::deals::{Deals, LOST, WON};
use super::draw::{self, DAY, Draw, END};
use super::plan::People;
use super::row::{Cell, at};
use super::sink::Sink;
use super::tables;
use super::team::{EXIT_REASONS, Team, lead_score};
use super::words::{CONSENT_SOURCES, FREE_MAIL, PLACES, VENDORS};

/// When a customer company left: (moment, exit reason).
pub type Exit = Option<(i64, u8)>;

pub async fn companies(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    exits: &[Exit],
) -> anyhow::Result<()> {
    let mut draw = Draw::new(people.seed, "company details");
    let mut rows = sink.table(&tables::COMPANY);
    for (i, company) in people.companies.iter().enumerate() {
        let (city, country, currency, ..) = company.place();
        let name = company.name();
        let domain = company.domain(i);
        let revenue = draw.chance(0.85).then(|| {
            let per_head = draw.log_normal(120_000.0, 0.5);
            ((company.employees as f64 * per_head / 1_000.0).round() as i64).max(1) * 1_000
        });
        let vendor = draw.chance(0.12).then(|| {
            let ends = draw::day(END + draw.int(-400, 400) * DAY);
            (draw.pick(VENDORS), ends)
        });
        let vendor_set = vendor.map(|_| draw.between(company.created, END));
        let exit = exits[i];
        let updated = [Some(company.created), vendor_set, exit.map(|e| e.0)]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(company.created);
        let version = 1 + i64::from(vendor.is_some()) + i64::from(exit.is_some());
        rows.row(&[
            company.id.into(),
            team.workspace.into(),
            name.as_str().into(),
            domain.as_str().into(),
            company.industry().into(),
            company.employees.into(),
            revenue.map_or(Cell::Null, |r| Cell::Int(r * 10_000)),
            revenue.map(|_| currency).into(),
            city.into(),
            country.into(),
            team.sellers[company.owner as usize].into(),
            vendor.map(|v| v.0).into(),
            vendor.map_or(Cell::Null, |v| Cell::Day(v.1)),
            at(exit.map(|e| e.0)),
            exit.map(|e| EXIT_REASONS[e.1 as usize % EXIT_REASONS.len()].0)
                .into(),
            version.into(),
            Cell::At(company.created),
            Cell::At(updated),
        ])
        .await?;
    }
    rows.finish().await?;
    Ok(())
}

pub async fn contacts(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    deals: &Deals,
) -> anyhow::Result<()> {
    let mut draw = Draw::new(people.seed, "contact details");
    let places: Vec<(u8, u32)> = PLACES
        .iter()
        .enumerate()
        .map(|(i, (_, w))| (i as u8, *w))
        .collect();
    let mut rows = sink.table(&tables::CONTACT);
    for (i, contact) in people.contacts.iter().enumerate() {
        let company = people.companies.get(contact.company as usize);
        let place = company.map_or_else(|| draw.weighted(&places), |c| c.place);
        let (city, country, _, prefix, digits, _) = PLACES[place as usize].0;
        let (first, last) = (contact.first_name(), contact.last_name());
        let local = format!("{first}.{last}.{i}")
            .replace(' ', "")
            .to_lowercase();
        let email = draw.chance(0.95).then(|| match company {
            Some(c) => format!("{local}@{}", c.domain(contact.company as usize)),
            None => format!("{local}@{}", draw.pick(FREE_MAIL)),
        });
        let phone = draw.chance(0.7).then(|| {
            let mut number = String::from(prefix);
            for k in 0..digits {
                let low = if k < 2 { 2 } else { 0 };
                number.push(char::from(b'0' + draw.int(low, 9) as u8));
            }
            number
        });
        let birthdate = draw.chance(0.3).then(|| {
            let days = draw.int(0, 45 * 365);
            Cell::Day(draw::day(-473_385_600_000 + days * DAY))
        });
        let mine = deals.by_contact.of(i as u32);
        let outcomes = mine.iter().map(|d| deals.list[*d as usize].last().1);
        let stage = if outcomes.clone().any(|s| s == WON) {
            if draw.chance(0.1) {
                "EVANGELIST"
            } else {
                "CUSTOMER"
            }
        } else if outcomes.clone().any(|s| s != LOST) {
            "OPPORTUNITY"
        } else {
            draw.weighted(&[
                ("LEAD", 45),
                ("MARKETING_QUALIFIED", 20),
                ("SUBSCRIBER", 15),
                ("SALES_QUALIFIED", 12),
                ("OTHER", 8),
            ])
        };
        let score = lead_score(
            contact.job_title(),
            company.map(|c| c.industry()),
            company.map(|c| c.employees),
        );
        // Consent: given some days after the contact came in, sometimes
        // withdrawn later (the source and basis stay as evidence).
        let consent = draw.chance(0.45).then(|| {
            let given = draw.after(contact.created, 3.0);
            let basis =
                draw.weighted(&[("CONSENT", 8), ("LEGITIMATE_INTEREST", 1), ("CONTRACT", 1)]);
            let withdrawn = draw.chance(0.1).then(|| draw.after(given, 2.0));
            (given, draw.pick(CONSENT_SOURCES), basis, withdrawn)
        });
        let withdrawn = consent.and_then(|c| c.3);
        let updated = withdrawn
            .or(consent.map(|c| c.0))
            .unwrap_or(contact.created);
        let version = 1 + consent.map_or(0, |c| 1 + i64::from(c.3.is_some()));
        rows.row(&[
            contact.id.into(),
            team.workspace.into(),
            company.map(|c| c.id).into(),
            first.into(),
            last.into(),
            email.as_deref().into(),
            phone.as_deref().into(),
            contact.job_title().into(),
            stage.into(),
            city.into(),
            country.into(),
            birthdate.unwrap_or(Cell::Null),
            team.sellers[contact.owner as usize].into(),
            score.into(),
            (consent.is_some() && withdrawn.is_none()).into(),
            at(consent.map(|c| c.0)),
            consent.map(|c| c.1).into(),
            consent.map(|c| c.2).into(),
            at(withdrawn),
            version.into(),
            Cell::At(contact.created),
            Cell::At(updated),
        ])
        .await?;
    }
    rows.finish().await?;
    Ok(())
}
