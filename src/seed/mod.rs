//! The deterministic demo workspace `cargo run` starts with: two pipelines,
//! 30 companies, 150 contacts, 100 deals walked through their stages, 200
//! tickets, activities, tags, a year of orders, NPS and CSAT answers,
//! engagements, quarterly goals and competitor contracts.
//! The same data every time (a fixed pseudo-random sequence, a manual clock
//! and fixed ids), so a README query gives the same answer on every machine.
//!
//! Everything past the workspace and its members is written through the
//! core's operations, at the moment each record is dated: seeded data has
//! the events, history, lead scores, stage history and dense ticket numbers
//! the API would have written. The workspace and its members are the one
//! bootstrap write (there is no operation that creates a workspace, and
//! members otherwise join by invitation).

mod carts;
mod catalogue;
mod records;
pub mod scale;
mod story;
mod tickets;

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, TimeZone, Utc};
use entity::enums::Role;
use entity::{member, workspace};
use rapport_core::Core;
use rapport_core::access::Passwords;
use rapport_core::clock::{self, Clock};
use rapport_core::store::ids;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::auth::Actor;
use crate::graphql::filter::col;

/// The demo admin's login; `rapport token` prints a token for it.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.rapport.dev";

/// Every demo member's password, documented in the README so `login` can be
/// tried. The demo is for trying Rapport: a deployment serves with `--no-demo`.
pub const DEMO_PASSWORD: &str = "rapport-demo";

const COMPANIES: [&str; 30] = [
    "Acme Robotics",
    "Globex Logistics",
    "Initech Software",
    "Umbrella Health",
    "Stark Energy",
    "Wayne Shipping",
    "Hooli Cloud",
    "Vandelay Imports",
    "Soylent Foods",
    "Tyrell Biotech",
    "Cyberdyne Security",
    "Wonka Confectionery",
    "Oscorp Materials",
    "Aperture Labs",
    "Black Mesa Research",
    "Gringotts Finance",
    "Monarch Textiles",
    "Nakatomi Trading",
    "Pied Piper Media",
    "Dunder Paper",
    "Bluth Properties",
    "Sterling Advertising",
    "Prestige Worldwide",
    "Massive Dynamic",
    "Duff Beverages",
    "Krusty Retail",
    "Ollivander Crafts",
    "Zorg Industries",
    "Gekko Capital",
    "Rekall Travel",
];
const INDUSTRIES: [&str; 8] = [
    "Software",
    "Manufacturing",
    "Healthcare",
    "Logistics",
    "Finance",
    "Retail",
    "Energy",
    "Media",
];
const CITIES: [(&str, &str, &str); 6] = [
    ("Berlin", "DE", "+4930"),
    ("London", "GB", "+44207"),
    ("Paris", "FR", "+3314"),
    ("Amsterdam", "NL", "+3120"),
    ("Madrid", "ES", "+3491"),
    ("Vienna", "AT", "+431"),
];
const FIRST: [&str; 15] = [
    "Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Iris", "Jonas", "Kara",
    "Liam", "Mia", "Noah", "Olivia",
];
const LAST: [&str; 10] = [
    "Schmidt", "Smith", "Martin", "de Vries", "Garcia", "Huber", "Rossi", "Novak", "Larsen",
    "Dubois",
];
const TITLES: [&str; 6] = [
    "CEO",
    "CTO",
    "Head of Operations",
    "Procurement Manager",
    "Engineer",
    "Finance Director",
];
const TAGS: [&str; 5] = ["vip", "enterprise", "smb", "partner", "at-risk"];
const CATEGORIES: [&str; 5] = ["billing", "bug", "onboarding", "how-to", "outage"];
const WON_REASONS: [&str; 3] = ["Best price", "Product fit", "Relationship"];
const LOST_REASONS: [&str; 3] = ["Price too high", "Chose a competitor", "No budget"];

/// A fixed pseudo-random sequence (SplitMix64): the same demo on every run.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// A UUID v7 at a fixed time, with sequence bits: valid, ordered, repeatable.
    fn id(&mut self, at: DateTime<Utc>) -> Uuid {
        let bytes = self.next().to_be_bytes();
        let more = self.next().to_be_bytes();
        let random = [
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            more[0], more[1],
        ];
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis() as u64, &random).into_uuid()
    }
}

/// The demo workspace's id.
pub fn demo_workspace_id() -> Uuid {
    Sequence(0).id(epoch())
}

/// When the demo begins.
fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

