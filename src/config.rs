//! The server's configuration: one struct, every field a command-line flag
//! and an environment variable, validated before anything starts.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Pretty when stdout is a terminal, JSON otherwise.
    Auto,
    /// Human-readable lines.
    Pretty,
    /// One JSON object a line, for log collectors.
    Json,
}

/// How top-level lists are answered (see `graphql::fast`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReadPath {
    /// Plain nested lists without the per-field executor; anything else by the executor.
    Fast,
    /// Always async-graphql's executor.
    Executor,
    /// Both, failing a read when they differ (for tests: it costs twice).
    Verify,
}

/// Settings shared by every command.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Where the data lives: `sqlite://FILE?mode=rwc` (the embedded default) or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://rapport.db?mode=rwc"
    )]
    pub database_url: String,

    /// Redis for fanning events out across instances; unset means an in-process bus.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,

    /// Whether `REDIS_URL` is a Redis Cluster (sharded pub/sub, keys by
    /// slot): `true`, `false`, or `auto` (asks the server at start; a list
    /// of several seed nodes is a cluster).
    #[arg(long, env = "RAPPORT_REDIS_CLUSTER", default_value = "auto")]
    pub redis_cluster: String,

    /// Whether the PostgreSQL database is a Citus coordinator whose tables
    /// Rapport distributes by workspace at start: `true` (the extension
    /// must be installed), `false`, or `auto` (when it is installed).
    #[arg(long, env = "RAPPORT_CITUS", default_value = "auto")]
    pub citus: String,

    /// The address to listen on.
    #[arg(long, env = "RAPPORT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The secret that signs bearer tokens (at least 32 bytes). Unset with SQLite: a random one is
    /// generated once and kept in a `.secret` file beside the database. Required with PostgreSQL,
    /// because every instance must share it.
    /// Kept as a `SecretString`: it never shows in `Debug` output or logs.
    #[arg(long, env = "RAPPORT_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<secrecy::SecretString>,

    /// Browser origins allowed to call the API, comma-separated; `*` allows any (the demo default).
    #[arg(long, env = "RAPPORT_CORS_ORIGINS", default_value = "*")]
    pub cors_origins: String,

    /// Request headers browsers may send cross-origin besides the built-in list (credentials,
    /// idempotency key, trace context, Sentry, request id, Apollo client headers), comma-separated.
    #[arg(long, env = "RAPPORT_CORS_HEADERS", default_value = "")]
    pub cors_headers: String,

    /// Log line format.
    #[arg(long, env = "RAPPORT_LOG_FORMAT", value_enum, default_value = "auto")]
    pub log_format: LogFormat,

    /// Database connections in the pool.
    #[arg(long, env = "RAPPORT_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,

    /// Longest a request waits for a database connection, in milliseconds;
    /// then it answers `UNAVAILABLE` (HTTP 503 with `Retry-After`).
    #[arg(long, env = "RAPPORT_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 2_000)]
    pub db_acquire_timeout_ms: u64,

    /// How long issued tokens stay valid, in hours.
    #[arg(long, env = "RAPPORT_TOKEN_TTL_HOURS", default_value_t = 24 * 30)]
    pub token_ttl_hours: u32,

    /// The server's address as browsers reach it (`https://crm.example.com`): where web form
    /// snippets post. Unset: `http://` and the address bound.
    #[arg(long, env = "RAPPORT_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Largest web form submission accepted, in bytes (a form is a few short answers).
    #[arg(long, env = "RAPPORT_MAX_FORM_BYTES", default_value_t = 16 * 1024)]
    pub max_form_bytes: usize,

    /// Web form submissions per minute per client address (spam and abuse).
    #[arg(
        long,
        env = "RAPPORT_FORM_SUBMISSIONS_PER_MINUTE",
        default_value_t = 10
    )]
    pub form_submissions_per_minute: u32,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "RAPPORT_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Largest import file `startImport` accepts (a multipart upload), in
    /// bytes; larger uploads are refused while they stream in.
    #[arg(long, env = "RAPPORT_MAX_IMPORT_BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_import_bytes: u64,

    /// Where document files are kept: a directory (made at the first
    /// upload), or `s3://bucket/prefix` for any S3-compatible store, with
    /// credentials, region and endpoint from the standard `AWS_*` variables.
    #[arg(long, env = "RAPPORT_FILES", default_value = "./files")]
    pub files: String,

    /// Largest document file `uploadDocument` and `uploadRevision` accept,
    /// in bytes; larger uploads are refused while they stream in.
    #[arg(long, env = "RAPPORT_MAX_FILE_BYTES", default_value_t = 100 * 1024 * 1024)]
    pub max_file_bytes: u64,

    /// How often an idle server looks for import jobs to run, in milliseconds.
    #[arg(long, env = "RAPPORT_IMPORT_POLL_MS", default_value_t = 1000)]
    pub import_poll_ms: u64,

    /// How long a server's claim on an import job holds without a committed
    /// batch renewing it; after that (its server died) another resumes it.
    #[arg(long, env = "RAPPORT_IMPORT_LEASE_SECONDS", default_value_t = 60)]
    pub import_lease_seconds: u64,

    /// Most a query may cost: each field 1, each connection its page size × its selection.
    #[arg(long, env = "RAPPORT_MAX_COMPLEXITY", default_value_t = 250_000)]
    pub max_complexity: usize,

    /// Most aliased fields in one document (aliases multiply work cheaply).
    #[arg(long, env = "RAPPORT_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,

    /// Whether the schema can be introspected (and errors suggest field names).
    #[arg(
        long,
        env = "RAPPORT_INTROSPECTION",
        default_value = "true",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub introspection: bool,

    /// Operations (each one of a batch, each websocket subscribe) per minute per member, or per client
    /// address without a token.
    #[arg(long, env = "RAPPORT_RATE_LIMIT_PER_MINUTE", default_value_t = 1200)]
    pub rate_limit_per_minute: u32,

    /// Reverse proxies (comma-separated IP addresses or CIDR networks) whose forwarding header names
    /// the client; empty trusts none, and the TCP peer is the client.
    #[arg(long, env = "RAPPORT_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// The header trusted proxies write the client's address into: `x-forwarded-for` or `forwarded`
    /// (RFC 7239). Only this one is read.
    #[arg(
        long,
        env = "RAPPORT_FORWARDED_HEADER",
        value_enum,
        default_value = "x-forwarded-for"
    )]
    pub forwarded_header: crate::http::client_address::ForwardedHeader,

    /// Argon2 password checks (each about 19 MiB) running at once; more are refused with
    /// `RATE_LIMITED`. Unset: the number of CPUs.
    #[arg(long, env = "RAPPORT_MAX_CONCURRENT_PASSWORD_CHECKS")]
    pub max_concurrent_password_checks: Option<usize>,

    /// Largest websocket message a client may send, in bytes; a larger one closes the socket with
    /// 1009 (the same bound as a request body by default).
    #[arg(long, env = "RAPPORT_MAX_WS_MESSAGE_BYTES", default_value_t = 1024 * 1024)]
    pub max_ws_message_bytes: usize,

    /// Most operations running at once on one websocket; one more is refused with
    /// `TOO_MANY_SUBSCRIPTIONS`.
    #[arg(
        long,
        env = "RAPPORT_MAX_SUBSCRIPTIONS_PER_SOCKET",
        default_value_t = 100
    )]
    pub max_subscriptions_per_socket: usize,

    /// Most operations running at once across all of one member's websockets (their API keys'
    /// included), per process; one more is refused with `TOO_MANY_SUBSCRIPTIONS`.
    #[arg(
        long,
        env = "RAPPORT_MAX_SUBSCRIPTIONS_PER_MEMBER",
        default_value_t = 500
    )]
    pub max_subscriptions_per_member: usize,

    /// Most operations in one batched POST (a JSON array).
    #[arg(long, env = "RAPPORT_MAX_BATCH", default_value_t = 10)]
    pub max_batch: usize,

    /// Longest a GraphQL request may run, in milliseconds; then it answers `TIMEOUT`.
    #[arg(long, env = "RAPPORT_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,

    /// Longest a request carrying a file (a multipart upload) may run once
    /// its body has arrived, in milliseconds: moving a large file into the
    /// store takes longer than any query should.
    #[arg(long, env = "RAPPORT_UPLOAD_TIMEOUT_MS", default_value_t = 600_000)]
    pub upload_timeout_ms: u64,

    /// How often time-driven triggers (a competitor contract coming to its end) are checked, in seconds.
    #[arg(long, env = "RAPPORT_TRIGGER_SWEEP_SECONDS", default_value_t = 3600)]
    pub trigger_sweep_seconds: u64,

    /// How top-level lists are answered: `fast` (plain nested lists skip the per-field executor),
    /// `executor`, or `verify` (both, compared; for tests).
    #[arg(long, env = "RAPPORT_READ_PATH", value_enum, default_value = "fast")]
    pub read_path: ReadPath,

    /// The time the server acts at: the system clock, or (tests) a manual one.
    #[arg(skip)]
    pub clock: crate::clock::Clock,

    /// How long events stay in the outbox, in hours; a subscriber can resume
    /// with `after` from any cursor younger than this.
    #[arg(long, env = "RAPPORT_EVENT_RETENTION_HOURS", default_value_t = 24 * 7)]
    pub event_retention_hours: u32,

    /// Events a subscriber may fall behind the live stream before it catches up from the outbox.
    #[arg(long, env = "RAPPORT_EVENT_BUFFER", default_value_t = 4096)]
    pub event_buffer: usize,

    /// On SIGTERM, how long in-flight requests may take before the process exits anyway, in seconds.
    #[arg(long, env = "RAPPORT_SHUTDOWN_GRACE_SECONDS", default_value_t = 10)]
    pub shutdown_grace_seconds: u32,

    /// The operator credential that provisions workspaces (`createWorkspace`), sent as
    /// `Authorization: Operator <key>`; unset, provisioning through the API is refused.
    #[arg(long, env = "RAPPORT_OPERATOR_KEY", hide_env_values = true)]
    pub operator_key: Option<secrecy::SecretString>,

    /// A manifest of trusted documents (Relay's `persistOutput`, GraphQL Code Generator's
    /// `persisted-documents.json`, or Apollo's persisted query manifest): when set, only the
    /// documents it lists run, sent by id or hash or as their exact text.
    #[arg(long, env = "RAPPORT_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<PathBuf>,

    /// How long a document registered through automatic persisted queries is kept in Redis, in
    /// seconds (without Redis, the most recently used documents are kept in memory).
    #[arg(long, env = "RAPPORT_PERSISTED_TTL_SECONDS", default_value_t = 24 * 3600)]
    pub persisted_ttl_seconds: u64,

    /// `max-age` of successful `GET /graphql` query answers, for browsers and CDNs (answers vary
    /// by `Authorization`); 0 answers `no-cache`, so caches revalidate with the `ETag`.
    #[arg(long, env = "RAPPORT_GET_MAX_AGE_SECONDS", default_value_t = 0)]
    pub get_max_age_seconds: u32,
    /// Webhook delivery: timeouts, retries, and whether private targets are allowed.
    #[command(flatten)]
    pub webhooks: crate::webhooks::WebhookSettings,
}

