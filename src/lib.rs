//! sift: a streaming ETL worker for news pages.
//!
//! One page flows one way: source ([`kafka`] or [`file_source`]) → [`decode`] → [`normalize`]
//! → [`dedup`] → [`tag`] → sink. The stages know nothing about Kafka; the Kafka plumbing knows
//! nothing about news. See `ARCHITECTURE.md`.

pub mod config;
pub mod decode;
pub mod dedup;
pub mod eval;
pub mod file_source;
pub mod kafka;
pub mod message;
pub mod metrics;
pub mod normalize;
pub mod ops;
pub mod pipeline;
pub mod state;
pub mod tag;

/// sift's version, stamped on every record.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
