//! The `import` command: a CSV or JSON Lines file into a workspace through
//! the core's import engine, batch by batch, with a progress line on
//! standard error, a summary table and the refused rows on standard output,
//! and a non-zero exit when any row was refused.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rapport_core::import::{
    self, Format, ImportType, Importer, OnConflict, Options, Outcome, ReadRow, RowResult, Rows,
    Tally,
};
use rapport_core::ops::workspace as ops;

use crate::cli::{message, workspace_id};
use crate::state::AppState;

/// Rows a transaction holds: large enough that commits cost little, small
/// enough that a batch undone by an outage is quickly redone.
const BATCH_ROWS: usize = 500;
/// Refused rows listed in full; the rest are counted.
const LISTED_REFUSALS: usize = 1000;
/// How often the progress line is redrawn.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// `rapport import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The workspace (its global id or UUID); written as its first ADMIN.
    #[arg(long)]
    pub workspace: String,
    /// What the file holds: companies, contacts, deals, tickets, activities, orders, surveyResponses or engagements.
    #[arg(long = "type", value_parser = parse_type)]
    pub ty: ImportType,
    /// The file: `.csv` (a header row, UTF-8 with or without BOM) or `.jsonl`.
    pub file: PathBuf,
    /// The format, when the file name does not say.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Check every row and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// A row whose record exists (by external id, then email or domain).
    #[arg(long, value_enum, default_value = "skip")]
    pub on_conflict: Conflict,
    /// The system the file's ids come from (`externalId` and `…ExternalId` columns).
    #[arg(long, default_value = "import")]
    pub source: String,
    /// A column to leave unread (repeat for several); other unknown columns refuse the file.
    #[arg(long = "ignore-column", value_name = "COLUMN")]
    pub ignored_columns: Vec<String>,
}

/// `--on-conflict`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Conflict {
    Skip,
    Update,
    Error,
}

fn parse_type(name: &str) -> Result<ImportType, String> {
    ImportType::parse(name).ok_or_else(|| {
        let names: Vec<&str> = ImportType::ALL.iter().map(|t| t.name()).collect();
        format!("one of {}", names.join(", "))
    })
}

fn parse_format(name: &str) -> Result<Format, String> {
    match name {
        "csv" => Ok(Format::Csv),
        "jsonl" | "ndjson" => Ok(Format::JsonLines),
        _ => Err("csv or jsonl".into()),
    }
}

/// Counts the bytes read, for the progress line's estimate.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Runs the import; an error when the file cannot be read or rows were refused.
pub async fn run(state: &AppState, args: ImportArgs) -> anyhow::Result<()> {
    let workspace = workspace_id(&args.workspace)?;
    let actor = ops::admin_actor(&state.core, workspace)
        .await
        .map_err(|e| anyhow::anyhow!("workspace {workspace}: {}", message(e)))?;
    let path = args.file.display().to_string();
    let format = args
        .format
        .or_else(|| Format::of_path(&path))
        .ok_or_else(|| anyhow::anyhow!("{path}: say --format csv or --format jsonl"))?;
    let file = std::fs::File::open(&args.file).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let input = Counted {
        inner: std::io::BufReader::with_capacity(1 << 16, file),
        read: read.clone(),
    };
    let mut rows = Rows::open(Box::new(input), format)
        .map_err(|e| anyhow::anyhow!("{path}, line {}: {}", e.line, e.message))?;
    let options = Options {
        ty: args.ty,
        on_conflict: match args.on_conflict {
            Conflict::Skip => OnConflict::Skip,
            Conflict::Update => OnConflict::Update,
            Conflict::Error => OnConflict::Error,
        },
        source: args.source.clone(),
        dry_run: args.dry_run,
        ignored_columns: args.ignored_columns.clone(),
    };
    let mut importer = Importer::new(state.core.clone(), actor, options)
        .map_err(|e| anyhow::anyhow!("{}", message(e)))?;
    let unknown = importer.unknown_columns(rows.header());
    if !unknown.is_empty() {
        anyhow::bail!(
            "{path}: unknown columns {} (a {} file has {}; leave one unread with --ignore-column)",
            unknown.join(", "),
            args.ty.name(),
            args.ty.columns().join(", ")
        );
    }
    let mut progress = Progress::new(size, read);
    let mut refused = Vec::new();
    let mut write = async |batch: Vec<ReadRow>, importer: &mut Importer| -> anyhow::Result<()> {
        let results = importer
            .write_batch(batch)
            .await
            .map_err(|e| anyhow::anyhow!("the import stopped: {}", message(e)))?;
        keep_refusals(&mut refused, results);
        progress.show(importer.tally(), false);
        Ok(())
    };
    match args.ty.ordered_by() {
        // Numbers follow time: every row is read and sorted first.
        Some(column) => {
            let mut all: Vec<ReadRow> = rows.by_ref().collect();
            import::sort_rows(&mut all, column);
            let mut all = all.into_iter();
            loop {
                let batch: Vec<ReadRow> = all.by_ref().take(BATCH_ROWS).collect();
                if batch.is_empty() {
                    break;
                }
                write(batch, &mut importer).await?;
            }
        }
        None => loop {
            let batch: Vec<ReadRow> = rows.by_ref().take(BATCH_ROWS).collect();
            if batch.is_empty() {
                break;
            }
            write(batch, &mut importer).await?;
        },
    }
    let tally = importer.tally();
    progress.show(tally, true);
    report(&path, &args, tally, progress.started.elapsed(), &refused)?;
    tracing::info!(
        rows = tally.rows(),
        created = tally.created,
        refused = tally.refused,
        "imported"
    );
    if tally.refused > 0 {
        anyhow::bail!("{} of {} rows were refused", tally.refused, tally.rows());
    }
    Ok(())
}

