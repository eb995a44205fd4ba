//! The `rapport` command: parses the CLI and calls into the library.

use clap::{Parser, Subcommand};
use rapport::app::{App, AppState};
use rapport::config::{Config, LogFormat};
use rapport::seed;
use rapport::telemetry::Telemetry;
use std::io::IsTerminal;

/// mimalloc instead of glibc's malloc: a 10,000-object read allocates and
/// frees hundreds of thousands of small blocks, and glibc spent a fifth of
/// the server's CPU on it (malloc, free, consolidation; see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rapport: a CRM server whose whole interface is GraphQL.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    /// Do not seed the demo workspace into an empty database (`serve`, the default command).
    #[arg(
        long,
        env = "RAPPORT_NO_DEMO",
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_value = "false",
        default_missing_value = "true",
        require_equals = true,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    no_demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Seeds the demo workspace into an empty database.
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Seed data and exit.
    Seed {
        /// The deterministic demo workspace (idempotent).
        #[arg(long, conflicts_with = "scale")]
        demo: bool,
        /// One workspace of this many contacts, for measuring at size
        /// (companies N/10, deals N/2, tickets 2N, activities 5N).
        #[arg(long, value_name = "CONTACTS")]
        scale: Option<u64>,
        /// With --scale: this many workspaces of that size (numbered, each
        /// with its own ids and its team at scale-<CONTACTS>-<n>.rapport.dev).
        #[arg(long, requires = "scale", default_value_t = 1)]
        workspaces: u32,
        /// With --scale: seed even though the database holds workspaces.
        #[arg(long, requires = "scale")]
        append: bool,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print a bearer token for a member.
    Token {
        /// The member's email; the demo admin by default. Repeated, one
        /// token per line in the same order.
        #[arg(long, default_value = seed::DEMO_ADMIN_EMAIL)]
        email: Vec<String>,
    },
    /// Write every row of a list as CSV or JSON Lines (the bytes of `GET /export/…`).
    Export(rapport::cli::ExportArgs),
    /// Bring a CSV or JSON Lines file of records in, with their history.
    Import(rapport::import::ImportArgs),
    /// Create or delete a workspace.
    #[command(subcommand)]
    Workspace(rapport::cli::WorkspaceCommand),
}

fn main() -> anyhow::Result<()> {
    rapport::runtime::build(None)?.block_on(run(parse()))
}

/// The command line, with every setting accepted before or after the
/// subcommand (`rapport serve --bind …` as well as `rapport --bind … serve`).
fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command()
        .mut_args(|arg| arg.global(true))
        .get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Before any HTTP client is built (the trace exporter's first).
    rapport_core::tls::install_ring();
    let telemetry = init_tracing(cli.config.log_format)?;
    let result = command(cli).await;
    if let Some(telemetry) = telemetry {
        // The exporter's thread sends what it still holds; this blocks.
        let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    }
    result
}

async fn command(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.config, !cli.no_demo).await,
        Command::Migrate => {
            AppState::connect(cli.config).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed {
            scale: Some(contacts),
            workspaces,
            append,
            ..
        } => {
            let state = AppState::connect(cli.config).await?;
            let options = seed::scale::Options {
                contacts,
                workspaces,
                append,
            };
            seed::scale::run(&state.db, options).await?;
            Ok(())
        }
        Command::Seed { demo, .. } => {
            anyhow::ensure!(
                demo,
                "say what to seed: `rapport seed --demo` or `rapport seed --scale CONTACTS`"
            );
            let state = AppState::connect(cli.config).await?;
            let created = seed::demo(&state.core).await?;
            tracing::info!(created, "demo workspace seeded");
            Ok(())
        }
        Command::Schema => {
            print!("{}", rapport::graphql::sdl());
            Ok(())
        }
        Command::Token { email } => {
            let state = AppState::connect(cli.config).await?;
            let mut tokens = Vec::with_capacity(email.len());
            for email in &email {
                let actor = seed::actor_by_email(&state.db, email).await?;
                tokens.push(state.issue_token(&actor));
            }
            print!("{}", tokens.join("\n"));
            Ok(())
        }
        Command::Export(args) => {
            let state = AppState::connect(cli.config).await?;
            rapport::cli::export(&state, args).await
        }
        Command::Import(args) => {
            let state = AppState::connect(cli.config).await?;
            rapport::import::run(&state, args).await
        }
        Command::Workspace(command) => {
            let state = AppState::connect(cli.config).await?;
            rapport::cli::workspace(&state, command).await
        }
    }
}

async fn serve(config: Config, seed_demo: bool) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    if seed_demo && seed::is_empty(&app.state.db).await? {
        seed::demo(&app.state.core).await?;
        tracing::info!("seeded the demo workspace");
    }
    let addr = app.local_addr()?;
    tracing::info!(address = %addr, graphiql = %format!("http://{addr}/"), "Rapport is serving");
    // The demo token is for a person at a terminal: never for a log stream
    // (a container's output is kept and shipped; `rapport token` prints one on demand).
    if std::io::stderr().is_terminal()
        && let Ok(actor) = seed::actor_by_email(&app.state.db, seed::DEMO_ADMIN_EMAIL).await
    {
        let token = app.state.issue_token(&actor);
        eprintln!(
            "\nGraphiQL:   http://{addr}/\nDemo token: {token}\nHeaders:    {{\"Authorization\": \"Bearer {token}\"}}\nPassword:   every demo member signs in with `{}`\n",
            seed::DEMO_PASSWORD
        );
    }
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The log (JSON or pretty, filtered by `RUST_LOG`) and, when an OTLP
/// endpoint is set, the trace exporter beside it with a filter of its own.
fn init_tracing(format: LogFormat) -> anyhow::Result<Option<Telemetry>> {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // The Redis cluster client logs every failed reconnection attempt
        // (hundreds a second during a failover); the bus logs the loss and
        // the recovery itself.
        .unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("info,sea_orm=warn,sqlx=warn,redis=error")
        });
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Pretty => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let log = if json {
        log.json().with_filter(filter).boxed()
    } else {
        log.with_filter(filter).boxed()
    };
    let (telemetry, traces) = match Telemetry::from_env()? {
        Some((telemetry, layer)) => (Some(telemetry), Some(layer)),
        None => (None, None),
    };
    tracing_subscriber::registry().with(log).with(traces).init();
    Ok(telemetry)
}
