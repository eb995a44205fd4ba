//! Tickets, numbered 1, 2, 3… in the order they were opened (dense, as the
//! API numbers them), answered, resolved and closed over hours to days:
//! old tickets are mostly closed, this week's mostly open.

use uuid::Uuid;

use super::deals::Deals;
use super::draw::{self, DAY, Draw, END, Groups, HOUR};
use super::plan::People;
use super::row::{Cell, at};
use super::sink::Sink;
use super::tables;
use super::team::Team;
use super::words::{TICKET_DESCRIPTIONS, TICKET_KINDS};

/// What later tables need of the tickets.
pub struct Tickets {
    pub ids: Vec<Uuid>,
    pub opened: Vec<i64>,
    pub contact: Vec<u32>,
    /// Index into the support agents; `u16::MAX` for unassigned.
    pub assignee: Vec<u16>,
    pub by_contact: Groups,
    /// Resolved tickets whose contact answered the satisfaction survey:
    /// (ticket, when, hours it took to resolve).
    pub surveyed: Vec<(u32, i64, i64)>,
}

pub const UNASSIGNED: u16 = u16::MAX;

pub async fn write(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    deals: &Deals,
    count: usize,
) -> anyhow::Result<Tickets> {
    let mut draw = Draw::new(people.seed, "tickets");
    let kinds: Vec<(usize, u32)> = TICKET_KINDS
        .iter()
        .enumerate()
        .map(|(i, k)| (i, k.1))
        .collect();
    let mut tickets = Tickets {
        ids: Vec::with_capacity(count),
        opened: Vec::with_capacity(count),
        contact: Vec::with_capacity(count),
        assignee: Vec::with_capacity(count),
        by_contact: Groups::new(0, std::iter::empty()),
        surveyed: Vec::new(),
    };
    let mut rows = sink.table(&tables::TICKET);
    let mut last = 0;
    for (number, opened) in draw::timeline(&mut draw, count).into_iter().enumerate() {
        let existing = draw::existing(&people.contact_created, opened).max(1);
        let contact = draw::pick_weighted(&mut draw, &people.contact_weight, existing);
        let person = &people.contacts[contact];
        // Numbers follow the opening order.
        let opened = opened.max(person.created).max(last);
        last = opened;
        let company = people.companies.get(person.company as usize);
        let deal = draw.chance(0.12).then(|| {
            let theirs = deals.by_contact.of(contact as u32);
            let known = theirs.partition_point(|d| deals.list[*d as usize].created <= opened);
            known
                .checked_sub(1)
                .map(|k| deals.list[theirs[k] as usize].id)
        });
        let life = lifecycle(&mut draw, opened);
        let assignee = if life.answered.is_some() || draw.chance(0.7) {
            draw.common_index(team.support.len()) as u16
        } else {
            UNASSIGNED
        };
        let (category, _, subjects) = TICKET_KINDS[draw.weighted(&kinds)];
        let priority = draw.weighted(&[("NORMAL", 50), ("LOW", 25), ("HIGH", 18), ("URGENT", 7)]);
        let id = draw.id(opened);
        let changes = [life.answered, life.resolved, life.closed];
        let updated = changes.iter().flatten().max().copied().unwrap_or(opened);
        rows.row(&[
            id.into(),
            team.workspace.into(),
            (number as i64 + 1).into(),
            draw.pick(subjects).into(),
            draw.chance(0.6)
                .then(|| draw.pick(TICKET_DESCRIPTIONS))
                .into(),
            life.status.into(),
            priority.into(),
            category.into(),
            person.id.into(),
            company.map(|c| c.id).into(),
            deal.flatten().into(),
            team.support.get(assignee as usize).copied().into(),
            Cell::At(opened),
            at(life.answered),
            at(life.resolved),
            at(life.closed),
            (1 + changes.iter().flatten().count() as i64).into(),
            Cell::At(opened),
            Cell::At(updated),
        ])
        .await?;
        if let Some(resolved) = life.resolved
            && draw.chance(0.15)
        {
            let answered = (resolved + draw.int(1, 48) * HOUR).min(END - 1);
            let hours = (resolved - opened) / HOUR;
            tickets.surveyed.push((number as u32, answered, hours));
        }
        tickets.ids.push(id);
        tickets.opened.push(opened);
        tickets.contact.push(contact as u32);
        tickets.assignee.push(assignee);
    }
    rows.finish().await?;
    tickets.by_contact = Groups::new(
        people.contacts.len(),
        tickets
            .contact
            .iter()
            .enumerate()
            .map(|(t, c)| (*c, t as u32)),
    );
    Ok(tickets)
}

struct Life {
    status: &'static str,
    answered: Option<i64>,
    resolved: Option<i64>,
    closed: Option<i64>,
}

/// A ticket's answer, resolution and closing, each only if it happened
/// before the end of the history; the status is where it got to.
fn lifecycle(draw: &mut Draw, opened: i64) -> Life {
    let age = END - opened;
    let stalls = draw.chance(if age < 3 * DAY { 0.5 } else { 0.03 });
    let answered = opened + (draw.log_normal(2.0, 1.2) * HOUR as f64) as i64;
    let resolved = answered + (draw.log_normal(20.0, 1.3) * HOUR as f64) as i64;
    let closed = resolved + draw.int(1, 7) * DAY;
    let before = |t: i64| (t < END).then_some(t);
    let answered = if stalls { None } else { before(answered) };
    let resolved = answered
        .and(before(resolved))
        .filter(|_| !draw.chance(0.02));
    let closed = resolved.and(before(closed)).filter(|_| draw.chance(0.85));
    let status = match (answered, resolved, closed) {
        (_, _, Some(_)) => "CLOSED",
        (_, Some(_), None) => "RESOLVED",
        (Some(_), None, None) => "PENDING",
        _ => "OPEN",
    };
    Life {
        status,
        answered,
        resolved,
        closed,
    }
}