/// True when no workspace exists yet (a first run).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(workspace::Entity::find().count(db).await? == 0)
}

/// The actor of the member with `email` (any workspace; emails are unique in the demo).
pub async fn actor_by_email(db: &DatabaseConnection, email: &str) -> anyhow::Result<Actor> {
    let email = email.trim().to_lowercase();
    // An email names no workspace: every one is asked.
    let member = rapport_core::store::across::across_workspaces(db, async |txn| {
        member::Entity::find()
            .filter(col("member", "email").eq(email.as_str()))
            .one(txn)
            .await
    })
    .await?
    .ok_or_else(|| anyhow::anyhow!("no member with email {email}"))?;
    Ok(Actor::member(member.workspace_id, member.id, member.role))
}

/// Creates the demo workspace unless it exists; returns whether it did.
pub async fn demo(core: &Core) -> anyhow::Result<bool> {
    if workspace::Entity::find_by_id(demo_workspace_id())
        .one(&core.db)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let sequence = Arc::new(Mutex::new(Sequence(1)));
    let clock = Clock::manual(epoch());
    // Rows take ids from the sequence, stamped with the clock's moment.
    let source: ids::IdSource = {
        let sequence = sequence.clone();
        Arc::new(move || {
            let mut sequence = sequence.lock().unwrap_or_else(PoisonError::into_inner);
            sequence.id(clock::now())
        })
    };
    let team = bootstrap(core, &sequence).await?;
    let demo = records::Demo::new(core, clock.clone(), sequence, team);
    clock::scope(clock, ids::scope(source, demo.write())).await?;
    Ok(true)
}

/// The demo's members: the admin, and the sellers and support agent who own
/// and work its records.
pub struct Team {
    pub admin: Actor,
    pub sellers: Vec<Actor>,
    pub support: Actor,
}

/// The workspace and its members, written directly (see the module docs).
async fn bootstrap(core: &Core, sequence: &Mutex<Sequence>) -> Result<Team, DbErr> {
    let (ws, t0) = (demo_workspace_id(), epoch());
    // One hash for all (one Argon2 run, not six): they share the documented password.
    let password_hash = Passwords::new(Some(1))
        .hash(DEMO_PASSWORD.into())
        .await
        .map_err(|e| DbErr::Custom(format!("hashing the demo password: {e:?}")))?;
    let txn = core.db.begin().await?;
    workspace::ActiveModel {
        id: Set(ws),
        name: Set("Demo Sales Co".into()),
        ticket_seq: Set(0),
        event_seq: Set(0),
        created_at: Set(t0),
        updated_at: Set(t0),
    }
    .insert(&txn)
    .await?;
    let roles = [
        ("Ada Admin", DEMO_ADMIN_EMAIL, Role::Admin, 0),
        (
            "Max Manager",
            "manager@demo.rapport.dev",
            Role::Manager,
            200,
        ),
        ("Sam Seller", "sam@demo.rapport.dev", Role::Sales, 750),
        ("Sara Sales", "sara@demo.rapport.dev", Role::Sales, 750),
        ("Sue Support", "support@demo.rapport.dev", Role::Support, 0),
        ("Vic Viewer", "viewer@demo.rapport.dev", Role::Viewer, 0),
    ];
    let ids: Vec<Uuid> = {
        let mut sequence = sequence.lock().unwrap_or_else(PoisonError::into_inner);
        roles.iter().map(|_| sequence.id(t0)).collect()
    };
    let mut members = Vec::new();
    for ((name, email, role, bps), id) in roles.into_iter().zip(ids) {
        members.push(Actor::member(ws, id, role));
        member::ActiveModel {
            id: Set(id),
            workspace_id: Set(ws),
            email: Set(email.into()),
            name: Set(name.into()),
            role: Set(role),
            title: Set(None),
            commission_bps: Set(bps),
            password_hash: Set(Some(password_hash.clone())),
            deactivated_at: Set(None),
            invitation_hash: Set(None),
            invitation_expires_at: Set(None),
            team_id: Set(None),
            created_at: Set(t0),
            updated_at: Set(t0),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    let of = |role| {
        members
            .iter()
            .filter(move |a: &&Actor| a.role == role)
            .cloned()
    };
    let missing = || DbErr::Custom("the demo team lacks a role".into());
    Ok(Team {
        admin: of(Role::Admin).next().ok_or_else(missing)?,
        sellers: of(Role::Sales).collect(),
        support: of(Role::Support).next().ok_or_else(missing)?,
    })
}
