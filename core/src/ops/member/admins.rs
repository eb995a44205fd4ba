//! The workspace keeps an ADMIN: every change that can take one away
//! (a role change, a deactivation) first locks the ADMINs who count, inside
//! its own transaction, and decides on what it read under that lock.
//!
//! Without the lock two ADMINs demoting (or deactivating) each other at the
//! same moment both counted the other one and both succeeded. Now:
//! - PostgreSQL: `SELECT id FROM member WHERE <counted ADMIN> ORDER BY id
//!   FOR UPDATE`. The second transaction waits on the first one's rows and,
//!   once it commits, re-reads them (READ COMMITTED re-checks a locked row
//!   against the `WHERE`), so the demoted ADMIN is no longer counted. The
//!   rows are locked in id order, so two such transactions cannot deadlock
//!   on each other. Member rows rather than the workspace row: ordinary
//!   writes lock the workspace row last (event numbers, see
//!   `store/numbered.rs`), after the rows they change, so taking it first
//!   here could deadlock with e.g. `acceptInvitation` of the same member.
//! - SQLite: the lock clause is left out (SQLite has none), and needs none:
//!   [`Core::begin`](crate::store::Core::begin) opens `BEGIN IMMEDIATE`,
//!   which takes the database's write lock before the first read, so these
//!   transactions run one after the other.
//!
//! Promotions, reactivations and accepted invitations only add ADMINs; they
//! take no lock, and reading them a moment late can only make this check
//! stricter, never let the last ADMIN go.

use entity::enums::Role;
use entity::member;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::access::Actor;
use crate::error::{CoreError, CoreResult};

/// The ADMINs who count, locked until the transaction ends.
pub(super) struct Admins(Vec<Uuid>);

impl Admins {
    /// Locks the workspace's active ADMINs who have accepted their
    /// invitation (a pending invitation cannot administer anything), and
    /// checks that the acting member is still one of them: a request
    /// authorised a moment before its actor was demoted must not go on to
    /// change other members.
    pub(super) async fn lock(txn: &DatabaseTransaction, actor: &Actor) -> CoreResult<Self> {
        let ids: Vec<Uuid> = member::Entity::find()
            .select_only()
            .column(member::Column::Id)
            .filter(member::Column::WorkspaceId.eq(actor.workspace_id))
            .filter(member::Column::Role.eq(Role::Admin))
            .filter(member::Column::DeactivatedAt.is_null())
            .filter(member::Column::InvitationHash.is_null())
            .order_by_asc(member::Column::Id)
            .lock_exclusive()
            .into_tuple()
            .all(txn)
            .await?;
        if !ids.contains(&actor.member_id) {
            return Err(CoreError::Forbidden(
                "only an active ADMIN manages members: your role changed".into(),
            ));
        }
        Ok(Self(ids))
    }

    /// Refuses a change that takes `leaving` away as an ADMIN when no other
    /// counted ADMIN would remain.
    pub(super) fn keep_one_besides(&self, leaving: Uuid) -> CoreResult<()> {
        if self.0.iter().any(|id| *id != leaving) {
            return Ok(());
        }
        Err(CoreError::bad_input(
            "id",
            "the workspace must keep an active ADMIN who has accepted their invitation",
        ))
    }
}
