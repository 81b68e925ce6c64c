//! Arrow in and out through the Arrow C data interface, with no Arrow library dependency.
//!
//! - **Out**: [`QueryResult::into_arrow`](crate::safe::QueryResult::into_arrow) (a
//!   materialised result) and [`Connection::query_arrow`](crate::safe::Connection::query_arrow)
//!   (a streaming one, bounded memory) give an [`ArrowStream`]: the C stream interface, one
//!   [`ArrowArray`] per chunk, under the Arrow settings of the connection (`SET
//!   arrow_lossless_conversion = true`, `produce_arrow_string_view`, ...).
//!   [`ArrowOptions`] converts single chunks and column types.
//! - **In**: [`Connection::append_arrow`](crate::safe::Connection::append_arrow) loads a
//!   stream through the appender; [`Database::register_arrow`](crate::safe::Database::register_arrow)
//!   queries one in place as a table function;
//!   [`Connection::arrow_chunks`](crate::safe::Connection::arrow_chunks) turns one into data
//!   chunks.
//!
//! Each C struct is owned by one Rust value whose drop calls its `release` once (counted in
//! the [ledger](crate::safe::ledger) as `ArrowSchema`, `ArrowArray`, `ArrowStream`).
//! `into_raw` hands a struct to another Arrow implementation, `from_raw`/`move_from` take one
//! from it: the C structs are the whole interface, so any Arrow library plugs in without a
//! feature of this crate. For arrow-rs, the features `arrow-59` and `arrow-60` add the
//! conversions ready-made, as the modules `arrow_59` and `arrow_60` (record batches and
//! readers in and out, a query straight to batches). By hand, with arrow-rs's own FFI
//! module, a query goes out as a stream and comes back in as one:
//!
#![cfg_attr(feature = "arrow-60", doc = "```")]
#![cfg_attr(not(feature = "arrow-60"), doc = "```ignore")]
//! use duckdb_ffi::safe::arrow::ArrowStream;
//! use duckdb_ffi::safe::arrow::arrow_60::arrow_array::ffi_stream::{
//!     FFI_ArrowArrayStream, RecordBatchStreamReader,
//! };
//! use duckdb_ffi::safe::arrow::arrow_60::arrow_array::{
//!     Int64Array, RecordBatchIterator, RecordBatchReader,
//! };
//! use duckdb_ffi::safe::Database;
//!
//! let db = Database::open_in_memory()?;
//! let conn = db.connect()?;
//! // Out: the C struct moves into arrow-rs's reader, which releases it when dropped.
//! let mut raw = conn.query_arrow("SELECT range AS n FROM range(3)")?.into_raw();
//! // SAFETY: both are the C `ArrowArrayStream`; `from_raw` moves it out of `raw`.
//! let ffi = unsafe { FFI_ArrowArrayStream::from_raw((&raw mut raw).cast()) };
//! let reader = RecordBatchStreamReader::try_new(ffi)?;
//! let schema = reader.schema();
//! let batches = reader.collect::<Result<Vec<_>, _>>()?;
//! let n = batches[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap();
//! assert_eq!(n.values(), &[0, 1, 2]);
//!
//! // In: arrow-rs exports a reader as the C struct; this crate takes it over.
//! let iter = batches.into_iter().map(Ok);
//! let reader = RecordBatchIterator::new(iter, schema);
//! let mut ffi = FFI_ArrowArrayStream::new(Box::new(reader));
//! // SAFETY: the same C struct; `move_from` leaves `ffi` released, so its drop does nothing.
//! let stream: ArrowStream<'static> = unsafe { ArrowStream::move_from((&raw mut ffi).cast()) };
//! conn.execute("CREATE TABLE t(n BIGINT)")?;
//! assert_eq!(conn.append_arrow("t", stream)?, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
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

mod arrow_rs;
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

arrow_rs::arrow_rs_module! {
    /// arrow-rs 59 (feature `arrow-59`):
    mod arrow_59 {
        feature: "arrow-59",
        arrow_array: arrow_array_59,
        arrow_schema: arrow_schema_59,
        stream_reader: ArrowArrayStreamReader,
    }
}

arrow_rs::arrow_rs_module! {
    /// arrow-rs 60 (feature `arrow-60`, rustc 1.88 or newer):
    mod arrow_60 {
        feature: "arrow-60",
        arrow_array: arrow_array_60,
        arrow_schema: arrow_schema_60,
        stream_reader: RecordBatchStreamReader,
    }
}
