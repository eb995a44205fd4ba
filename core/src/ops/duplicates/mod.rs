//! Duplicate candidates: pairs of live contacts (or companies) that look
//! like one person (or organisation), with a score and the reasons, found
//! in SQL by self-joins on indexed match keys ([`sql`]), never by comparing
//! every pair in Rust. Pages run in a stable order: score, highest first,
//! then the older record's id, then the newer's.

mod sql;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::Role;
use sea_orm::{ConnectionTrait, Statement, Value};
use uuid::Uuid;

use crate::access::Actor;
use crate::error::{CoreError, CoreResult};
use crate::store::placeholders::for_backend;

/// Why two records look like duplicates; each adds its weight to the score
/// (capped at 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Contacts: the same email once a `+tag` is dropped.
    SameEmail,
    /// Contacts: the same E.164 phone.
    SamePhone,
    /// Contacts: the same first and family name at the same company.
    SameNameAtCompany,
    /// Contacts: the same family name at the same company, one given name
    /// starting the other ("Jon" and "Jonathan").
    SimilarNameAtCompany,
    /// Companies: the same domain.
    SameDomain,
    /// Companies: the same name once case, punctuation, spaces and a legal
    /// form are dropped ("Acme, Inc." and "ACME").
    SimilarCompanyName,
}

impl Reason {
    /// Its weight in the score.
    pub fn weight(self) -> i32 {
        match self {
            Self::SameEmail | Self::SameDomain => 90,
            Self::SamePhone => 80,
            Self::SameNameAtCompany | Self::SimilarCompanyName => 70,
            Self::SimilarNameAtCompany => 50,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::SameEmail => "same_email",
            Self::SamePhone => "same_phone",
            Self::SameNameAtCompany => "same_name",
            Self::SimilarNameAtCompany => "similar_name",
            Self::SameDomain => "same_domain",
            Self::SimilarCompanyName => "similar_company_name",
        }
    }
}

/// Which records to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    Contacts,
    Companies,
}

/// A candidate pair: `record` is the older, `duplicate` the newer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub record: Uuid,
    pub duplicate: Uuid,
    pub score: i32,
    pub reasons: Vec<Reason>,
}

impl Candidate {
    /// The opaque cursor of this pair's place in the order.
    pub fn cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}:{}", self.score, self.record, self.duplicate))
    }
}

/// A page of candidates, and whether more follow.
#[derive(Debug, Clone)]
pub struct CandidatePage {
    pub candidates: Vec<Candidate>,
    pub has_next: bool,
}

/// Largest page.
pub const MAX_PAGE: u64 = 100;

/// The `first` candidates after cursor `after` (MANAGER and ADMIN: the
/// pairs name records a narrowed read scope might hide).
pub async fn candidates<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    among: Among,
    first: u64,
    after: Option<&str>,
) -> CoreResult<CandidatePage> {
    if !matches!(actor.role, Role::Admin | Role::Manager) {
        return Err(CoreError::Forbidden(format!(
            "the {:?} role may not list duplicates (MANAGER and ADMIN may)",
            actor.role
        )));
    }
    if first > MAX_PAGE {
        return Err(CoreError::bad_input("first", format!("at most {MAX_PAGE}")));
    }
    let after = after.map(decode_cursor).transpose()?;
    let backend = conn.get_database_backend();
    let table = match among {
        Among::Contacts => "contact",
        Among::Companies => "company",
    };
    let (sql, reasons, branches) = sql::page_sql(backend, table, after.is_some());
    let mut values: Vec<Value> = vec![actor.workspace_id.into(); branches];
    if let Some((score, record, duplicate)) = after {
        values.extend([
            score.into(),
            score.into(),
            record.into(),
            record.into(),
            duplicate.into(),
        ]);
    }
    values.push(Value::from(first as i64 + 1));
    let statement = Statement::from_sql_and_values(backend, for_backend(backend, &sql), values);
    let mut candidates = Vec::new();
    for row in conn.query_all_raw(statement).await? {
        let mut found = Vec::new();
        for reason in &reasons {
            if row.try_get::<i32>("", reason.column())? > 0 {
                found.push(*reason);
            }
        }
        candidates.push(Candidate {
            record: row.try_get("", "record")?,
            duplicate: row.try_get("", "duplicate")?,
            score: row.try_get("", "score")?,
            reasons: found,
        });
    }
    let has_next = candidates.len() as u64 > first;
    candidates.truncate(first as usize);
    Ok(CandidatePage {
        candidates,
        has_next,
    })
}

fn decode_cursor(cursor: &str) -> CoreResult<(i32, Uuid, Uuid)> {
    let refused = || CoreError::bad_input("after", "not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| refused())?;
    let text = String::from_utf8(bytes).map_err(|_| refused())?;
    let mut parts = text.split(':');
    let (Some(score), Some(record), Some(duplicate), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused());
    };
    Ok((
        score.parse().map_err(|_| refused())?,
        record.parse().map_err(|_| refused())?,
        duplicate.parse().map_err(|_| refused())?,
    ))
}
