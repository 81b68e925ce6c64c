//! [`Datum`]: any DuckDB cell as one owned Rust value.

use super::numeric::{Decimal, Uuid};
use super::temporal::{
    Date, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs, TimestampNs, TimestampS,
    TimestampTz, TimestampTzNs,
};

/// Any DuckDB cell as an owned Rust value, from [`Vector::datum`](crate::safe::Vector::datum) or
/// [`Row::get::<Datum>`](crate::safe::Row::get).
///
/// Each variant matches one DuckDB type; nested types hold their children as `Datum`s. The
/// `Display` output reads like DuckDB's own rendering (`[1, 2]`, `{'a': 1}`, `{k=v}` for maps,
/// `2024-01-31`); text inside a nested value is single-quoted, a top-level text is not.
///
/// ```
/// use duckdb_ffi::safe::{Database, Datum};
/// let conn = Database::open_in_memory()?.connect()?;
/// let mut result = conn.query("SELECT [1, NULL, 3] AS l, {'k': 'v'} AS s")?;
/// let chunk = result.next_chunk()?.unwrap();
/// let list = chunk.vector(0)?.datum(0)?;
/// assert_eq!(list, Datum::List(vec![Datum::Integer(1), Datum::Null, Datum::Integer(3)]));
/// assert_eq!(list.to_string(), "[1, NULL, 3]");
/// assert_eq!(chunk.vector(1)?.datum(0)?.to_string(), "{'k': 'v'}");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Datum {
    /// SQL NULL.
    Null,
    /// BOOLEAN.
    Boolean(bool),
    /// TINYINT.
    TinyInt(i8),
    /// SMALLINT.
    SmallInt(i16),
    /// INTEGER.
    Integer(i32),
    /// BIGINT.
    BigInt(i64),
    /// HUGEINT.
    HugeInt(i128),
    /// UTINYINT.
    UTinyInt(u8),
    /// USMALLINT.
    USmallInt(u16),
    /// UINTEGER.
    UInteger(u32),
    /// UBIGINT.
    UBigInt(u64),
    /// UHUGEINT.
    UHugeInt(u128),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// DECIMAL(width, scale).
    Decimal(Decimal),
    /// VARCHAR.
    Varchar(String),
    /// BLOB.
    Blob(Vec<u8>),
    /// DATE.
    Date(Date),
    /// TIME.
    Time(Time),
    /// TIME_NS.
    TimeNs(TimeNs),
    /// TIME WITH TIME ZONE.
    TimeTz(TimeTz),
    /// TIMESTAMP.
    Timestamp(Timestamp),
    /// TIMESTAMP_S.
    TimestampS(TimestampS),
    /// TIMESTAMP_MS.
    TimestampMs(TimestampMs),
    /// TIMESTAMP_NS.
    TimestampNs(TimestampNs),
    /// TIMESTAMP WITH TIME ZONE.
    TimestampTz(TimestampTz),
    /// TIMESTAMP_NS WITH TIME ZONE.
    TimestampTzNs(TimestampTzNs),
    /// INTERVAL.
    Interval(Interval),
    /// UUID.
    Uuid(Uuid),
    /// ENUM: the dictionary entry.
    Enum(String),
    /// BIT: the bits, first bit first.
    Bit(Vec<bool>),
    /// LIST: the elements.
    List(Vec<Datum>),
    /// ARRAY: the (fixed number of) elements.
    Array(Vec<Datum>),
    /// STRUCT: field names and values, in order.
    Struct(Vec<(String, Datum)>),
    /// MAP: key/value pairs, in order.
    Map(Vec<(Datum, Datum)>),
    /// UNION: the active member's tag index, its name, and its value.
    Union {
        /// Index of the active member.
        tag: u8,
        /// Name of the active member.
        name: String,
        /// The member's value.
        value: Box<Datum>,
    },
}

impl Datum {
    /// Whether this is SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }
}
