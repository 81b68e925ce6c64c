//! The safe layer: every C handle is an owned Rust value, destroyed exactly once.
//!
//! - [`Database`], [`Connection`], [`QueryResult`], [`DataChunk`] and the other handle types
//!   each own one C handle through a single primitive ([`handle::Owned`]), whose `Drop` is the
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
//! # C API facts this layer relies on beyond `capi-ownership.md`
//!
//! Checked against the pinned sources (`src/main/capi/v1/*.cpp`) while writing this layer;
//! where they differ from the project's ownership notes, these are right:
//!
//! - `duckdb_set_config` accepts an unknown option name (DuckDB keeps it aside); the error
//!   comes from `duckdb_open_ext`, naming the option. Bad values for known options fail at set.
//! - `duckdb_destroy_result` dereferences its argument: a zeroed `duckdb_result` is fine, a
//!   NULL pointer is not. `duckdb_appender_destroy(NULL)` returns `DuckDBError`.
//! - `duckdb_prepare` (when an exception escapes) and `duckdb_appender_create_query` (rejected
//!   arguments) can fail without writing `*out`; `duckdb_execute_prepared` on a statement that
//!   failed to prepare returns an error without writing the result. Zero-initialising every
//!   out-parameter covers all three.
//! - Every `duckdb_get_<scalar>` throws from C++ on a NULL value, and `duckdb_get_bit` and
//!   `duckdb_get_bignum` on a wrong type, not only `duckdb_get_blob`/`duckdb_get_varchar`:
//!   [`Value`]'s readers check type and NULL first.
//! - After a failed appender flush the buffered rows are discarded and the appender keeps
//!   working (the header says otherwise); a later `duckdb_appender_destroy` reports the old error.
//! - `duckdb_struct_type_child_name`/`_type`, `duckdb_union_type_member_name`/`_type` and
//!   `duckdb_enum_dictionary_value` do not check their index either; this layer does.
//! - BOOLEAN columns hold bytes other than 0 and 1 under NULL rows, so a column is handed out
//!   as `&[bool]` only after every byte is checked.
//! - `duckdb_pending_error` returns `""`, not NULL, when there is no error.
//! - `duckdb_open_ext` takes a null config for DuckDB's defaults (what `duckdb_open` passes).
//! - While a streaming result (`duckdb_execute_prepared_streaming`) is open, every other
//!   statement on its connection fails with a ResourceInUse error; chunks already fetched from
//!   it stay valid after it is destroyed. A writing statement streamed this way (`INSERT ...
//!   RETURNING`) has done and committed all its work by the time its first chunk arrives.

// Core: the one ownership primitive and its ledger, errors, what crosses the C boundary.
mod cabi;
mod error;
mod handle;
pub mod ledger;
// Types and values.
mod logical_type;
mod types;
mod values;
// Reading and writing columns and cells.
mod read;
mod write;
// Connection-level objects.
mod appender;
mod connection;
mod database;
mod pending;
mod result;
mod rows;
mod statement;

#[cfg(any(miri, test))]
mod miri_model;
#[cfg(test)]
mod tests;

pub use appender::Appender;
pub use connection::{Connection, InterruptHandle, QueryProgress};
pub use database::{Config, ConfigOption, Database, library_version};
pub use error::{EngineError, Error, ErrorKind, Result};
pub use logical_type::LogicalType;
pub use pending::{PendingResult, PendingState};
pub use read::{
    ArrayVector, Bits, Blobs, ColumnIndex, DataChunk, FromSql, ListVector, MapVector, Primitive,
    Row, Strings, Validity, Values, Vector,
};
pub use result::{Chunks, QueryResult, StatementType};
pub use rows::Rows;
pub use statement::PreparedStatement;
pub use types::TypeId;
pub use values::{
    BitRef, Date, Datum, Decimal, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs,
    TimestampNs, TimestampS, TimestampTz, TimestampTzNs, Uuid, Value,
};
pub use write::{ChunkWritable, ChunkWriter, Null, ParamSink, Params, ToSql, ToSqlOutput};
