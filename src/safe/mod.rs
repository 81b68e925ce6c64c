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

mod appender;
mod chunk;
mod connection;
mod database;
mod datum;
mod error;
pub mod handle;
pub mod ledger;
#[cfg(any(miri, test))]
mod miri_model;
mod params;
mod pending;
mod result;
mod row;
mod statement;
#[cfg(test)]
mod tests;
mod types;
mod value;

pub use appender::{Appender, ChunkWritable, ChunkWriter};
pub use chunk::{
    ArrayVector, Bits, Blobs, DataChunk, ListVector, MapVector, Primitive, Strings, Validity,
    Values, Vector,
};
pub use connection::{Connection, InterruptHandle, QueryProgress};
pub use database::{Config, ConfigOption, Database};
pub use datum::{
    BitRef, Date, Datum, Decimal, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs,
    TimestampNs, TimestampS, TimestampTz, TimestampTzNs, Uuid,
};
pub use error::{EngineError, Error, ErrorKind, Result};
pub use params::{Null, Params, ToSql, ToSqlOutput};
pub use pending::{PendingResult, PendingState};
pub use result::{Chunks, QueryResult, StatementType};
pub use row::{ColumnIndex, FromSql, Row, Rows};
pub use statement::PreparedStatement;
pub use types::{LogicalType, TypeId};
pub use value::Value;
