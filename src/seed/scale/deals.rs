//! Deals: each opened by a contact of a company, moved through its
//! pipeline's open stages over a sales cycle of weeks to months, and won or
//! lost when the cycle ends before the seeded history does (a few stay open
//! long after, as stale deals do). The stage history holds every move.

use uuid::Uuid;

use super::draw::{self, DAY, Draw, END, Groups};
use super::plan::People;
use super::row::{Cell, at};
use super::sink::Sink;
use super::tables;
use super::team::{LOST_REASONS, Team, WON_REASONS};
use super::words::DEAL_KINDS;

/// Stage markers in a deal's path beside the open stages' positions.
pub const WON: u8 = 100;
pub const LOST: u8 = 101;

pub struct Deal {
    pub id: Uuid,
    pub created: i64,
    pub company: u32,
    pub contact: u32,
    /// A second contact and their role.
    pub second: Option<(u32, &'static str)>,
    pub renewal: bool,
    /// The stages entered, in order: (moment, open stage position or WON/LOST).
    pub path: Vec<(i64, u8)>,
    pub amount_e4: i64,
    pub owner: u16,
    pub expected_days: i64,
    pub reason: u8,
    pub kind: u8,
}

impl Deal {
    pub fn last(&self) -> (i64, u8) {
        self.path.last().copied().unwrap_or((self.created, 0))
    }

    pub fn won_at(&self) -> Option<i64> {
        let (at, stage) = self.last();
        (stage == WON).then_some(at)
    }

    fn status(&self) -> &'static str {
        match self.last().1 {
            WON => "WON",
            LOST => "LOST",
            _ => "OPEN",
        }
    }
}

pub struct Deals {
    pub list: Vec<Deal>,
    /// Each contact's deals (as the first contact), in creation order.
    pub by_contact: Groups,
}

pub fn plan(people: &People, team: &Team, count: usize) -> Deals {
    let mut draw = Draw::new(people.seed, "deals");
    // Deals are opened by contacts of companies.
    let count = if people.employed.is_empty() { 0 } else { count };
    let times = draw::timeline(&mut draw, count);
    let mut list = Vec::with_capacity(count);
    for created in times {
        let existing = draw::existing(&people.employed_created, created).max(1);
        let contact = people.employed[draw.below(existing).min(people.employed.len() - 1)];
        let person = &people.contacts[contact as usize];
        let created = created.max(person.created);
        let renewal = draw.chance(0.2);
        let pipeline = &team.pipelines[usize::from(renewal)];
        let second = {
            let staff = people.staff.of(person.company);
            let known = staff.partition_point(|c| people.contacts[*c as usize].created <= created);
            let other = staff[draw.below(known.max(1)).min(staff.len() - 1)];
            (other != contact && draw.chance(0.4)).then(|| {
                let role = draw.weighted(&[
                    ("CHAMPION", 4),
                    ("INFLUENCER", 3),
                    ("USER", 2),
                    ("BLOCKER", 1),
                ]);
                (other, role)
            })
        };
        let cycle = (draw.log_normal(40.0, 0.7).clamp(3.0, 365.0) * DAY as f64) as i64;
        let path = path(&mut draw, created, cycle, pipeline.open.len(), renewal);
        let (median, sigma) = if renewal {
            (8_000.0, 0.6)
        } else {
            (12_000.0, 1.0)
        };
        let amount = (draw.log_normal(median, sigma).max(500.0) / 100.0).round() as i64 * 100;
        let owner = if draw.chance(0.85) {
            person.owner
        } else {
            draw.below(team.sellers.len()) as u16
        };
        list.push(Deal {
            id: draw.id(created),
            created,
            company: person.company,
            contact,
            second,
            renewal,
            path,
            amount_e4: amount * 10_000,
            owner,
            expected_days: (draw.log_normal(45.0, 0.5) as i64).max(7),
            reason: draw.below(LOST_REASONS.len().max(WON_REASONS.len())) as u8,
            kind: draw.below(DEAL_KINDS.len()) as u8,
        });
    }
    let by_contact = Groups::new(
        people.contacts.len(),
        list.iter().enumerate().map(|(i, d)| (d.contact, i as u32)),
    );
    Deals { list, by_contact }
}

