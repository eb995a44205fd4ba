//! `spawn_app`: a real Rapport server on 127.0.0.1:0 with its own database
//! (a temp SQLite file, or a fresh database on the throwaway PostgreSQL
//! cluster), two workspaces, and a client that speaks GraphQL over HTTP.

use chrono::Utc;
use entity::enums::Role;
use entity::{member, workspace};
use rapport::app::{App, AppState};
use rapport::auth::Actor;
use rapport::config::Config;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::JsonAnswer;
use crate::common::postgres;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    /// A Citus coordinator and two workers, the tables distributed by the
    /// server, and any statement reaching more than one shard an error.
    Citus,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    /// Workspace A's admin token; `other` is workspace B's.
    pub token: String,
    pub other_token: String,
    pub workspace_id: Uuid,
    _dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
    /// Dropped last, once the server has been told to stop.
    _database: Option<CitusDatabase>,
}

/// A test's database on Citus, dropped on every node when the test ends
/// (kept when it fails, for a look).
struct CitusDatabase(String);

impl Drop for CitusDatabase {
    fn drop(&mut self) {
        if let (false, Some(cluster)) = (std::thread::panicking(), crate::common::citus::cluster())
        {
            cluster.drop_database(&self.0);
        }
    }
}

/// Starts a server on `backend`; `None` only when PostgreSQL is missing outside CI.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Leaves the test configuration as it is.
pub fn default_config(_: &mut Config) {}

/// Like [`spawn_app`], with the configuration changed by `configure` first.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    // Server logs go to the test's captured output, shown when it fails.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn,rapport=info")
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut database = None;
    let mut config = match backend {
        Backend::Sqlite => Config::for_database(crate::migrated::sqlite(dir.path())),
        Backend::Postgres => {
            let cluster = postgres::cluster()?;
            let mut config = Config::for_database(crate::migrated::postgres(cluster));
            config.jwt_secret = Some("a-test-secret-that-is-long-enough-for-hs256".into());
            config.db_pool_size = 5;
            config
        }
        Backend::Citus => {
            let cluster = crate::common::citus::cluster()?;
            let (name, url) = crate::migrated::citus(cluster);
            database = Some(CitusDatabase(name.clone()));
            // Every statement of a request names one workspace and runs on
            // one shard; anything else fails the test. The distribution
            // itself allows more for its own session.
            cluster.psql(
                "postgres",
                &format!(
                    "ALTER DATABASE {name} SET citus.multi_task_query_log_level = '{}'",
                    std::env::var("RAPPORT_TEST_CITUS_FAN_OUT").unwrap_or_else(|_| "error".into())
                ),
            );
            if std::env::var("RAPPORT_TEST_CITUS_FAN_OUT").is_ok() {
                cluster.psql(
                    "postgres",
                    &format!("ALTER DATABASE {name} SET log_min_error_statement = 'warning'"),
                );
            }
            let mut config = Config::for_database(url);
            config.jwt_secret = Some("a-test-secret-that-is-long-enough-for-hs256".into());
            config.db_pool_size = 5;
            config.citus = "true".into();
            config
        }
    };
    config.bind = "127.0.0.1:0".parse().expect("address");
    config.files = dir.path().join("files").display().to_string();
    // Tests write thousands of records as one member; the limiter has its own test.
    config.rate_limit_per_minute = 1_000_000;
    // Every list read runs on the fast path and the executor, compared.
    config.read_path = rapport::config::ReadPath::Verify;
    configure(&mut config);
    let app = App::build(config).await.expect("app builds");
    let addr = app.local_addr().expect("bound");
    let state = app.state.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let (workspace_id, token) = workspace(&state, "Workspace A").await;
    let (_, other_token) = workspace(&state, "Workspace B").await;
    Some(TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        state,
        token,
        other_token,
        workspace_id,
        _dir: dir,
        _stop: stop,
        _database: database,
    })
}

/// A workspace with an admin; returns its id and the admin's token.
pub async fn workspace(state: &AppState, name: &str) -> (Uuid, String) {
    let now = Utc::now();
    let id = Uuid::now_v7();
    workspace::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        ticket_seq: Set(0),
        event_seq: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await
    .expect("workspace");
    let token = member_token(state, id, Role::Admin).await;
    (id, token)
}

/// Stops `state`'s background tasks and closes its pool, waiting for the
/// transactions they hold, before a server process is started on the same
/// database. `ServerProcess::start` blocks its thread while the process
/// starts: on a single-threaded test runtime a trigger sweep caught inside a
/// transaction then kept SQLite's write lock for the whole start, and the
/// new process's migration gave up with "database is locked".
pub async fn put_away(state: AppState) {
    state.shutdown.cancel();
    state.db.close_by_ref().await.expect("pool closed");
}

/// The database's name in a PostgreSQL `url`.
pub fn database_name(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .expect("database name")
        .to_owned()
}

