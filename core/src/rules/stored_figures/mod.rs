//! Keeps the stored figures current (see [`figures`](super::figures)): an
//! operation that changes a ticket, order, survey answer, contact, lead
//! score or deal calls [`refresh`] or [`refresh_weights`] in its own
//! transaction, so a figure column always holds what its inputs give, and
//! lists sort and filter on it through an index. Each figure is recomputed
//! from its inputs (one indexed lookup per row), never adjusted by a
//! difference, so it cannot drift.
//!
//! On PostgreSQL the rows are locked first, in id order, and recomputed by
//! the next statement: under READ COMMITTED that statement's snapshot is
//! taken after every other writer of the same row has committed, so two
//! writes racing on one contact's tickets are both counted.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

mod sql;
mod touches;

use super::figures::Of;
use crate::error::CoreResult;
use crate::kind::Kind;
use crate::store::one_workspace;
use crate::store::placeholders::for_backend;
pub use sql::weighted_sql;
use sql::{STAY_BEGAN, assignment, weight_assignment};

/// The inputs a write changed, each feeding some of the stored figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inputs {
    /// Ticket counts, the last opening and the mean resolution time.
    Tickets,
    /// Lifetime value and the first and last orders.
    Orders,
    /// The latest NPS and CSAT (a company's come from its live contacts).
    Surveys,
    /// A company's best contact lead score.
    LeadScores,
    /// Since when a company is a customer: its first won deal or order.
    Customer,
    /// The latest touch. Tickets, orders and surveys are touches too: a
    /// refresh of any of them also recomputes it (see [`with_touches`]);
    /// activities and engagements refresh it alone.
    Touches,
}

impl Inputs {
    /// Every input: what a change of a record's whole set of relations feeds.
    pub const ALL: [Inputs; 6] = [
        Inputs::Tickets,
        Inputs::Orders,
        Inputs::Surveys,
        Inputs::LeadScores,
        Inputs::Customer,
        Inputs::Touches,
    ];
}

/// `inputs`, and the latest touch when one of them is a kind of touch.
fn with_touches(inputs: &[Inputs]) -> Vec<Inputs> {
    let mut all = inputs.to_vec();
    let touches = [Inputs::Tickets, Inputs::Orders, Inputs::Surveys];
    if inputs.iter().any(|i| touches.contains(i)) && !all.contains(&Inputs::Touches) {
        all.push(Inputs::Touches);
    }
    all
}

/// The SET assignments recomputing what `inputs` feed on `of`'s rows.
/// On PostgreSQL every table they read names `workspace_id` (a literal: a
/// uuid's text is hex and `-`); SQLite, which stores uuids as bytes, is one
/// node and correlates with the updated row's workspace.
fn assignments(of: Of, inputs: &[Inputs], backend: DbBackend, workspace_id: Uuid) -> Vec<String> {
    let ws = match backend {
        DbBackend::Postgres => one_workspace::literal(workspace_id),
        _ => format!(r#""{}"."workspace_id""#, of.table()),
    };
    with_touches(inputs)
        .iter()
        .filter_map(|input| match input {
            Inputs::Touches => Some(touches::assignment(of, &ws)),
            _ => assignment(of, *input, backend, &ws),
        })
        .collect()
}

/// The contacts and companies whose figures to recompute.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners {
    contacts: Vec<Uuid>,
    companies: Vec<Uuid>,
}

impl Owners {
    /// A record's contact and company, either optional.
    pub fn of(contact: Option<Uuid>, company: Option<Uuid>) -> Self {
        Self::default().and(contact, company)
    }

