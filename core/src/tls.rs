//! The process's TLS crypto: rustls on ring.
//!
//! The object store's and the trace exporter's HTTP client (reqwest 0.13)
//! are built with rustls but without a crypto provider of their own, which
//! would otherwise be aws-lc-rs, a second C crypto library beside the ring
//! that PostgreSQL's, Redis's and the webhooks' clients already use. Such a
//! client panics when it is built before a process-wide provider exists, so
//! every entry point installs ring first.

/// Makes ring the process-wide rustls provider (once; later calls, and a
/// provider installed already, leave it as it is).
pub fn install_ring() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
