//! The integration tests on the real engine that need no process of their own, in one binary:
//! every test binary links the whole static engine, so one binary instead of twenty saves most
//! of the link time of `cargo test`. One module per former test file; run one with a filter,
//! e.g. `cargo test --test engine raw::`.
//!
//! The ledger is process-wide and the tests run on parallel threads, so every test that opens
//! a safe handle takes `common::ledger_guard()` first (the tests holding it run one at a time);
//! the raw tests (`raw`, `raw_v2`) open no safe handle and run alongside. `crash` and
//! `resource_limits` re-run this binary as a child process, naming the child's test by its
//! full path (`crash::child_role`, `resource_limits::holder_role`).

#[path = "../common/mod.rs"]
mod common;

mod arrow;
#[cfg(any(feature = "arrow-59", feature = "arrow-60"))]
mod arrow_rs;
#[cfg(not(any(feature = "loadable-extension", feature = "loadable-extension-v2")))]
mod borrowed_connection;
#[cfg(not(any(feature = "loadable-extension", feature = "loadable-extension-v2")))]
mod c_interop;
mod crash;
mod display_engine;
#[cfg(all(feature = "parquet", feature = "json"))]
mod extensions_default;
mod functions;
mod interop; // gated inside: on with any of the chrono, time, jiff, uuid, rust_decimal features
#[cfg(feature = "r2d2")]
mod pool;
mod raw;
mod raw_v2;
mod read_types;
mod reports;
mod resource_limits;
mod stress;
mod transactions;
mod type_names;
mod variant;
mod write_fast_paths;
mod write_types;
