//! The workspace and what its records refer to: members (owners, sellers,
//! support agents), two pipelines, the reason lists, tags, lead-scoring
//! rules and the sellers' quarterly goals.

use chrono::NaiveDate;
use uuid::Uuid;

use super::draw::{DAY, Draw, START, Which};
use super::row::Cell;
use super::sink::Sink;
use super::tables;
use super::words::{FIRST_NAMES, LAST_NAMES, TAGS};

/// The admin of the seeded workspace: `rapport token --email` with it signs
/// the benchmark in.
pub const ADMIN_EMAIL: &str = "admin@scale.rapport.dev";

pub const WON_REASONS: &[(&str, &str)] = &[
    ("PRODUCT_FIT", "Product fit"),
    ("BEST_PRICE", "Best price"),
    ("RELATIONSHIP", "Relationship"),
    ("TIMING", "Right timing"),
];
pub const LOST_REASONS: &[(&str, &str)] = &[
    ("PRICE_TOO_HIGH", "Price too high"),
    ("CHOSE_COMPETITOR", "Chose a competitor"),
    ("NO_DECISION", "No decision"),
    ("NO_BUDGET", "No budget"),
    ("MISSING_FEATURE", "Missing feature"),
];
pub const EXIT_REASONS: &[(&str, &str)] = &[
    ("SWITCHED_VENDOR", "Switched vendor"),
    ("BUDGET_CUT", "Budget cut"),
    ("POOR_SERVICE", "Poor service"),
    ("OUT_OF_BUSINESS", "Out of business"),
];
pub const SATISFACTION_REASONS: &[(&str, &str)] = &[
    ("SLOW_RESPONSE", "Slow response"),
    ("NOT_RESOLVED", "Not resolved"),
    ("UNFRIENDLY", "Unfriendly"),
    ("GREAT_SUPPORT", "Great support"),
    ("EASY_TO_USE", "Easy to use"),
];

/// The lead-scoring rules: (name, target, text, at least, at most, points).
/// [`lead_score`] applies the same rules to a contact.
type Rule = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<i64>,
    Option<i64>,
    i64,
);
const RULES: &[Rule] = &[
    ("C-level", "JOB_TITLE", Some("Chief"), None, None, 25),
    ("Directors", "JOB_TITLE", Some("Director"), None, None, 15),
    ("Heads of", "JOB_TITLE", Some("Head of"), None, None, 10),
    (
        "Software companies",
        "INDUSTRY",
        Some("Software"),
        None,
        None,
        10,
    ),
    (
        "Large companies",
        "COMPANY_SIZE",
        None,
        Some(1000),
        None,
        15,
    ),
    (
        "Very small companies",
        "COMPANY_SIZE",
        None,
        None,
        Some(9),
        -5,
    ),
];

/// The score the rules give a contact (as the core's recomputation does:
/// text rules match case-insensitively anywhere, size rules within bounds).
pub fn lead_score(job_title: &str, industry: Option<&str>, employees: Option<i64>) -> i64 {
    let title = job_title.to_lowercase();
    let industry = industry.map(str::to_lowercase).unwrap_or_default();
    RULES
        .iter()
        .filter(
            |(_, target, text, low, high, _)| match (*target, text, employees) {
                ("JOB_TITLE", Some(t), _) => title.contains(&t.to_lowercase()),
                ("INDUSTRY", Some(t), _) => industry.contains(&t.to_lowercase()),
                ("COMPANY_SIZE", _, Some(size)) => {
                    low.is_none_or(|l| size >= l) && high.is_none_or(|h| size <= h)
                }
                _ => false,
            },
        )
        .map(|rule| rule.5)
        .sum()
}

/// A pipeline's stages: the open ones in order (with win probabilities),
/// then the won and the lost stage.
pub struct Pipeline {
    pub id: Uuid,
    pub open: Vec<(Uuid, i64)>,
    pub won: Uuid,
    pub lost: Uuid,
}

pub struct Team {
    pub workspace: Uuid,
    pub admin: Uuid,
    pub sellers: Vec<Uuid>,
    pub support: Vec<Uuid>,
    /// New business, then renewals.
    pub pipelines: [Pipeline; 2],
    pub tags: Vec<Uuid>,
}

