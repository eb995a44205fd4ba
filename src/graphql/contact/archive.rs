//! `archiveContacts`: soft-deletes every contact a filter matches, or on a
//! dry run counts them (see `rapport_core::ops::archive`).

use async_graphql::{Context, Object, SimpleObject};
use rapport_core::ops::archive;
use sea_orm::DbBackend;
use uuid::Uuid;

use super::ContactFilter;
use crate::graphql::context::{actor, db, state};
use crate::graphql::error::{ApiError, ApiResult, CoreError};
use crate::graphql::filter::RecordFilter;
use crate::graphql::filter::limits;

/// What `archiveContacts` did, or would do on a dry run.
#[derive(SimpleObject)]
pub struct ArchiveContactsResult {
    /// The live contacts the filter matched.
    matched: u64,
    /// How many were archived (soft-deleted): 0 on a dry run.
    archived: u64,
    /// Whether this was a dry run (nothing written).
    dry_run: bool,
}

/// Bulk archiving.
#[derive(Default)]
pub struct ContactArchiveMutation;

#[Object]
impl ContactArchiveMutation {
    /// Soft-deletes every live contact matching `filter`, in one transaction with a `contact.deleted` event and history entry each, as `deleteContact` does (ADMIN and MANAGER). With `dryRun: true` it only counts them. At most 1000 contacts per call: a larger match is refused with its count. An empty filter (every contact) is refused unless `allContacts` is true.
    async fn archive_contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The contacts to archive.")] filter: ContactFilter,
        #[graphql(desc = "Only count the matches; write nothing (default false).")] dry_run: Option<
            bool,
        >,
        #[graphql(
            desc = "Must be true for a filter that names no field, which matches every contact (default false)."
        )]
        all_contacts: Option<bool>,
    ) -> ApiResult<ArchiveContactsResult> {
        let (dry_run, all_contacts) = (dry_run == Some(true), all_contacts == Some(true));
        let actor = actor(ctx)?;
        archive::may_archive(actor)?;
        limits::check(&filter)?;
        if let Some(field) = filter.hidden_field(actor) {
            return Err(ApiError(CoreError::Forbidden(format!(
                "this role may not filter by {field}"
            ))));
        }
        let backend = db(ctx)?.get_database_backend();
        if !all_contacts && names_no_field(&filter, actor.workspace_id, backend)? {
            return Err(ApiError::bad_input(
                "filter",
                "this filter names no field, so it matches every contact: pass allContacts: true to mean it",
            ));
        }
        let condition = filter.condition(actor.workspace_id, backend, 0)?;
        let core = &state(ctx)?.core;
        let done = archive::archive_contacts(core, actor, condition, dry_run).await?;
        Ok(ArchiveContactsResult {
            matched: done.matched,
            archived: done.archived,
            dry_run,
        })
    }
}

/// Whether `filter` names no field at any depth (`{}`, `{ and: [] }`,
/// `{ and: [{}] }`): such a filter matches every contact.
fn names_no_field(
    filter: &ContactFilter,
    workspace_id: Uuid,
    backend: DbBackend,
) -> ApiResult<bool> {
    if !filter.fields(workspace_id, backend)?.is_empty() || filter.not().is_some() {
        return Ok(false);
    }
    for nested in filter.and().into_iter().chain(filter.or()).flatten() {
        if !names_no_field(nested, workspace_id, backend)? {
            return Ok(false);
        }
    }
    Ok(true)
}
