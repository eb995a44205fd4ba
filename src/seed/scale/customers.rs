//! What customers do after a deal is won: they order (again, or other
//! products), answer surveys, and some leave.

use super::deals::Deals;
use super::draw::{DAY, Draw, END, HOUR};
use super::people::Exit;
use super::plan::People;
use super::row::Cell;
use super::sink::Sink;
use super::support::Tickets;
use super::tables;
use super::team::{EXIT_REASONS, SATISFACTION_REASONS, Team};
use super::words::{NEW_BUSINESS_PRODUCTS, RENEWAL_PRODUCTS, SURVEY_COMMENTS};

/// Which companies left, and when: one in eight customers, months after
/// their first won deal.
pub fn exits(people: &People, deals: &Deals) -> Vec<Exit> {
    let mut first_win: Vec<Option<i64>> = vec![None; people.companies.len()];
    for deal in &deals.list {
        if let Some(won) = deal.won_at() {
            let slot = &mut first_win[deal.company as usize];
            *slot = Some(slot.map_or(won, |w| w.min(won)));
        }
    }
    let mut draw = Draw::new(people.seed, "exits");
    first_win
        .into_iter()
        .map(|won| {
            let won = won?;
            let left = won + (draw.log_normal(240.0, 0.6) * DAY as f64) as i64;
            let reason = draw.below(EXIT_REASONS.len()) as u8;
            (draw.chance(0.125) && left < END).then_some((left, reason))
        })
        .collect()
}

/// One order per won deal when it closes, and for half of them more later
/// (until the company leaves).
pub async fn orders(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    deals: &Deals,
    exits: &[Exit],
) -> anyhow::Result<()> {
    let mut draw = Draw::new(people.seed, "orders");
    // (when, deal, product, quantity, amount)
    let mut planned: Vec<(i64, u32, &str, i64, i64)> = Vec::new();
    for (i, deal) in deals.list.iter().enumerate() {
        let Some(won) = deal.won_at() else { continue };
        let until = exits[deal.company as usize].map_or(END, |e| e.0);
        if won >= until {
            continue;
        }
        let products = if deal.renewal {
            RENEWAL_PRODUCTS
        } else {
            NEW_BUSINESS_PRODUCTS
        };
        let mut at = (won + draw.int(0, 3 * DAY)).min(until - 1);
        planned.push((at, i as u32, products[0], 1, deal.amount_e4));
        while draw.chance(0.5) {
            at += (draw.log_normal(120.0, 0.5) * DAY as f64) as i64;
            if at >= until {
                break;
            }
            let quantity = draw.pick(&[1, 1, 2, 5, 10, 25]);
            let amount = (draw.log_normal(3_000.0, 0.8) / 10.0).round() as i64 * 10;
            planned.push((at, i as u32, draw.pick(products), quantity, amount * 10_000));
        }
    }
    planned.sort_by_key(|o| o.0);
    let mut rows = sink.table(&tables::ORDER);
    for (at, deal, product, quantity, amount) in planned {
        let deal = &deals.list[deal as usize];
        let company = &people.companies[deal.company as usize];
        rows.row(&[
            draw.id(at).into(),
            team.workspace.into(),
            people.contacts[deal.contact as usize].id.into(),
            company.id.into(),
            product.into(),
            quantity.into(),
            amount.into(),
            company.currency().into(),
            Cell::At(at),
            1i64.into(),
            Cell::At(at),
            Cell::At(at),
        ])
        .await?;
    }
    rows.finish().await?;
    Ok(())
}

/// CSAT answers after resolved tickets (worse the longer it took) and NPS
/// answers from one contact in five.
pub async fn surveys(
    sink: &mut Sink,
    team: &Team,
    people: &People,
    tickets: &Tickets,
) -> anyhow::Result<()> {
    let mut draw = Draw::new(people.seed, "surveys");
    // (when, contact, ticket, NPS?, score)
    let mut planned: Vec<(i64, u32, Option<u32>, bool, i64)> = tickets
        .surveyed
        .iter()
        .map(|(ticket, at, hours)| {
            let mood = if *hours < 24 { 0.8 } else { 1.6 };
            let score = (5.0 - draw.log_normal(0.6, 1.0) * mood)
                .round()
                .clamp(1.0, 5.0);
            let contact = tickets.contact[*ticket as usize];
            (*at, contact, Some(*ticket), false, score as i64)
        })
        .collect();
    for (i, contact) in people.contacts.iter().enumerate() {
        if draw.chance(0.2) {
            let at = (contact.created + draw.int(30, 400) * DAY)
                .min(END - HOUR)
                .max(contact.created);
            let score = draw.weighted(&[(10, 18), (9, 22), (8, 20), (7, 14), (6, 8), (5, 6)]);
            let score = if draw.chance(0.12) {
                draw.int(0, 4)
            } else {
                score
            };
            planned.push((at, i as u32, None, true, score));
        }
    }
    planned.sort_by_key(|s| s.0);
    let mut rows = sink.table(&tables::SURVEY);
    for (at, contact, ticket, nps, score) in planned {
        let low = if nps { score <= 6 } else { score <= 2 };
        let reason = if low && draw.chance(0.7) {
            Some(draw.pick(&SATISFACTION_REASONS[..3]).0)
        } else if !low && draw.chance(0.2) {
            Some(draw.pick(&SATISFACTION_REASONS[3..]).0)
        } else {
            None
        };
        let comment = draw.chance(0.25).then(|| draw.pick(SURVEY_COMMENTS));
        rows.row(&[
            draw.id(at).into(),
            team.workspace.into(),
            people.contacts[contact as usize].id.into(),
            ticket.map(|t| tickets.ids[t as usize]).into(),
            (if nps { "NPS" } else { "CSAT" }).into(),
            score.into(),
            reason.into(),
            comment.into(),
            Cell::At(at),
            1i64.into(),
            Cell::At(at),
            Cell::At(at),
        ])
        .await?;
    }
    rows.finish().await?;
    Ok(())
}