/// The stages a deal entered: created in the first open stage, a move
/// every stretch of its cycle, then won or lost when the cycle ends before
/// the history does (one in ten stays open anyway: stale).
fn path(draw: &mut Draw, created: i64, cycle: i64, open: usize, renewal: bool) -> Vec<(i64, u8)> {
    let closes = created + cycle < END && !draw.chance(0.1);
    let won = closes && draw.chance(if renewal { 0.75 } else { 0.35 });
    let reached = if won {
        open - 1
    } else if closes {
        draw.below(open)
    } else {
        let elapsed = (END - created) as f64 / cycle as f64;
        ((elapsed * open as f64) as usize).min(open - 1)
    };
    let step = cycle / open as i64;
    let mut path = vec![(created, 0u8)];
    for stage in 1..=reached {
        let at = created + step * stage as i64 + draw.between(0, step / 2);
        path.push((at.min(END - 1), stage as u8));
    }
    if closes {
        path.push((created + cycle, if won { WON } else { LOST }));
    }
    path
}

pub async fn write(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    deals: &Deals,
) -> anyhow::Result<()> {
    let ws = Cell::Id(team.workspace);
    let mut rows = sink.table(&tables::DEAL);
    for deal in &deals.list {
        let pipeline = &team.pipelines[usize::from(deal.renewal)];
        let company = &people.companies[deal.company as usize];
        let (entered, stage) = deal.last();
        let closed = matches!(stage, WON | LOST).then_some(entered);
        let reason = match stage {
            WON => Some(WON_REASONS[deal.reason as usize % WON_REASONS.len()].0),
            LOST => Some(LOST_REASONS[deal.reason as usize % LOST_REASONS.len()].0),
            _ => None,
        };
        let name = if deal.renewal {
            format!("{} — Renewal", company.name())
        } else {
            format!("{} — {}", company.name(), DEAL_KINDS[deal.kind as usize])
        };
        rows.row(&[
            deal.id.into(),
            ws,
            name.as_str().into(),
            deal.amount_e4.into(),
            company.currency().into(),
            pipeline.id.into(),
            stage_id(team, deal, stage).into(),
            company.id.into(),
            team.sellers[deal.owner as usize].into(),
            Cell::Day(draw::day(deal.created + deal.expected_days * DAY)),
            deal.status().into(),
            at(closed),
            reason.into(),
            Cell::At(entered),
            (deal.path.len() as i64).into(),
            Cell::At(deal.created),
            Cell::At(entered),
        ])
        .await?;
    }
    rows.finish().await?;
    let mut draw = Draw::new(people.seed, "deal contacts");
    let mut rows = sink.table(&tables::DEAL_CONTACT);
    for deal in &deals.list {
        let first = (deal.contact, "DECISION_MAKER");
        for (contact, role) in std::iter::once(first).chain(deal.second) {
            rows.row(&[
                draw.id(deal.created).into(),
                ws,
                deal.id.into(),
                people.contacts[contact as usize].id.into(),
                role.into(),
                Cell::At(deal.created),
                Cell::At(deal.created),
            ])
            .await?;
        }
    }
    rows.finish().await?;
    let mut rows = sink.table(&tables::STAGE_CHANGE);
    for deal in &deals.list {
        let owner = team.sellers[deal.owner as usize];
        let mut from = None;
        for (moment, stage) in &deal.path {
            let to = stage_id(team, deal, *stage);
            rows.row(&[
                draw.id(*moment).into(),
                ws,
                deal.id.into(),
                from.into(),
                to.into(),
                owner.into(),
                Cell::At(*moment),
                Cell::At(*moment),
            ])
            .await?;
            from = Some(to);
        }
    }
    rows.finish().await?;
    Ok(())
}

fn stage_id(team: &Team, deal: &Deal, stage: u8) -> Uuid {
    let pipeline = &team.pipelines[usize::from(deal.renewal)];
    match stage {
        WON => pipeline.won,
        LOST => pipeline.lost,
        open => pipeline.open[open as usize].0,
    }
}
