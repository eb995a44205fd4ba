//! The timeline: calls, emails, meetings, notes and tasks with contacts,
//! some on a deal or a ticket of theirs, by their owner or the ticket's
//! agent. Tasks fall due and mostly get done; a few entries were deleted.

use super::deals::Deals;
use super::draw::{self, DAY, Draw, END};
use super::plan::People;
use super::row::{Cell, at};
use super::sink::Sink;
use super::support::Tickets;
use super::tables;
use super::team::Team;
use super::words::{CALLS, EMAILS, MEETINGS, NOTES, TASKS};

pub async fn write(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    deals: &Deals,
    tickets: &Tickets,
    count: usize,
) -> anyhow::Result<()> {
    let mut draw = Draw::new(people.seed, "activities");
    let kinds = [
        (("EMAIL", EMAILS), 35),
        (("CALL", CALLS), 25),
        (("NOTE", NOTES), 20),
        (("MEETING", MEETINGS), 10),
        (("TASK", TASKS), 10),
    ];
    let mut rows = sink.table(&tables::ACTIVITY);
    for occurred in draw::timeline(&mut draw, count) {
        let existing = draw::existing(&people.contact_created, occurred).max(1);
        let contact = draw::pick_weighted(&mut draw, &people.contact_weight, existing);
        let person = &people.contacts[contact];
        let occurred = occurred.max(person.created);
        let (kind, subjects) = draw.weighted(&kinds);
        let company = people
            .companies
            .get(person.company as usize)
            .filter(|_| draw.chance(0.3));
        let deal = draw.chance(0.25).then(|| {
            let theirs = deals.by_contact.of(contact as u32);
            let known = theirs.partition_point(|d| deals.list[*d as usize].created <= occurred);
            known
                .checked_sub(1)
                .map(|k| deals.list[theirs[k] as usize].id)
        });
        let ticket = (matches!(kind, "EMAIL" | "NOTE") && draw.chance(0.2))
            .then(|| {
                let theirs = tickets.by_contact.of(contact as u32);
                let known = theirs.partition_point(|t| tickets.opened[*t as usize] <= occurred);
                known.checked_sub(1).map(|k| theirs[k] as usize)
            })
            .flatten();
        let agent = ticket.and_then(|t| team.support.get(tickets.assignee[t] as usize));
        let author = match agent {
            Some(agent) => *agent,
            None if draw.chance(0.8) => team.sellers[person.owner as usize],
            None => team.sellers[draw.below(team.sellers.len())],
        };
        let due = (kind == "TASK").then(|| occurred + draw.int(1, 14) * DAY);
        let completed = due
            .filter(|due| *due < END && draw.chance(0.85))
            .map(|due| draw.between(occurred, due + 2 * DAY).min(END - 1));
        let deleted = draw.chance(0.01).then(|| draw.after(occurred, 2.0));
        let updated = [Some(occurred), completed, deleted]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(occurred);
        let version = 1 + i64::from(completed.is_some()) + i64::from(deleted.is_some());
        rows.row(&[
            draw.id(occurred).into(),
            team.workspace.into(),
            kind.into(),
            draw.pick(subjects).into(),
            (kind == "NOTE" || draw.chance(0.1))
                .then(|| draw.pick(NOTES))
                .into(),
            Cell::At(occurred),
            at(due),
            at(completed),
            person.id.into(),
            company.map(|c| c.id).into(),
            deal.flatten().into(),
            ticket.map(|t| tickets.ids[t]).into(),
            author.into(),
            due.map(|_| author).into(),
            version.into(),
            at(deleted),
            Cell::At(occurred),
            Cell::At(updated),
        ])
        .await?;
    }
    rows.finish().await?;
    Ok(())
}

/// Tags on some records of each kind: (record type, share tagged).
pub async fn taggings(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    deals: &Deals,
    tickets: &Tickets,
) -> anyhow::Result<()> {
    let mut draw = Draw::new(people.seed, "taggings");
    let companies = people.companies.iter().map(|c| (c.id, c.created));
    let contacts = people.contacts.iter().map(|c| (c.id, c.created));
    let deals = deals.list.iter().map(|d| (d.id, d.created));
    let tickets = tickets
        .ids
        .iter()
        .copied()
        .zip(tickets.opened.iter().copied());
    let kinds: [(&str, f64, Box<dyn Iterator<Item = _>>); 4] = [
        ("COMPANY", 0.15, Box::new(companies)),
        ("CONTACT", 0.05, Box::new(contacts)),
        ("DEAL", 0.08, Box::new(deals)),
        ("TICKET", 0.02, Box::new(tickets)),
    ];
    let mut rows = sink.table(&tables::TAGGING);
    for (record_type, share, records) in kinds {
        for (id, created) in records {
            if !draw.chance(share) {
                continue;
            }
            let first = draw.common_index(team.tags.len());
            let second = (first + 1 + draw.below(team.tags.len() - 1)) % team.tags.len();
            let count = if draw.chance(0.3) { 2 } else { 1 };
            for tag in [first, second].into_iter().take(count) {
                let tagged = (created + draw.int(0, 30) * DAY).min(END - 1).max(created);
                rows.row(&[
                    draw.id(tagged).into(),
                    team.workspace.into(),
                    team.tags[tag].into(),
                    record_type.into(),
                    id.into(),
                    Cell::At(tagged),
                    Cell::At(tagged),
                ])
                .await?;
            }
        }
    }
    rows.finish().await?;
    Ok(())
}
