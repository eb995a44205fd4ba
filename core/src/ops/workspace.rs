//! Provisioning: creating a workspace with its first admin, and deleting a
//! workspace whole. These act outside every workspace, so they take no
//! [`Actor`]: the doors that call them (the CLI, and GraphQL behind the
//! operator credential) are what decide who may.

use entity::enums::Role;
use entity::{member, workspace};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, Set};
use uuid::Uuid;

use crate::access::Actor;
use crate::access::directory::{hash_secret, new_secret};
use crate::domain::email::normalize_email;
use crate::domain::text;
use crate::error::{CoreError, CoreResult};
use crate::store::{Author, Core, event_for, new_id, now};

/// How long the first admin's invitation code stays valid.
const INVITATION_DAYS: i64 = 7;

/// Every table holding a workspace's rows (its `workspace_id`), children
/// before the tables they reference, so deleting in this order never trips
/// a foreign key. The workspace row itself goes last.
pub const TENANT_TABLES: [&str; 46] = [
    "role_visibility",
    "document_revision",
    "document",
    "custom_field",
    "segment_member",
    "segment",
    "erasure",
    "webhook_delivery",
    "webhook_endpoint",
    "trigger_firing",
    "import_job_error",
    "import_job_chunk",
    "import_job",
    "external_id",
    "engagement",
    "lead_score_change",
    "goal",
    "survey_response",
    "order_line",
    "customer_order",
    "product",
    "tagging",
    "tag",
    "api_key",
    "key_directory",
    "idempotency_key",
    "record_change",
    "event",
    "activity",
    "ticket",
    "contact_duplicate",
    "company_duplicate",
    "deal_stage_change",
    "deal_contact",
    "deal",
    "stage",
    "pipeline",
    "contact",
    "company",
    "campaign",
    "reason",
    "lead_scoring_rule",
    "trigger_rule",
    "form",
    "member",
    "team",
];

/// The tables of a workspace's rows on `backend`: PostgreSQL adds its search
/// documents (SQLite's full-text table is keyed by record, not workspace).
pub fn tenant_tables(backend: DbBackend) -> Vec<&'static str> {
    let mut tables = Vec::with_capacity(TENANT_TABLES.len() + 1);
    if backend == DbBackend::Postgres {
        tables.push(entity::search_text::DOCUMENTS);
    }
    tables.extend(TENANT_TABLES);
    tables
}

/// A new workspace and the code its admin signs up with.
#[derive(Debug, Clone)]
pub struct NewWorkspace {
    pub workspace: workspace::Model,
    /// The first member, an ADMIN without a password until they accept.
    pub admin: member::Model,
    /// Shown once (only its hash is kept); redeemed with `acceptInvitation`
    /// (workspace id, email, code, new password) within 7 days.
    pub invitation_code: String,
}

/// Creates the workspace `name` with `admin_email` invited as its ADMIN,
/// in one transaction with the member's `member.invited` event.
pub async fn create(core: &Core, name: &str, admin_email: &str) -> CoreResult<NewWorkspace> {
    let name = text::required_name(name, 200).map_err(CoreError::invalid("name"))?;
    let email = normalize_email(admin_email).map_err(CoreError::invalid("adminEmail"))?;
    let at = now();
    let txn = core.begin().await?;
    let workspace = workspace::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        ticket_seq: Set(0),
        event_seq: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let code = new_secret("inv_");
    let admin = member::ActiveModel {
        id: Set(new_id()),
        workspace_id: Set(workspace.id),
        name: Set(admin_name(&email)),
        email: Set(email),
        role: Set(Role::Admin),
        title: Set(None),
        commission_bps: Set(0),
        password_hash: Set(None),
        deactivated_at: Set(None),
        invitation_hash: Set(Some(hash_secret(&code))),
        invitation_expires_at: Set(Some(at + chrono::Duration::days(INVITATION_DAYS))),
        team_id: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    let event = event_for::<member::Entity>(&admin, "invited")?;
    core.commit(txn, Author::server(workspace.id), vec![event])
        .await?;
    Ok(NewWorkspace {
        workspace,
        admin,
        invitation_code: code,
    })
}

/// The admin acting in a workspace, for doors that act on its behalf (the
/// CLI's export): its first active ADMIN.
pub async fn admin_actor(core: &Core, workspace_id: Uuid) -> CoreResult<Actor> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let admin = member::Entity::find()
        .filter(member::Column::WorkspaceId.eq(workspace_id))
        .filter(member::Column::Role.eq(Role::Admin))
        .filter(member::Column::DeactivatedAt.is_null())
        .order_by_asc(member::Column::CreatedAt)
        .one(&core.db)
        .await?
        .ok_or(CoreError::NotFound("workspace"))?;
    Ok(Actor::member(workspace_id, admin.id, Role::Admin))
}

/// What a deletion removed.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// Rows per table (the workspace row included).
    pub rows: Vec<(&'static str, u64)>,
    /// Document files.
    pub files: u64,
}

/// Deletes the workspace `id` and every row of it in every table (records,
/// links, history, events, members, keys), in one transaction: all of it
/// or nothing; then its document files. `NOT_FOUND` for an unknown id.
pub async fn delete(core: &Core, id: Uuid) -> CoreResult<Deleted> {
    let txn = core.begin().await?;
    if workspace::Entity::find_by_id(id).one(&txn).await?.is_none() {
        return Err(CoreError::NotFound("workspace"));
    }
    let tables = tenant_tables(txn.get_database_backend());
    let mut deleted = Vec::with_capacity(tables.len() + 1);
    for table in tables {
        let statement = Query::delete()
            .from_table(table)
            .and_where(Expr::col("workspace_id").eq(id))
            .to_owned();
        deleted.push((table, txn.execute(&statement).await?.rows_affected()));
    }
    let statement = Query::delete()
        .from_table("workspace")
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    deleted.push(("workspace", txn.execute(&statement).await?.rows_affected()));
    txn.commit().await?;
    // Its files go once no row names them (by prefix: every key starts
    // with the workspace's id).
    let files = core.files.delete_workspace(id).await?;
    Ok(Deleted {
        rows: deleted,
        files,
    })
}

/// The admin's display name until they set one: the email's local part.
fn admin_name(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_owned()
}