/// A new member of `workspace_id` with `role`, and a token for it.
pub async fn member_token(state: &AppState, workspace_id: Uuid, role: Role) -> String {
    let id = Uuid::now_v7();
    let (email, name) = (format!("{id}@example.com"), format!("{role:?} member"));
    add_member(
        state,
        Member {
            id,
            workspace_id,
            email: &email,
            name: &name,
            role,
            password_hash: None,
        },
    )
    .await;
    state.issue_token(&Actor::member(workspace_id, id, role))
}

/// A member as a test writes it straight into the database.
pub struct Member<'a> {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    /// `None`: invited, with no password yet.
    pub password_hash: Option<String>,
}

/// Inserts `member`, active and in no team.
pub async fn add_member(state: &AppState, member: Member<'_>) {
    let now = Utc::now();
    member::ActiveModel {
        id: Set(member.id),
        workspace_id: Set(member.workspace_id),
        email: Set(member.email.to_owned()),
        name: Set(member.name.to_owned()),
        role: Set(member.role),
        title: Set(None),
        commission_bps: Set(0),
        password_hash: Set(member.password_hash),
        deactivated_at: Set(None),
        invitation_hash: Set(None),
        invitation_expires_at: Set(None),
        team_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await
    .expect("member");
}

impl TestApp {
    /// POSTs a GraphQL request with `token` (none when empty); returns the response JSON.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        request.answer().await
    }

    /// POSTs `body` as written (JSON a test spells out by hand) as
    /// workspace A's admin; returns the response JSON.
    pub async fn post_raw(&self, body: String) -> Value {
        self.client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .answer()
            .await
    }

    /// Creates an API key named `name` with `role` as `token`'s member; the key.
    pub async fn api_key(&self, token: &str, name: &str, role: &str) -> String {
        let created = self
            .gql_as(
                token,
                "mutation($name: String!, $role: Role!) { createApiKey(input: { name: $name, role: $role }) { key } }",
                json!({ "name": name, "role": role }),
            )
            .await;
        created["data"]["createApiKey"]["key"]
            .as_str()
            .unwrap_or_else(|| panic!("{created}"))
            .to_owned()
    }

    /// A GraphQL request as workspace A's admin.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(&self.token, query, variables).await
    }

    /// Like [`gql`], asserting there were no errors; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.gql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// The text of `GET {path}`.
    pub async fn get_text(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("response")
            .text()
            .await
            .expect("text")
    }

    /// The `rapport_db_statements_total` counter from `/metrics`.
    pub async fn statements(&self) -> u64 {
        self.counter("rapport_db_statements_total").await
    }

    /// The statement count once the server's own start-up work (the first
    /// outbox and idempotency-key pruning) has run: the same on two reads a
    /// moment apart.
    pub async fn settled_statements(&self) -> u64 {
        let mut last = self.statements().await;
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let now = self.statements().await;
            if now == last {
                break;
            }
            last = now;
        }
        last
    }

    /// A counter from `/metrics`.
    pub async fn counter(&self, name: &str) -> u64 {
        let text = self.get_text("/metrics").await;
        let prefix = format!("{name} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in /metrics"))
    }
}

/// The first error's `extensions.code`.
pub fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// Runs a test body on SQLite, on PostgreSQL and on a Citus cluster (every
/// statement routed to one shard), as three tests; `with CONFIGURE;` first
/// changes each server's configuration.
macro_rules! on_both_databases {
    (with $configure:path; $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                // The server's own runtime (its worker stack size), two workers.
                #[test]
                fn on_sqlite() {
                    rapport::runtime::build(Some(2)).expect("runtime").block_on(async {
                        let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, $configure).await.expect("sqlite app");
                        super::$name(app).await;
                    })
                }
                #[test]
                fn on_postgres() {
                    rapport::runtime::build(Some(2)).expect("runtime").block_on(async {
                        let Some(app) = crate::helpers::spawn_app_with(crate::helpers::Backend::Postgres, $configure).await else { return };
                        super::$name(app).await;
                    })
                }
                #[test]
                fn on_citus() {
                    rapport::runtime::build(Some(2)).expect("runtime").block_on(async {
                        let Some(app) = crate::helpers::spawn_app_with(crate::helpers::Backend::Citus, $configure).await else { return };
                        super::$name(app).await;
                    })
                }
            }
        )*
    };
    ($($name:ident),* $(,)?) => {
        on_both_databases!(with crate::helpers::default_config; $($name),*);
    };
}
pub(crate) use on_both_databases;

/// The start of the test calendar: tests that control time begin here.
pub const CALENDAR_START: &str = "2025-12-01T00:00:00Z";

/// Gives the server a manual clock standing at [`CALENDAR_START`]; move it
/// with [`TestApp::at`].
pub fn manual_clock(config: &mut Config) {
    let start = chrono::DateTime::parse_from_rfc3339(CALENDAR_START)
        .expect("start")
        .with_timezone(&Utc);
    config.clock = rapport::clock::Clock::manual(start);
}

impl TestApp {
    /// Moves the server's manual clock to `at` (RFC 3339).
    pub fn at(&self, at: &str) {
        let at = chrono::DateTime::parse_from_rfc3339(at)
            .expect("an RFC 3339 time")
            .with_timezone(&Utc);
        self.state.config.clock.set(at);
    }
}