/// When the workspace was set up: a month before its first record.
const SETUP: i64 = START - 30 * DAY;

/// How many members of each kind a workspace of `contacts` contacts has.
pub fn sizes(contacts: u64) -> (usize, usize, usize) {
    let sellers = (contacts / 2_500).clamp(4, 400) as usize;
    let support = (contacts / 10_000).clamp(2, 100) as usize;
    let managers = (sellers / 8).clamp(1, 50);
    (managers, sellers, support)
}

pub async fn write(sink: &mut Sink, which: Which, tickets: u64) -> anyhow::Result<Team> {
    let contacts = which.contacts;
    let mut draw = Draw::new(which.seed(), "team");
    let workspace = draw.id(SETUP);
    let name = which.name();
    let domain = which.domain();
    let mut rows = sink.table(&tables::WORKSPACE);
    let tickets = i64::try_from(tickets)?;
    rows.row(&[
        workspace.into(),
        name.as_str().into(),
        tickets.into(),
        0i64.into(),
        Cell::At(SETUP),
        Cell::At(SETUP),
    ])
    .await?;
    rows.finish().await?;

    let (managers, sellers, support) = sizes(contacts);
    let mut people = vec![("admin".to_owned(), "ADMIN", "Sales Director", 0i64)];
    people.extend((1..=managers).map(|k| (format!("manager{k}"), "MANAGER", "Sales Manager", 200)));
    people.extend((1..=sellers).map(|k| (format!("seller{k}"), "SALES", "Account Executive", 750)));
    people.extend((1..=support).map(|k| (format!("support{k}"), "SUPPORT", "Support Agent", 0)));
    people.push(("viewer".into(), "VIEWER", "Analyst", 0));
    let mut team = Team {
        workspace,
        admin: Uuid::nil(),
        sellers: Vec::new(),
        support: Vec::new(),
        pipelines: [pipeline(&mut draw, 0), pipeline(&mut draw, 1)],
        tags: Vec::new(),
    };
    let mut rows = sink.table(&tables::MEMBER);
    for (local, role, title, bps) in people {
        let id = draw.id(SETUP);
        let email = format!("{local}@{domain}");
        let name = format!("{} {}", draw.common(FIRST_NAMES), draw.common(LAST_NAMES));
        match role {
            "ADMIN" => team.admin = id,
            "SALES" => team.sellers.push(id),
            "SUPPORT" => team.support.push(id),
            _ => {}
        }
        rows.row(&[
            id.into(),
            workspace.into(),
            email.as_str().into(),
            name.as_str().into(),
            role.into(),
            title.into(),
            bps.into(),
            Cell::At(SETUP),
            Cell::At(SETUP),
        ])
        .await?;
    }
    rows.finish().await?;
    write_pipelines(sink, &team).await?;
    write_lists(sink, &mut draw, &mut team).await?;
    write_goals(sink, &mut draw, &team).await?;
    Ok(team)
}

/// New business (four open stages) or renewals (two).
fn pipeline(draw: &mut Draw, which: usize) -> Pipeline {
    let open: &[i64] = if which == 0 {
        &[10, 25, 50, 75]
    } else {
        &[60, 80]
    };
    Pipeline {
        id: draw.id(SETUP),
        open: open.iter().map(|p| (draw.id(SETUP), *p)).collect(),
        won: draw.id(SETUP),
        lost: draw.id(SETUP),
    }
}

