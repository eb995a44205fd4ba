//! The store: record tables, transactions, the one commit sequence, the
//! version-guarded write, and dense numbering.

pub mod across;
pub mod claim;
mod commit;
pub mod counter_queue;
pub mod derived;
mod guard;
pub mod ids;
mod in_workspace;
pub mod key_directory;
mod narrowed;
mod narrowing;
pub mod numbered;
pub mod one_workspace;
pub mod page;
pub mod placeholders;
mod table;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::events::Bus;
use crate::metrics::Metrics;

pub use commit::{Author, begin, now};
pub use guard::{
    check_reference, check_version, event_for, event_for_new, expect_one_row, load_any, load_live,
    save_if_unchanged, set_deleted,
};
pub use ids::new_id;
pub use in_workspace::{delete_in_workspace, update_in_workspace};
pub use narrowed::{owned_by, read_sql};
pub use narrowing::{col, owned_among, owned_in, owned_sql};
pub use table::{Fresh, Table, scope, visible};

/// What every operation runs against: the database, where committed events
/// go, the process counters and the queue of numbered writes. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Where committed events are published.
    pub bus: Arc<dyn Bus>,
    /// Process counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Writes waiting, in arrival order, for their workspace's counter row.
    pub counter_queue: Arc<counter_queue::CounterQueue>,
    /// Where document files are kept.
    pub files: crate::files::Files,
    /// The database is a Citus coordinator with Rapport's tables distributed:
    /// a create that reads nothing first runs as a function Citus delegates
    /// to the workspace's node (see `numbered`).
    pub citus: bool,
}

impl Core {
    /// A core over `db` publishing on `bus`, keeping files in `files`.
    pub fn new(
        db: DatabaseConnection,
        bus: Arc<dyn Bus>,
        metrics: Arc<Metrics>,
        files: crate::files::Files,
    ) -> Self {
        Self {
            db,
            bus,
            metrics,
            counter_queue: Arc::default(),
            files,
            citus: false,
        }
    }
}
