//! The tokio runtime every server runs on (the binary and the tests).

/// Stack of each worker thread. async-graphql resolves a nested query as
/// nested futures, one poll frame per level; unoptimised (debug) builds make
/// those frames large: a 10-level query measured 2.0 MiB, tokio's default
/// stack, and overflowing it aborts the whole process. Queries may nest 20
/// levels (`graphql::MAX_DEPTH`). Untouched stack pages cost no memory.
pub const WORKER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// A multi-threaded runtime with `workers` threads (default: one per core).
pub fn build(workers: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all().thread_stack_size(WORKER_STACK_BYTES);
    if let Some(workers) = workers {
        builder.worker_threads(workers);
    }
    builder.build()
}
