//! `rapport seed --scale N`: one workspace of N contacts for measuring how
//! the server behaves with size, written in minutes rather than hours.
//!
//! The proportions are those of the size benchmark: companies N/10, deals
//! N/2, tickets 2N, activities 5N, with the pipelines, members, reasons,
//! tags, scoring rules, goals, deal contacts, stage history, orders and
//! survey answers that make its lists, figures and analytics realistic.
//! Records spread over the three years before 2026-12-01, denser towards the
//! end; names come from lists, sizes and amounts from skewed distributions.
//! The same N gives the same workspace on every run (fixed-seed streams),
//! and every id is a UUID v7 of its row's creation time. `--workspaces K`
//! writes K such workspaces (numbered, each with its own ids and team) for
//! measuring many tenants beside a large one.
//!
//! Unlike the demo seed it writes rows directly (COPY on PostgreSQL,
//! multi-row INSERTs on SQLite) in one transaction per workspace, so what
//! it writes must be what the API would have: references within the workspace, tickets
//! numbered 1..2N in opening order with the workspace's counter at 2N, stage
//! history ending in each deal's stage, timestamps of each status, lead
//! scores as the rules give them. Two things are left out on purpose: the
//! outbox (its events would be older than the retention, and pruned) and
//! the change history of each record (`history` starts empty, as for
//! records imported from elsewhere).

mod activities;
mod customers;
mod deals;
mod draw;
mod figures;
mod people;
mod plan;
mod references;
mod row;
mod sink;
mod store;
mod support;
mod tables;
mod team;
mod words;

use std::time::Instant;

use entity::member;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
};

pub use team::ADMIN_EMAIL;

use draw::Which;
use futures_util::{StreamExt, TryStreamExt};
use sink::{Sink, per_second};

/// Workspaces of a set written at once on PostgreSQL (each takes a
/// connection of the pool, 10 by default).
const SIDE_BY_SIDE: usize = 6;

/// Most workspaces one seed writes.
pub const MAX_WORKSPACES: u32 = 100_000;

/// Fewest and most contacts a seed takes.
pub const CONTACTS: std::ops::RangeInclusive<u64> = 100..=20_000_000;

/// What to seed.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub contacts: u64,
    /// How many workspaces of `contacts` contacts: 1 is the lone scale
    /// workspace of [`ADMIN_EMAIL`]; more are numbered, each with its own
    /// ids and its team at `scale-<contacts>-<number>.rapport.dev`.
    pub workspaces: u32,
    /// Seed into a database that already holds workspaces.
    pub append: bool,
}

/// What was seeded.
#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub workspaces: u32,
    pub rows: u64,
    pub seconds: f64,
}

/// The rows of each kind a workspace of `contacts` contacts gets:
/// (companies, deals, tickets, activities).
pub fn proportions(contacts: u64) -> (u64, u64, u64, u64) {
    (
        (contacts / 10).max(1),
        contacts / 2,
        contacts * 2,
        contacts * 5,
    )
}

pub async fn run(db: &DatabaseConnection, options: Options) -> anyhow::Result<Seeded> {
    let contacts = options.contacts;
    anyhow::ensure!(
        CONTACTS.contains(&contacts),
        "--scale takes {} to {} contacts",
        CONTACTS.start(),
        CONTACTS.end()
    );
    anyhow::ensure!(
        (1..=MAX_WORKSPACES).contains(&options.workspaces),
        "--workspaces takes 1 to {MAX_WORKSPACES}"
    );
    if !options.append && !super::is_empty(db).await? {
        anyhow::bail!(
            "the database already holds workspaces: seed an empty one, or pass --append to add the scale workspace beside them"
        );
    }
    let numbers = match options.workspaces {
        1 => 0..=0,
        many => 1..=many,
    };
    let first = Which {
        contacts,
        number: *numbers.start(),
    };
    let first_admin = format!("admin@{}", first.domain());
    let admins = member::Entity::find()
        .filter(member::Column::Email.eq(first_admin.as_str()))
        .count(db)
        .await?;
    anyhow::ensure!(
        admins == 0,
        "{first_admin} exists already: the database holds these scale workspaces"
    );
    let started = Instant::now();
    let in_a_set = options.workspaces > 1;
    // The first alone: it gives the tables their statistics, which the
    // others keep. Then the others side by side on PostgreSQL (each in its
    // own transaction; SQLite takes one writer at a time): a small
    // workspace's time is mostly round trips, not work.
    let mut rows = workspace(db, first, in_a_set).await?;
    let side_by_side = match db.get_database_backend() {
        DbBackend::Postgres => SIDE_BY_SIDE,
        _ => 1,
    };
    let others: Vec<u64> = futures_util::stream::iter(numbers.skip(1))
        .map(|number| workspace(db, Which { contacts, number }, in_a_set))
        .buffer_unordered(side_by_side)
        .try_collect()
        .await?;
    rows += others.iter().sum::<u64>();
    if db.get_database_backend() == DbBackend::Postgres {
        // What autovacuum would do within a minute: the planner's statistics.
        let analyzed = Instant::now();
        let mut connection = db.get_postgres_connection_pool().acquire().await?;
        for statement in [
            "SET statement_timeout = 0",
            "ANALYZE",
            "RESET statement_timeout",
        ] {
            sea_orm::sqlx::query(statement)
                .execute(&mut *connection)
                .await?;
        }
        tracing::info!(seconds = analyzed.elapsed().as_secs_f64(), "analyzed");
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        workspaces = options.workspaces,
        admin = first_admin,
        rows,
        seconds,
        rows_per_second = (rows as f64 / seconds.max(1e-6)) as u64,
        "seeded a workspace at scale"
    );
    Ok(Seeded {
        workspaces: options.workspaces,
        rows,
        seconds,
    })
}

/// Writes one workspace in one transaction; returns its rows.
async fn workspace(db: &DatabaseConnection, which: Which, in_a_set: bool) -> anyhow::Result<u64> {
    let contacts = which.contacts;
    let (_, deal_count, ticket_count, activity_count) = proportions(contacts);
    let started = Instant::now();
    tracing::info!(
        contacts,
        number = which.number,
        "seeding a workspace at scale"
    );
    let mut sink = Sink::begin(db, in_a_set).await?;
    let team = team::write(&mut sink, which, ticket_count).await?;
    let people = plan::people(contacts as usize, team.sellers.len(), which.seed());
    let deals = deals::plan(&people, &team, deal_count as usize);
    let exits = customers::exits(&people, &deals);
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "planned companies, contacts and deals"
    );
    people::companies(&mut sink, &team, &people, &exits).await?;
    people::contacts(&mut sink, &team, &people, &deals).await?;
    deals::write(&mut sink, &team, &people, &deals).await?;
    let tickets = support::write(&mut sink, &team, &people, &deals, ticket_count as usize).await?;
    customers::orders(&mut sink, &team, &people, &deals, &exits).await?;
    customers::surveys(&mut sink, &team, &people, &tickets).await?;
    activities::write(
        &mut sink,
        &team,
        &people,
        &deals,
        &tickets,
        activity_count as usize,
    )
    .await?;
    activities::taggings(&mut sink, &team, &people, &deals, &tickets).await?;
    let rows = sink.rows;
    // The first workspace of a set gives the tables their statistics; the
    // others, alike, keep them.
    let took = sink.commit(team.workspace, which.number <= 1).await?;
    tracing::info!(
        workspace = %team.workspace,
        rows,
        seconds = took.as_secs_f64(),
        rows_per_second = per_second(rows, took),
        "committed"
    );
    Ok(rows)
}
