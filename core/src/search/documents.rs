//! PostgreSQL's search documents of a whole workspace written anew, for
//! writers that bypass the core's refresh of them (the scale seed's bulk
//! load, see `store::derived`).

use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use crate::error::CoreResult;
use crate::store::one_workspace::literal;
use entity::search_text::{DOCUMENTS, SEARCHED, documents_rows, workspace_live_text};

/// Writes `workspace`'s search documents from its records (nothing on
/// SQLite, whose full-text table the bulk load's triggers keep). Every
/// statement names the workspace, as a literal.
pub async fn rebuild<C: ConnectionTrait>(conn: &C, workspace: Uuid) -> CoreResult<()> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let ws = literal(workspace);
    let mut statements = vec![format!(
        r#"DELETE FROM "{DOCUMENTS}" WHERE "workspace_id" = {ws}"#
    )];
    for (table, _) in SEARCHED {
        statements.push(format!(
            r#"INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") {}"#,
            documents_rows(
                table,
                &format!(r#"t."workspace_id" = {ws}"#),
                &workspace_live_text(table, "t.", &ws)
            )
        ));
    }
    for sql in statements {
        conn.execute_unprepared(&sql).await?;
    }
    Ok(())
}