    /// These owners and one more contact and company.
    pub fn and(mut self, contact: Option<Uuid>, company: Option<Uuid>) -> Self {
        for (ids, id) in [
            (&mut self.contacts, contact),
            (&mut self.companies, company),
        ] {
            if let Some(id) = id
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        self
    }
}

/// Recomputes the figures `inputs` feed, of every owner, in `txn`.
pub async fn refresh<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    owners: &Owners,
    inputs: &[Inputs],
) -> CoreResult<()> {
    let backend = txn.get_database_backend();
    // Contacts before companies, each in id order: every writer locks in
    // that order, so two of them cannot wait for each other.
    for (of, ids) in [
        (Of::Contact, &owners.contacts),
        (Of::Company, &owners.companies),
    ] {
        let sets = assignments(of, inputs, backend, workspace_id);
        if ids.is_empty() || sets.is_empty() {
            continue;
        }
        let mut ids = ids.clone();
        ids.sort();
        let table = of.table();
        let mut values: Vec<Value> = vec![workspace_id.into()];
        values.extend(ids.iter().map(|id| Value::from(*id)));
        let listed = vec!["?"; ids.len()].join(", ");
        let rows = format!(r#""workspace_id" = ? AND "id" IN ({listed})"#);
        if backend == DbBackend::Postgres {
            let lock =
                format!(r#"SELECT "id" FROM "{table}" WHERE {rows} ORDER BY "id" FOR UPDATE"#);
            run(txn, &lock, values.clone()).await?;
        }
        let update = format!(r#"UPDATE "{table}" SET {} WHERE {rows}"#, sets.join(", "));
        run(txn, &update, values).await?;
    }
    Ok(())
}

/// Which deals' weighted amounts to recompute.
#[derive(Debug, Clone, Copy)]
pub enum Weights {
    /// One deal, now in `stage`.
    Deal { deal: Uuid, stage: Uuid },
    /// Every deal in a stage (its win probability changed).
    Stage(Uuid),
}

/// Recomputes the weighted amounts of `which` deals.
pub async fn refresh_weights<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    which: Weights,
) -> CoreResult<()> {
    let (rows, id) = match which {
        Weights::Deal { deal, stage } => {
            if txn.get_database_backend() == DbBackend::Postgres {
                // Waits for a change of the stage's probability to commit,
                // which then recomputes this deal too if it saw it.
                let lock =
                    r#"SELECT "id" FROM "stage" WHERE "workspace_id" = ? AND "id" = ? FOR SHARE"#;
                run(txn, lock, vec![workspace_id.into(), stage.into()]).await?;
            }
            (r#""id" = ?"#, deal)
        }
        Weights::Stage(stage) => (r#""stage_id" = ?"#, stage),
    };
    update_weights(txn, workspace_id, Some((rows, id))).await
}

/// Recomputes the weighted amounts of the workspace's deals, or of those
/// `rows` (a condition with one `?`, and its value) holds for. The
/// assignment names the workspace as a value too, so it is bound twice.
async fn update_weights<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
    rows: Option<(&str, Uuid)>,
) -> CoreResult<()> {
    let mut update = format!(
        r#"UPDATE "deal" SET {} WHERE "workspace_id" = ?"#,
        weight_assignment()
    );
    let mut values: Vec<Value> = vec![workspace_id.into(), workspace_id.into()];
    if let Some((condition, value)) = rows {
        update.push_str(&format!(" AND {condition}"));
        values.push(value.into());
    }
    run(conn, &update, values).await
}

/// Recomputes what `inputs` feed for every row of `of` in the workspace.
pub async fn refresh_every<C: ConnectionTrait>(
    conn: &C,
    workspace_id: Uuid,
    of: Of,
    inputs: &[Inputs],
) -> CoreResult<()> {
    let backend = conn.get_database_backend();
    let sets = assignments(of, inputs, backend, workspace_id);
    if sets.is_empty() {
        return Ok(());
    }
    let update = format!(
        r#"UPDATE "{}" SET {} WHERE "workspace_id" = ?"#,
        of.table(),
        sets.join(", ")
    );
    run(conn, &update, vec![workspace_id.into()]).await
}

/// Recomputes every stored figure of a workspace, and when the stays that
/// its stage changes end began: for loaders that write records in bulk
/// without the operations.
pub async fn refresh_workspace<C: ConnectionTrait>(conn: &C, workspace_id: Uuid) -> CoreResult<()> {
    for of in [Of::Contact, Of::Company] {
        refresh_every(conn, workspace_id, of, &Inputs::ALL).await?;
    }
    update_weights(conn, workspace_id, None).await?;
    // Stage changes written without when the stay they end began.
    let mut stays = format!(
        r#"UPDATE "deal_stage_change" SET {STAY_BEGAN} WHERE "workspace_id" = ? AND "from_stage_id" IS NOT NULL AND "stay_began_at" IS NULL"#
    );
    if conn.get_database_backend() == DbBackend::Postgres {
        // The correlated read names the workspace as a value (on Citus, its shard).
        stays = crate::store::one_workspace::bind(&stays, workspace_id);
    }
    run(conn, &stays, vec![workspace_id.into()]).await
}

/// The owners and inputs whose figures record `id` of `kind` feeds, for a
/// change that affects them all at once (deleting or restoring it).
pub async fn fed_by<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    kind: Kind,
    id: Uuid,
) -> CoreResult<Option<(Owners, Vec<Inputs>)>> {
    let (sql, inputs) = match kind {
        Kind::Ticket => (
            r#"SELECT "contact_id", "company_id" FROM "ticket" WHERE "workspace_id" = ? AND "id" = ?"#,
            vec![Inputs::Tickets],
        ),
        Kind::Order => (
            r#"SELECT "contact_id", "company_id" FROM "customer_order" WHERE "workspace_id" = ? AND "id" = ?"#,
            vec![Inputs::Orders, Inputs::Customer],
        ),
        Kind::Deal => (
            r#"SELECT CAST(NULL AS UUID) AS "contact_id", "company_id" FROM "deal" WHERE "workspace_id" = ? AND "id" = ?"#,
            vec![Inputs::Customer],
        ),
        Kind::SurveyResponse => (
            r#"SELECT "s"."contact_id" AS "contact_id", "c"."company_id" AS "company_id" FROM "survey_response" AS "s" JOIN "contact" AS "c" ON "c"."workspace_id" = "s"."workspace_id" AND "c"."id" = "s"."contact_id" WHERE "s"."workspace_id" = ? AND "s"."id" = ?"#,
            vec![Inputs::Surveys],
        ),
        // A contact's own figures stay; its company's answers and best score change.
        Kind::Contact => (
            r#"SELECT CAST(NULL AS UUID) AS "contact_id", "company_id" FROM "contact" WHERE "workspace_id" = ? AND "id" = ?"#,
            vec![Inputs::Surveys, Inputs::LeadScores, Inputs::Touches],
        ),
        Kind::Activity => (
            r#"SELECT "contact_id", "company_id" FROM "activity" WHERE "workspace_id" = ? AND "id" = ?"#,
            vec![Inputs::Touches],
        ),
        _ => return Ok(None),
    };
    let backend = txn.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        sql.to_owned()
    } else {
        sql.replace("CAST(NULL AS UUID)", "NULL")
    };
    let statement = Statement::from_sql_and_values(
        backend,
        for_backend(backend, &sql),
        [workspace_id.into(), id.into()],
    );
    let Some(row) = txn.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let owners = Owners::of(
        row.try_get::<Option<Uuid>>("", "contact_id")?,
        row.try_get::<Option<Uuid>>("", "company_id")?,
    );
    Ok(Some((owners, inputs)))
}

/// The company contact `id` works for, if any.
pub async fn company_of<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    contact_id: Uuid,
) -> CoreResult<Option<Uuid>> {
    let backend = txn.get_database_backend();
    let sql = r#"SELECT "company_id" FROM "contact" WHERE "workspace_id" = ? AND "id" = ?"#;
    let statement = Statement::from_sql_and_values(
        backend,
        for_backend(backend, sql),
        [workspace_id.into(), contact_id.into()],
    );
    Ok(match txn.query_one_raw(statement).await? {
        Some(row) => row.try_get::<Option<Uuid>>("", "company_id")?,
        None => None,
    })
}

/// Runs `sql` (`?` placeholders) with `values`.
pub(crate) async fn run<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> CoreResult<()> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        for_backend(backend, sql),
        values,
    ))
    .await?;
    Ok(())
}