/// Keeps the refused rows (their line, column, code and message), in line order.
fn keep_refusals(kept: &mut Vec<RowResult>, results: Vec<RowResult>) {
    kept.extend(
        results
            .into_iter()
            .filter(|r| matches!(r.outcome, Outcome::Refused(_))),
    );
}

/// The progress line on standard error: rows, rows/s and an estimate of the
/// time left from the share of the file read.
struct Progress {
    started: Instant,
    shown: Instant,
    size: u64,
    read: Arc<AtomicU64>,
}

impl Progress {
    fn new(size: u64, read: Arc<AtomicU64>) -> Self {
        let now = Instant::now();
        Self {
            started: now,
            shown: now,
            size,
            read,
        }
    }

    fn show(&mut self, tally: Tally, last: bool) {
        if !last && self.shown.elapsed() < PROGRESS_EVERY {
            return;
        }
        self.shown = Instant::now();
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-3);
        let rows = tally.rows();
        let rate = rows as f64 / elapsed;
        let done = self.read.load(Ordering::Relaxed).min(self.size);
        let eta = if last || done == 0 || self.size == 0 {
            String::new()
        } else {
            let left = elapsed * (self.size - done) as f64 / done as f64;
            format!(", about {left:.0} s left")
        };
        let share = if self.size == 0 {
            100.0
        } else {
            100.0 * done as f64 / self.size as f64
        };
        eprintln!("{rows} rows ({share:.0}%), {rate:.0} rows/s{eta}");
    }
}

/// The summary table and the refused rows, on standard output.
fn report(
    path: &str,
    args: &ImportArgs,
    tally: Tally,
    took: Duration,
    refused: &[RowResult],
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let seconds = took.as_secs_f64().max(1e-3);
    writeln!(
        out,
        "{path}: {} (source {:?}){}",
        args.ty.name(),
        args.source,
        if args.dry_run {
            ", dry run: nothing was written"
        } else {
            ""
        }
    )?;
    let lines = [
        ("rows", tally.rows()),
        ("created", tally.created),
        ("updated", tally.updated),
        ("unchanged", tally.unchanged),
        ("skipped", tally.skipped),
        ("refused", tally.refused),
    ];
    for (name, count) in lines {
        writeln!(out, "  {name:<10} {count:>10}")?;
    }
    writeln!(
        out,
        "  {:<10} {:>10.0}",
        "rows/s",
        tally.rows() as f64 / seconds
    )?;
    if refused.is_empty() {
        return Ok(());
    }
    writeln!(out, "refused rows:")?;
    writeln!(
        out,
        "  {:<8} {:<24} {:<16} message",
        "line", "column", "code"
    )?;
    for row in refused.iter().take(LISTED_REFUSALS) {
        if let Outcome::Refused(why) = &row.outcome {
            let column = why.column.as_deref().unwrap_or("-");
            writeln!(
                out,
                "  {:<8} {:<24} {:<16} {}",
                row.line, column, why.code, why.message
            )?;
        }
    }
    if refused.len() > LISTED_REFUSALS {
        writeln!(out, "  … and {} more", refused.len() - LISTED_REFUSALS)?;
    }
    Ok(())
}
