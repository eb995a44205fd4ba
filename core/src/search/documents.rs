//! PostgreSQL's search documents written anew, for writers that bypass the
//! triggers keeping them (the scale seed's bulk load runs as a replica).

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::error::CoreResult;
use crate::store::placeholders::for_backend;
use entity::search_text::{DOCUMENTS, SEARCHED, documents_select, live_text};

/// Writes `workspace`'s search documents from its records (nothing on
/// SQLite, whose full-text table the bulk load's triggers keep).
pub async fn rebuild<C: ConnectionTrait>(conn: &C, workspace: Uuid) -> CoreResult<()> {
    let backend = conn.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(());
    }
    let mut statements = vec![format!(
        r#"DELETE FROM "{DOCUMENTS}" WHERE "workspace_id" = ?"#
    )];
    for (table, _) in SEARCHED {
        statements.push(format!(
            r#"INSERT INTO "{DOCUMENTS}" ("workspace_id", "record_type", "record_id", "text") {}"#,
            documents_select(table, r#"t."workspace_id" = ?"#, live_text)
        ));
    }
    for sql in statements {
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            for_backend(backend, &sql),
            [Value::from(workspace)],
        ))
        .await?;
    }
    Ok(())
}
