//! The `export` and `workspace` commands: the same operations the API
//! runs, for an operator at the server's database.

use std::io::Write;

use futures_util::StreamExt;
use rapport_core::ops::workspace as ops;
use uuid::Uuid;

use crate::export::{ExportRequest, ExportType, Format};
use crate::graphql::error::{ApiError, CoreError};
use crate::graphql::ids::{self, Kind};
use crate::state::AppState;

/// `rapport export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The workspace (its global id or UUID); read as its first ADMIN.
    #[arg(long)]
    pub workspace: String,
    /// The list: companies, contacts, deals, tickets, activities, orders, surveyResponses or products.
    #[arg(long = "type", value_parser = parse_type)]
    pub ty: ExportType,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// The list's `filter` as JSON, e.g. '{"lastName":{"eq":"Lovelace"}}'.
    #[arg(long)]
    pub filter: Option<String>,
    /// The list's `orderBy` as JSON, e.g. '[{"field":"LAST_NAME","direction":"DESC"}]'.
    #[arg(long)]
    pub order_by: Option<String>,
    /// Where to write; standard output when not given.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

fn parse_type(name: &str) -> Result<ExportType, String> {
    ExportType::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ExportType::ALL.iter().map(|t| t.name()).collect();
        format!("one of {}", names.join(", "))
    })
}

/// `rapport workspace …`.
#[derive(Debug, clap::Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace with its first ADMIN; prints its id, the admin's
    /// invitation code and a token for the admin.
    Create {
        name: String,
        /// The admin's email.
        #[arg(long)]
        admin: String,
    },
    /// Delete a workspace and everything in it (records, history, events,
    /// members, keys) in one transaction.
    Delete {
        /// Its global id or UUID.
        id: String,
    },
}

/// A workspace id as the API writes it, or a bare UUID.
pub fn workspace_id(raw: &str) -> anyhow::Result<Uuid> {
    let raw = raw.trim();
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(id);
    }
    ids::decode(&raw.into(), Kind::Workspace, "workspace")
        .map_err(|_| anyhow::anyhow!("{raw} is not a workspace id"))
}

/// A core error as the API words it (internal details only in the log).
pub fn message(error: CoreError) -> String {
    async_graphql::Error::from(ApiError(error)).message
}

/// Writes the export to `--out` or standard output.
pub async fn export(state: &AppState, args: ExportArgs) -> anyhow::Result<()> {
    let workspace = workspace_id(&args.workspace)?;
    let actor = ops::admin_actor(&state.core, workspace)
        .await
        .map_err(|e| anyhow::anyhow!("workspace {workspace}: {}", message(e)))?;
    let request = ExportRequest {
        ty: args.ty,
        format: args.format,
        filter: args.filter,
        order_by: args.order_by,
    };
    let mut export = crate::export::prepare(&state.db, &actor, &request)
        .map_err(|e| anyhow::anyhow!("{}", message(e.0)))?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut rows_bytes = 0usize;
    while let Some(chunk) = export.chunks.next().await {
        let chunk = chunk.map_err(|e| anyhow::anyhow!("{}", message(e)))?;
        rows_bytes += chunk.len();
        out.write_all(&chunk)?;
    }
    out.flush()?;
    tracing::info!(bytes = rows_bytes, list = args.ty.name(), "exported");
    Ok(())
}

/// Creates or deletes a workspace.
pub async fn workspace(state: &AppState, command: WorkspaceCommand) -> anyhow::Result<()> {
    match command {
        WorkspaceCommand::Create { name, admin } => {
            let created = ops::create(&state.core, &name, &admin)
                .await
                .map_err(|e| anyhow::anyhow!("{}", message(e)))?;
            let actor = crate::auth::Actor::member(
                created.workspace.id,
                created.admin.id,
                created.admin.role,
            );
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "workspace:  {}",
                ids::encode(Kind::Workspace, created.workspace.id).0
            )?;
            writeln!(out, "uuid:       {}", created.workspace.id)?;
            writeln!(out, "admin:      {}", created.admin.email)?;
            writeln!(out, "invitation: {}", created.invitation_code)?;
            writeln!(out, "token:      {}", state.issue_token(&actor))?;
            Ok(())
        }
        WorkspaceCommand::Delete { id } => {
            let id = workspace_id(&id)?;
            let deleted = ops::delete(&state.core, id)
                .await
                .map_err(|e| anyhow::anyhow!("workspace {id}: {}", message(e)))?;
            let rows: u64 = deleted.rows.iter().map(|(_, n)| n).sum();
            let files = deleted.files;
            tracing::info!(workspace = %id, rows, files, "workspace deleted");
            writeln!(
                std::io::stdout().lock(),
                "deleted workspace {id} ({rows} rows, {files} files)"
            )?;
            Ok(())
        }
    }
}
