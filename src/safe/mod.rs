//! The safe layer: every C handle is an owned Rust value, destroyed exactly once.
//!
//! - [`Database`], [`Connection`], [`QueryResult`], [`DataChunk`] and the other handle types
//!   each own one C handle through a single private primitive (`Owned<K>`), whose `Drop` is the
//!   only place a destroy function is called.
//! - Borrowed C objects are borrowed in Rust: a [`Vector`] borrows its [`DataChunk`], a
//!   [`QueryResult`] borrows its [`Connection`].
//! - The [`ledger`] counts live handles of every kind, so a leak in unsafe code that mixes
//!   raw and safe calls becomes visible.
//! - Errors are one type, [`Error`], with DuckDB's error class or a Rust-side [`ErrorKind`].
//!
//! ```
//! use duckdb_ffi::safe::{Database, ledger};
//!
//! let db = Database::open_in_memory()?;
//! let conn = db.connect()?;
//! conn.execute_batch("CREATE TABLE t(x BIGINT); INSERT INTO t SELECT range FROM range(10);")?;
//! let mut result = conn.query("SELECT sum(x) FROM t")?;
//! assert_eq!(result.column_count(), 1);
//! drop(result);
//! drop(conn);
//! drop(db);
//! println!("{}", ledger::snapshot());
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```
//!
//! # Raw handles
//!
//! Every handle type has the same three escape hatches into the raw bindings, with one rule:
//! a handle has exactly one owner, and only the owner destroys it.
//!
//! - `as_raw(&self)` lends the handle: it stays owned by the Rust value, is valid while that
//!   value lives (and, for a borrowed handle such as a [`Vector`]'s, while its parent does),
//!   and must never be destroyed through the C API.
//! - `unsafe from_raw(raw)` ([`DataChunk`], [`LogicalType`](types::LogicalType), [`Value`](types::Value)) takes ownership of a
//!   handle the caller owns: the Rust value now destroys it, once, and the [`ledger`] counts
//!   it.
//! - `into_raw(self)` (the same types) gives ownership back: the ledger stops counting the
//!   handle, and the caller must destroy it.
//!
//! ```
//! use duckdb_ffi::safe::ledger;
//! use duckdb_ffi::safe::types::{LogicalType, TypeId};
//! let before = ledger::snapshot().live_total();
//! let raw = LogicalType::new(TypeId::Integer)?.into_raw();
//! assert_eq!(ledger::snapshot().live_total(), before);
//! // SAFETY: `raw` came from `into_raw`, so this code owns it and hands it back once.
//! let ty = unsafe { LogicalType::from_raw(raw) };
//! assert_eq!(ty.id(), TypeId::Integer);
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```
//!
//! # The C API facts this layer relies on
//!
//! Who creates, borrows and destroys each C object, which strings are handed over, which calls
//! can throw, and what may be called from which thread are written down, from the pinned
//! sources, in the [C API reference](crate::c_api_reference) (`src/c_api.md`). Every
//! `// SAFETY:` comment that rests on such a fact names its section.

// Core: the one ownership primitive and its ledger, errors, what crosses the C boundary.
mod cabi;
mod error;
mod handle;
pub mod ledger;
mod trace;
// Types and values: `types` is the public face (values and conversions), `values` their
// implementation.
pub mod types;
mod values;
// Values as text, exactly as DuckDB casts them to VARCHAR.
mod render;
// Reading and writing columns and cells.
mod read;
mod write;
// Conversions for the ecosystem's types (cargo features).
#[cfg(any(
    feature = "chrono",
    feature = "time",
    feature = "jiff",
    feature = "uuid",
    feature = "rust_decimal"
))]
mod interop;
// Callbacks: Rust functions DuckDB calls.
pub mod functions;
// Connection-level objects.
mod appender;
mod connection;
mod database;
mod pending;
mod result;
mod rows;
mod statement;
mod transaction;
// Arrow in and out (the Arrow C data interface).
pub mod arrow;
// Running in production (cargo features).
#[cfg(feature = "r2d2")]
pub mod pool;
mod report;

// The unit tests live in tests/unit: they reach private items, so they compile in here.
#[cfg(test)]
#[path = "../../tests/unit/mod.rs"]
mod tests;
// The README's Send/Sync claims as doctests (compile-fail for the negatives).
#[cfg(doctest)]
#[path = "../../tests/compile_fail/thread_claims.rs"]
mod thread_claims;

pub use appender::Appender;
pub use connection::{BorrowedConnection, Connection, InterruptHandle, QueryProgress};
pub use database::{Config, ConfigOption, Database, library_version};
pub use error::{EngineError, Error, ErrorKind, Result};
pub use pending::{PendingResult, PendingState};
pub use read::{
    ArrayVector, Bits, Blobs, DataChunk, ListVector, MapVector, Primitive, Strings, Validity,
    Values, Vector,
};
pub use render::{DisplayCell, DisplayCells};
pub use report::{MemoryReport, MemoryTag, ProfileNode, TemporaryFile};
pub use result::{Chunks, QueryResult, StatementType};
pub use rows::{ColumnIndex, Row, Rows};
pub use statement::PreparedStatement;
pub use transaction::Transaction;
pub use write::{ChunkWriter, VectorWriter};
