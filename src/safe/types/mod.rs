//! Values and conversions: DuckDB's types, the Rust values that hold them, and the traits that
//! move them across (rusqlite's `types` module, for DuckDB).
//!
//! - [`TypeId`] names a DuckDB type; [`LogicalType`] is a full type (`DECIMAL(18, 3)`,
//!   `INTEGER[]`, `STRUCT(...)`, an ENUM's members, ...).
//! - The value types ([`Date`], [`Timestamp`], [`Interval`], [`Decimal`], [`Uuid`], [`Bignum`],
//!   [`Geometry`], ...) have DuckDB's storage layout, so a column of them is read as a slice,
//!   and their `Display` is DuckDB's `CAST(v AS VARCHAR)`.
//! - [`Datum`] is any one cell, owned: an enum with a variant per type, nested ones included.
//! - [`Value`] owns a C `duckdb_value` (what the C API takes for parameters, defaults and
//!   constants); it converts to and from the value types.
//! - [`ToSql`] and [`FromSql`] convert Rust values into parameters and appended values, and
//!   cells into Rust values; [`Params`] is a whole parameter list or row.
//!
//! # Coming from rusqlite or duckdb-rs
//!
//! Their `types::Value`, the owned enum of any cell, is [`Datum`] here. [`Value`] here is the
//! owner of a C `duckdb_value` handle, the object the C API names that way; most programs
//! never need it. `ToSql`, `FromSql`, `ToSqlOutput` and `Null` have the same roles as
//! rusqlite's.
//!
//! ```
//! use duckdb_ffi::safe::Database;
//! use duckdb_ffi::safe::types::{Datum, Date};
//!
//! let db = Database::open_in_memory()?;
//! let conn = db.connect()?;
//! let (day, any): (Date, Datum) =
//!     conn.query_row("SELECT DATE '2024-02-29', [1, 2]", (), |r| Ok((r.get(0)?, r.get(1)?)))?;
//! assert_eq!(day.to_string(), "2024-02-29");
//! assert_eq!(any.to_string(), "[1, 2]");
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```

mod identifier;
mod logical_type;
mod table;

#[cfg(all(test, not(miri)))]
pub(crate) use identifier::KEYWORDS;
pub(crate) use identifier::quoted_identifier;
pub use logical_type::LogicalType;
pub use table::TypeId;
pub(crate) use table::{check_decimal_type, fixed_width_types};

pub use super::read::FromSql;
pub use super::values::{
    Bignum, BitRef, Date, Datum, Decimal, Geometry, GeometryType, Interval, Time, TimeNs, TimeTz,
    Timestamp, TimestampMs, TimestampNs, TimestampS, TimestampTz, TimestampTzNs, Uuid, Value,
};
pub use super::write::{ChunkWritable, Null, ParamSink, Params, ToSql, ToSqlOutput};
