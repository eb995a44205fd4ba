//! Removing an erased contact from the raw uploads import jobs keep
//! (`import_job_chunk`, bytes cut at fixed sizes). A line of the file that
//! holds the contact's email or phone (ASCII case ignored) is its row: its
//! copies of every erased value are overwritten with `*` of the same
//! length, so each chunk keeps its size and a job's byte offsets stay right.

use entity::import_job_chunk;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::error::CoreResult;

/// Overwrites the contact's rows in every upload of `workspace_id`.
/// `markers` find the rows, `values` are what is overwritten in them.
pub async fn scrub(
    txn: &DatabaseTransaction,
    workspace_id: Uuid,
    markers: &[String],
    values: &[String],
) -> CoreResult<()> {
    let jobs: Vec<Uuid> = import_job_chunk::Entity::find()
        .select_only()
        .column(import_job_chunk::Column::JobId)
        .distinct()
        .filter(import_job_chunk::Column::WorkspaceId.eq(workspace_id))
        .into_tuple()
        .all(txn)
        .await?;
    for job in jobs {
        let chunks = import_job_chunk::Entity::find()
            .filter(import_job_chunk::Column::WorkspaceId.eq(workspace_id))
            .filter(import_job_chunk::Column::JobId.eq(job))
            .order_by_asc(import_job_chunk::Column::Seq)
            .all(txn)
            .await?;
        // Joined, since a row may straddle two chunks.
        let mut file: Vec<u8> = chunks.iter().flat_map(|c| c.data.iter().copied()).collect();
        if !overwrite_rows(&mut file, markers, values) {
            continue;
        }
        let mut start = 0;
        for chunk in chunks {
            let end = start + chunk.data.len();
            let scrubbed = &file[start..end];
            start = end;
            if scrubbed == chunk.data.as_slice() {
                continue;
            }
            // The data alone is set: Citus refuses an UPDATE that sets
            // the workspace (its distribution column), even to itself.
            import_job_chunk::Entity::update_many()
                .col_expr(
                    import_job_chunk::Column::Data,
                    Expr::value(scrubbed.to_vec()),
                )
                .filter(import_job_chunk::Column::WorkspaceId.eq(chunk.workspace_id))
                .filter(import_job_chunk::Column::JobId.eq(chunk.job_id))
                .filter(import_job_chunk::Column::Seq.eq(chunk.seq))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Overwrites `values` in the lines of `file` holding a marker; whether
/// anything changed.
fn overwrite_rows(file: &mut [u8], markers: &[String], values: &[String]) -> bool {
    let lowered = file.to_ascii_lowercase();
    let mut changed = false;
    let mut start = 0;
    while start < file.len() {
        let end = lowered[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(file.len(), |i| start + i + 1);
        let line = &lowered[start..end];
        if markers
            .iter()
            .any(|m| find(line, m.to_ascii_lowercase().as_bytes()).is_some())
        {
            for value in values {
                let needle = value.to_ascii_lowercase();
                let mut from = 0;
                while let Some(at) = find(&line[from..], needle.as_bytes()) {
                    let at = start + from + at;
                    file[at..at + needle.len()].fill(b'*');
                    changed = true;
                    from = at - start + needle.len();
                }
            }
        }
        start = end;
    }
    changed
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_marked_row_is_overwritten_and_lengths_stay() {
        let mut file = b"name,email\nAnn Lee,ann@x.io\nAnn Roe,roe@x.io\n".to_vec();
        let before = file.len();
        let markers = vec!["ANN@x.io".to_owned()];
        let values = vec!["Ann".to_owned(), "Lee".to_owned(), "ann@x.io".to_owned()];
        assert!(overwrite_rows(&mut file, &markers, &values));
        assert_eq!(file.len(), before);
        assert_eq!(
            file,
            b"name,email\n*** ***,********\nAnn Roe,roe@x.io\n".to_vec()
        );
    }
}
