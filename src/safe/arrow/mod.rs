//! Arrow in and out through the Arrow C data interface, with no Arrow library dependency.
//!
//! - **Out**: [`QueryResult::into_arrow`](crate::safe::QueryResult::into_arrow) (a
//!   materialised result) and [`Connection::query_arrow`](crate::safe::Connection::query_arrow)
//!   (a streaming one, bounded memory) give an [`ArrowStream`]: the C stream interface, one
//!   [`ArrowArray`] per chunk, under the Arrow settings of the connection (`SET
//!   arrow_lossless_conversion = true`, `produce_arrow_string_view`, ...).
//!   [`ArrowOptions`] converts single chunks and column types.
//! - **In**: [`Connection::append_arrow`](crate::safe::Connection::append_arrow) loads a
//!   stream through the appender; [`Connection::register_arrow`](crate::safe::Connection::register_arrow)
//!   queries one in place as a table function;
//!   [`Connection::arrow_chunks`](crate::safe::Connection::arrow_chunks) turns one into data
//!   chunks.
//!
//! Each C struct is owned by one Rust value whose drop calls its `release` once (counted in
//! the [ledger](crate::safe::ledger) as `ArrowSchema`, `ArrowArray`, `ArrowStream`).
//! `into_raw` hands a struct to another Arrow implementation, `from_raw`/`move_from` take one
//! from it. With arrow-rs, for example (`arrow::ffi_stream`), no feature of this crate needed:
//!
//! ```ignore
//! let stream = conn.query_arrow("SELECT * FROM t")?;
//! let raw = Box::into_raw(Box::new(stream.into_raw()));
//! // arrow-rs's FFI_ArrowArrayStream has the same C layout.
//! let reader = unsafe {
//!     arrow::ffi_stream::ArrowArrayStreamReader::from_raw(raw.cast())
//! }?;
//! ```
//!
//! Who owns what across the DuckDB calls (which calls move an array, which only read a
//! schema) is in the [C API reference](crate::c_api_reference), section "Arrow".
//!
//! ```
//! use duckdb_ffi::safe::{Database, ledger};
//! let db = Database::open_in_memory()?;
//! let conn = db.connect()?;
//! conn.execute("CREATE TABLE copy(n BIGINT, s VARCHAR)")?;
//! let stream = conn.query_arrow("SELECT range, 'row ' || range FROM range(10000)")?;
//! // A streaming result keeps its connection busy: load it through a second one.
//! let other = db.connect()?;
//! assert_eq!(other.append_arrow("copy", stream)?, 10000);
//! assert_eq!(ledger::snapshot().live(ledger::HandleKind::ArrowStream), 0);
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```

mod c_data;
mod export;
mod import;
mod scan;

#[cfg(test)]
pub(crate) use c_data::Producer;
pub use c_data::{ArrowArray, ArrowSchema, ArrowStream};
pub use export::ArrowOptions;
pub use import::{ArrowChunks, ArrowImporter};
pub use scan::ArrowTable;
