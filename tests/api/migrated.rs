//! Test databases that start migrated. Migrating a new database costs about
//! two seconds of PostgreSQL's time (half a second on SQLite) and the suite
//! makes hundreds: each test process migrates one database of each kind
//! once, with the server's own `db::migrate`, and every test's database
//! starts as a copy of it. On Citus the copy is made on every node under
//! one name, shards and all. What the migrations do to an empty or an older
//! database is tested on its own (`migrations`, `citus`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rapport::config::Config;

use crate::common::citus::{CitusCluster, CitusTemplate};
use crate::common::postgres::PgCluster;
use crate::common::spawn_detached;

/// The name of the migrated database the PostgreSQL ones are cloned from.
const TEMPLATE: &str = "rapport_migrated";

/// A new database of `cluster`, migrated; its URL.
pub fn postgres(cluster: &'static PgCluster) -> String {
    static MIGRATED: OnceLock<()> = OnceLock::new();
    MIGRATED.get_or_init(|| {
        migrate(Config::for_database(
            cluster.create_named_database(TEMPLATE, None),
        ))
    });
    // Cloning needs no session on the template: `migrate` closed its own.
    cluster.create_database(Some(TEMPLATE))
}

/// A new database of the Citus `cluster`, migrated and distributed: its
/// name and its URL on the coordinator. Distributing the schema costs
/// seconds, and a new database had to be made one at a time.
pub fn citus(cluster: &'static CitusCluster) -> (String, String) {
    static MIGRATED: OnceLock<CitusTemplate> = OnceLock::new();
    let template = MIGRATED.get_or_init(|| {
        let (name, url) = cluster.create_database();
        let mut config = Config::for_database(url);
        config.citus = "true".into();
        migrate(config);
        cluster.seal_template(&name)
    });
    cluster.clone_database(template)
}

/// A new SQLite database in `dir`, migrated; its URL.
pub fn sqlite(dir: &Path) -> String {
    static MIGRATED: OnceLock<PathBuf> = OnceLock::new();
    let template = MIGRATED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        // Removed once this test process has gone.
        let script = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; rm -rf '{}'",
            std::process::id(),
            dir.display()
        );
        let _ = spawn_detached(script);
        let file = dir.join("migrated.db");
        migrate(Config::for_database(format!(
            "sqlite://{}?mode=rwc",
            file.display()
        )));
        file
    });
    let file = dir.join("rapport.db");
    std::fs::copy(template, &file).expect("migrated database copied");
    format!("sqlite://{}?mode=rwc", file.display())
}

/// Migrates the database `config` names on a thread and runtime of its own
/// (the caller may be on a test's runtime), and closes every connection to it.
fn migrate(config: Config) {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let db = rapport::db::one_connection(&config)
                .await
                .expect("connected");
            rapport::db::migrate(&config, &db).await.expect("migrated");
            db.close().await.expect("closed");
        });
    })
    .join()
    .expect("migration thread");
}
