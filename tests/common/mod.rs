//! Helpers shared by the integration-test binaries.

pub mod citus;
pub mod postgres;
pub mod redis;
pub mod redis_cluster;
pub mod s3;
pub mod server;
pub mod tls;