impl Config {
    /// A configuration with every default, for tests and tools: the
    /// defaults declared on the flags above (read from the process
    /// environment nowhere), `database_url`, and a port the OS chooses.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        use clap::{CommandFactory, FromArgMatches};
        let command = Defaults::command().mut_args(|arg| arg.env(None));
        let mut config = command
            .try_get_matches_from(["rapport"])
            .and_then(|matches| Defaults::from_arg_matches(&matches))
            .map(|defaults| defaults.config)
            .unwrap_or_else(|error| panic!("the declared defaults parse: {error}"));
        config.database_url = database_url.into();
        config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
        config
    }

    /// True when the database is SQLite (the embedded default).
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The SQLite database file, when the database is a SQLite file.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

/// The flags alone, to read their declared defaults.
#[derive(clap::Parser)]
struct Defaults {
    #[command(flatten)]
    config: Config,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_flags_and_the_secret_stays_out_of_debug() {
        let mut config = Config::for_database("sqlite://x.db?mode=rwc");
        assert_eq!(config.request_timeout_ms, 10_000);
        assert_eq!(config.max_batch, 10);
        assert_eq!(config.read_path, ReadPath::Fast);
        assert_eq!(config.bind.port(), 0);
        config.jwt_secret = Some("a-secret-that-must-not-be-printed-anywhere".into());
        assert!(!format!("{config:?}").contains("must-not-be-printed"));
    }

    #[test]
    fn sqlite_path_is_read_from_the_url() {
        let config = Config::for_database("sqlite:///tmp/x/rapport.db?mode=rwc");
        assert_eq!(
            config.sqlite_path(),
            Some(PathBuf::from("/tmp/x/rapport.db"))
        );
        let config = Config::for_database("sqlite://rapport.db?mode=rwc");
        assert_eq!(config.sqlite_path(), Some(PathBuf::from("rapport.db")));
        assert_eq!(
            Config::for_database("postgres://localhost/x").sqlite_path(),
            None
        );
    }
}
