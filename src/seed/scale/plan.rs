//! Who exists when: companies and contacts planned before anything is
//! written, since later tables refer to them (and a company's exit depends
//! on its deals). Both are in creation order; each record refers only to
//! records created before it.

use uuid::Uuid;

use super::draw::{self, Draw, Groups};
use super::words::{COMPANY_NOUNS, COMPANY_WORDS, FIRST_NAMES, INDUSTRIES, JOB_TITLES, LAST_NAMES};
use super::words::{PLACES, Place};

/// No company (a contact on their own).
pub const NONE: u32 = u32::MAX;

pub struct Company {
    pub id: Uuid,
    pub created: i64,
    pub owner: u16,
    pub place: u8,
    pub industry: u8,
    pub employees: i64,
    pub name: (u8, u8),
}

impl Company {
    pub fn place(&self) -> Place {
        PLACES[self.place as usize].0
    }

    pub fn industry(&self) -> &'static str {
        INDUSTRIES[self.industry as usize].0
    }

    pub fn currency(&self) -> &'static str {
        self.place().2
    }

    /// The web domain of company number `index`: names repeat, domains
    /// never (a domain is unique among a workspace's live companies).
    pub fn domain(&self, index: usize) -> String {
        let words = format!(
            "{}{}",
            COMPANY_WORDS[self.name.0 as usize], COMPANY_NOUNS[self.name.1 as usize]
        )
        .to_lowercase();
        let tld = self.place().5;
        format!("{words}{index}.{tld}")
    }

    pub fn name(&self) -> String {
        let country = self.place().1;
        let legal = super::words::LEGAL_FORMS
            .iter()
            .filter(|(c, _)| *c == country)
            .map(|(_, form)| *form)
            .nth(self.name.1 as usize % 2)
            .or_else(|| {
                super::words::LEGAL_FORMS
                    .iter()
                    .find(|(c, _)| *c == country)
                    .map(|(_, f)| *f)
            })
            .unwrap_or("Ltd");
        format!(
            "{} {} {legal}",
            COMPANY_WORDS[self.name.0 as usize], COMPANY_NOUNS[self.name.1 as usize]
        )
    }
}

pub struct Contact {
    pub id: Uuid,
    pub created: i64,
    pub company: u32,
    pub owner: u16,
    pub first: u8,
    pub last: u8,
    pub title: u8,
}

impl Contact {
    pub fn first_name(&self) -> &'static str {
        FIRST_NAMES[self.first as usize]
    }
    pub fn last_name(&self) -> &'static str {
        LAST_NAMES[self.last as usize]
    }
    pub fn job_title(&self) -> &'static str {
        JOB_TITLES[self.title as usize]
    }
}

pub struct People {
    /// What every stream of this workspace is seeded with ([`Which::seed`]).
    pub seed: u64,
    pub companies: Vec<Company>,
    pub contacts: Vec<Contact>,
    /// Creation moments of `contacts`, ascending.
    pub contact_created: Vec<i64>,
    /// Cumulative weights of contacts: some file many tickets, most few.
    pub contact_weight: Vec<f64>,
    /// Contacts with a company, ascending by creation, and their moments.
    pub employed: Vec<u32>,
    pub employed_created: Vec<i64>,
    /// Each company's contacts, in creation order.
    pub staff: Groups,
}

pub fn people(contacts: usize, sellers: usize, seed: u64) -> People {
    let companies = plan_companies((contacts / 10).max(1), sellers, seed);
    let company_created: Vec<i64> = companies.iter().map(|c| c.created).collect();
    let mut draw = Draw::new(seed, "contacts");
    let mut size = Draw::new(seed, "company sizes");
    let mut cumulative = Vec::with_capacity(companies.len());
    let mut sum = 0.0;
    for _ in &companies {
        sum += size.log_normal(1.0, 1.2);
        cumulative.push(sum);
    }
    let times = draw::timeline(&mut draw, contacts);
    let mut planned = Vec::with_capacity(contacts);
    let mut contact_weight = Vec::with_capacity(contacts);
    let mut weight = 0.0;
    for created in times {
        let company = if draw.chance(0.92) {
            let existing = draw::existing(&company_created, created).max(1);
            draw::pick_weighted(&mut draw, &cumulative, existing) as u32
        } else {
            NONE
        };
        // A contact is never older than their company.
        let created = match companies.get(company as usize) {
            Some(c) => created.max(c.created),
            None => created,
        };
        let owner = match companies.get(company as usize) {
            Some(c) if draw.chance(0.8) => c.owner,
            _ => draw.below(sellers) as u16,
        };
        planned.push(Contact {
            id: draw.id(created),
            created,
            company,
            owner,
            first: index(draw.common_index(FIRST_NAMES.len())),
            last: index(draw.common_index(LAST_NAMES.len())),
            title: index(draw.common_index(JOB_TITLES.len())),
        });
        weight += draw.log_normal(1.0, 1.0);
        contact_weight.push(weight);
    }
    // Moving a contact after its company may have unsorted a few neighbours.
    planned.sort_by_key(|c| c.created);
    let contact_created = planned.iter().map(|c| c.created).collect();
    let employed: Vec<u32> = (0..planned.len() as u32)
        .filter(|i| planned[*i as usize].company != NONE)
        .collect();
    let employed_created = employed
        .iter()
        .map(|i| planned[*i as usize].created)
        .collect();
    let staff = Groups::new(
        companies.len(),
        employed.iter().map(|i| (planned[*i as usize].company, *i)),
    );
    People {
        seed,
        companies,
        contacts: planned,
        contact_created,
        contact_weight,
        employed,
        employed_created,
        staff,
    }
}

fn plan_companies(count: usize, sellers: usize, seed: u64) -> Vec<Company> {
    let mut draw = Draw::new(seed, "companies");
    let places: Vec<(u8, u32)> = PLACES
        .iter()
        .enumerate()
        .map(|(i, (_, w))| (i as u8, *w))
        .collect();
    let industries: Vec<(u8, u32)> = INDUSTRIES
        .iter()
        .enumerate()
        .map(|(i, (_, w))| (i as u8, *w))
        .collect();
    draw::timeline(&mut draw, count)
        .into_iter()
        .map(|created| Company {
            id: draw.id(created),
            created,
            owner: draw.common_index(sellers) as u16,
            place: draw.weighted(&places),
            industry: draw.weighted(&industries),
            employees: draw.log_normal(60.0, 1.6).clamp(1.0, 200_000.0) as i64,
            name: (
                draw.below(COMPANY_WORDS.len()) as u8,
                draw.below(COMPANY_NOUNS.len()) as u8,
            ),
        })
        .collect()
}

fn index(i: usize) -> u8 {
    u8::try_from(i).unwrap_or(u8::MAX)
}