async fn write_pipelines(sink: &mut Sink, team: &Team) -> anyhow::Result<()> {
    let names: [(&str, &[&str], &str, &str); 2] = [
        (
            "New business",
            &["Qualification", "Discovery", "Proposal", "Negotiation"],
            "Won",
            "Lost",
        ),
        (
            "Renewals",
            &["Upcoming", "Negotiating"],
            "Renewed",
            "Churned",
        ),
    ];
    let mut rows = sink.table(&tables::PIPELINE);
    for (position, (pipeline, (name, ..))) in team.pipelines.iter().zip(names).enumerate() {
        rows.row(&[
            pipeline.id.into(),
            team.workspace.into(),
            name.into(),
            (position as i64).into(),
            1i64.into(),
            Cell::At(SETUP),
            Cell::At(SETUP),
        ])
        .await?;
    }
    rows.finish().await?;
    let mut rows = sink.table(&tables::STAGE);
    for (pipeline, (_, open, won, lost)) in team.pipelines.iter().zip(names) {
        let stages = pipeline
            .open
            .iter()
            .zip(open)
            .map(|((id, p), name)| (*id, *name, *p, "OPEN"))
            .chain([
                (pipeline.won, won, 100, "WON"),
                (pipeline.lost, lost, 0, "LOST"),
            ]);
        for (position, (id, name, probability, kind)) in stages.enumerate() {
            rows.row(&[
                id.into(),
                team.workspace.into(),
                pipeline.id.into(),
                name.into(),
                (position as i64).into(),
                probability.into(),
                kind.into(),
                1i64.into(),
                Cell::At(SETUP),
                Cell::At(SETUP),
            ])
            .await?;
        }
    }
    rows.finish().await?;
    Ok(())
}

/// Reasons, tags and scoring rules.
async fn write_lists(sink: &mut Sink, draw: &mut Draw, team: &mut Team) -> anyhow::Result<()> {
    let lists = [
        ("DEAL_WON", WON_REASONS),
        ("DEAL_LOST", LOST_REASONS),
        ("CUSTOMER_EXIT", EXIT_REASONS),
        ("SATISFACTION", SATISFACTION_REASONS),
    ];
    let mut rows = sink.table(&tables::REASON);
    for (kind, reasons) in lists {
        for (code, label) in reasons {
            rows.row(&[
                draw.id(SETUP).into(),
                team.workspace.into(),
                kind.into(),
                (*code).into(),
                (*label).into(),
                true.into(),
                1i64.into(),
                Cell::At(SETUP),
                Cell::At(SETUP),
            ])
            .await?;
        }
    }
    rows.finish().await?;
    let mut rows = sink.table(&tables::TAG);
    for (name, color) in TAGS {
        let id = draw.id(SETUP);
        team.tags.push(id);
        rows.row(&[
            id.into(),
            team.workspace.into(),
            (*name).into(),
            (*color).into(),
            Cell::At(SETUP),
            Cell::At(SETUP),
        ])
        .await?;
    }
    rows.finish().await?;
    let mut rows = sink.table(&tables::SCORING_RULE);
    for (name, target, text, low, high, points) in RULES {
        rows.row(&[
            draw.id(SETUP).into(),
            team.workspace.into(),
            (*name).into(),
            (*target).into(),
            (*text).into(),
            low.map_or(Cell::Null, Cell::Int),
            high.map_or(Cell::Null, Cell::Int),
            (*points).into(),
            true.into(),
            1i64.into(),
            Cell::At(SETUP),
            Cell::At(SETUP),
        ])
        .await?;
    }
    rows.finish().await?;
    Ok(())
}

/// Each seller's quota for the four quarters of 2026, in euros.
async fn write_goals(sink: &mut Sink, draw: &mut Draw, team: &Team) -> anyhow::Result<()> {
    let mut rows = sink.table(&tables::GOAL);
    for seller in &team.sellers {
        let quota = (draw.log_normal(150_000.0, 0.3) / 1_000.0).round() as i64 * 1_000;
        for quarter in 0..4u32 {
            let start = NaiveDate::from_ymd_opt(2026, 1 + 3 * quarter, 1).unwrap_or_default();
            let end = start
                .checked_add_months(chrono::Months::new(3))
                .and_then(|d| d.pred_opt())
                .unwrap_or(start);
            rows.row(&[
                draw.id(SETUP).into(),
                team.workspace.into(),
                (*seller).into(),
                Cell::Day(start),
                Cell::Day(end),
                (quota * 10_000).into(),
                "EUR".into(),
                1i64.into(),
                Cell::At(SETUP),
                Cell::At(SETUP),
            ])
            .await?;
        }
    }
    rows.finish().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_add_up_as_the_core_applies_them() {
        assert_eq!(
            lead_score("Chief Technology Officer", Some("Software"), Some(5000)),
            50
        );
        assert_eq!(lead_score("IT Director", Some("Retail"), Some(5)), 10);
        assert_eq!(lead_score("Buyer", None, None), 0);
    }
}
