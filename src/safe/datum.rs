//! Owned Rust values for DuckDB cells: the small `Copy` types that mirror DuckDB's storage
//! (dates, times, timestamps, intervals, decimals, UUIDs) and [`Datum`], which holds any cell.
//!
//! The storage types are `#[repr(transparent)]` (or `#[repr(C)]` matching the C struct) so a
//! column of them is read as a slice without copying ([`Vector::as_slice`]).

use super::chunk::{Vector, utf8};
use super::error::{Error, ErrorKind, Result};
use super::types::{LogicalType, TypeId};
use std::fmt;

const MICROS_PER_SEC: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

/// A DATE: days since 1970-01-01 (negative before). `i32::MAX` / `-i32::MAX` are DuckDB's
/// `infinity` / `-infinity`.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Date {
    /// Days since the Unix epoch.
    pub days: i32,
}

/// A TIME: microseconds since midnight (0 to 86 400 000 000 inclusive).
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time {
    /// Microseconds since 00:00:00.
    pub micros: i64,
}

/// A TIME_NS: nanoseconds since midnight.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeNs {
    /// Nanoseconds since 00:00:00.
    pub nanos: i64,
}

/// A TIME WITH TIME ZONE, as DuckDB packs it: the time of day in microseconds in the high 40
/// bits and the UTC offset (biased, inverted) in the low 24 bits. Use [`TimeTz::micros`] and
/// [`TimeTz::offset_seconds`]; `bits` is the raw storage.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TimeTz {
    /// The packed storage.
    pub bits: u64,
}

impl TimeTz {
    const OFFSET_BITS: u32 = 24;
    const MAX_OFFSET: i32 = 16 * 60 * 60 - 1;

    /// Packs a local time of day (microseconds since midnight) and its UTC offset in seconds
    /// (east positive, at most ±15:59:59).
    pub fn new(micros: i64, offset_seconds: i32) -> Result<TimeTz> {
        if !(0..=MICROS_PER_DAY).contains(&micros)
            || offset_seconds.unsigned_abs() > Self::MAX_OFFSET as u32
        {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("TIME WITH TIME ZONE out of range: {micros} µs, offset {offset_seconds} s"),
            ));
        }
        let offset = (Self::MAX_OFFSET - offset_seconds) as u64;
        Ok(TimeTz {
            bits: ((micros as u64) << Self::OFFSET_BITS) | offset,
        })
    }

    /// The local time of day in microseconds since midnight.
    pub fn micros(self) -> i64 {
        (self.bits >> Self::OFFSET_BITS) as i64
    }

    /// The offset from UTC in seconds (east positive).
    pub fn offset_seconds(self) -> i32 {
        Self::MAX_OFFSET - (self.bits & ((1 << Self::OFFSET_BITS) - 1)) as i32
    }
}

macro_rules! instants {
    ($($(#[$doc:meta])* $name:ident { $field:ident } per_second = $per:expr;)*) => {$(
        $(#[$doc])*
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name {
            #[doc = concat!("Units (", stringify!($field), ") since 1970-01-01 00:00:00 UTC.")]
            pub $field: i64,
        }

        impl $name {
            /// Units of this type per second.
            pub const PER_SECOND: i64 = $per;
        }
    )*};
}

instants! {
    /// A TIMESTAMP (without time zone): microseconds since 1970-01-01 00:00:00.
    /// `i64::MAX` / `-i64::MAX` are `infinity` / `-infinity`.
    Timestamp { micros } per_second = 1_000_000;
    /// A TIMESTAMP_S: seconds since 1970-01-01 00:00:00.
    TimestampS { seconds } per_second = 1;
    /// A TIMESTAMP_MS: milliseconds since 1970-01-01 00:00:00.
    TimestampMs { millis } per_second = 1_000;
    /// A TIMESTAMP_NS: nanoseconds since 1970-01-01 00:00:00.
    TimestampNs { nanos } per_second = 1_000_000_000;
    /// A TIMESTAMP WITH TIME ZONE: an instant, microseconds since 1970-01-01 00:00:00 UTC.
    TimestampTz { micros } per_second = 1_000_000;
    /// A TIMESTAMP_NS WITH TIME ZONE: an instant, nanoseconds since 1970-01-01 00:00:00 UTC.
    TimestampTzNs { nanos } per_second = 1_000_000_000;
}

/// An INTERVAL: months, days and microseconds, kept apart because their lengths vary.
/// Same layout as `duckdb_interval`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Interval {
    /// Whole months.
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// Microseconds.
    pub micros: i64,
}

/// A DECIMAL value: `value / 10^scale`, with the column's width (total digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The unscaled integer (whatever the storage width, widened to `i128`).
    pub value: i128,
    /// Total number of digits (1 to 38).
    pub width: u8,
    /// Digits after the decimal point.
    pub scale: u8,
}

impl Decimal {
    /// The value as the nearest `f64`.
    pub fn to_f64(self) -> f64 {
        self.value as f64 / 10f64.powi(i32::from(self.scale))
    }
}

/// A UUID as a 128-bit number (its 16 bytes read big-endian: the first hex digit is the top
/// nibble). DuckDB stores it as a HUGEINT with the top bit flipped, so that signed order is
/// text order; [`Uuid::from_storage`] undoes that.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub u128);

impl Uuid {
    /// Converts DuckDB's storage (a HUGEINT with its top bit flipped).
    pub fn from_storage(stored: i128) -> Uuid {
        Uuid((stored as u128) ^ (1u128 << 127))
    }

    /// The 16 bytes in text order.
    pub fn as_bytes(self) -> [u8; 16] {
        self.0.to_be_bytes()
    }
}

/// Any DuckDB cell as an owned Rust value, from [`Vector::datum`] or
/// [`Row::get::<Datum>`](super::Row::get).
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

/// How to read a column's cells as [`Datum`]s, worked out once from its logical type so the
/// per-row work is only loads and copies.
#[derive(Debug)]
pub(crate) enum Plan {
    Scalar(TypeId),
    Decimal {
        width: u8,
        scale: u8,
        storage: TypeId,
    },
    Enum {
        storage: TypeId,
        dictionary: Vec<String>,
    },
    List(Box<Plan>),
    Map(Box<Plan>, Box<Plan>),
    Array(Box<Plan>),
    Struct(Vec<(String, Plan)>),
    Union(Vec<(String, Plan)>),
}

impl Plan {
    pub(crate) fn new(ty: &LogicalType) -> Result<Plan> {
        Ok(match ty.id() {
            TypeId::Decimal => Plan::Decimal {
                width: ty.decimal_width()?,
                scale: ty.decimal_scale()?,
                storage: ty.decimal_internal_type()?,
            },
            TypeId::Enum => Plan::Enum {
                storage: ty.enum_internal_type()?,
                dictionary: ty.enum_dictionary()?,
            },
            TypeId::List => Plan::List(Box::new(Plan::new(&ty.list_child_type()?)?)),
            TypeId::Map => Plan::Map(
                Box::new(Plan::new(&ty.map_key_type()?)?),
                Box::new(Plan::new(&ty.map_value_type()?)?),
            ),
            TypeId::Array => Plan::Array(Box::new(Plan::new(&ty.array_child_type()?)?)),
            TypeId::Struct => Plan::Struct(
                (0..ty.struct_child_count()?)
                    .map(|i| {
                        Ok((
                            ty.struct_child_name(i)?,
                            Plan::new(&ty.struct_child_type(i)?)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeId::Union => Plan::Union(
                (0..ty.union_member_count()?)
                    .map(|i| {
                        Ok((
                            ty.union_member_name(i)?,
                            Plan::new(&ty.union_member_type(i)?)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            id @ (TypeId::Boolean
            | TypeId::TinyInt
            | TypeId::SmallInt
            | TypeId::Integer
            | TypeId::BigInt
            | TypeId::HugeInt
            | TypeId::UTinyInt
            | TypeId::USmallInt
            | TypeId::UInteger
            | TypeId::UBigInt
            | TypeId::UHugeInt
            | TypeId::Float
            | TypeId::Double
            | TypeId::Varchar
            | TypeId::Blob
            | TypeId::Date
            | TypeId::Time
            | TypeId::TimeNs
            | TypeId::TimeTz
            | TypeId::Timestamp
            | TypeId::TimestampS
            | TypeId::TimestampMs
            | TypeId::TimestampNs
            | TypeId::TimestampTz
            | TypeId::TimestampTzNs
            | TypeId::Interval
            | TypeId::Uuid
            | TypeId::Bit
            | TypeId::SqlNull) => Plan::Scalar(id),
            _ => {
                return Err(Error::new(
                    ErrorKind::TypeMismatch,
                    format!("reading {ty} values is not supported by the safe layer"),
                ));
            }
        })
    }

    /// Reads row `row` of `v`, which must have the type this plan was made from.
    pub(crate) fn read(&self, v: &Vector<'_>, row: usize) -> Result<Datum> {
        if row >= v.len() {
            return Err(Error::out_of_range("row", row, v.len()));
        }
        if !v.is_valid_in_range(row) {
            return Ok(Datum::Null);
        }
        Ok(match self {
            // SAFETY: the plan was built from `v`'s logical type, so `id` is the column's type;
            // `row < len` and the row is valid (checked above).
            Plan::Scalar(id) => unsafe { scalar(v, *id, row)? },
            Plan::Decimal {
                width,
                scale,
                storage,
            } => {
                // SAFETY: `storage` is the decimal's internal type, read from `v`'s own type;
                // `row < len`.
                let value = unsafe {
                    match storage {
                        TypeId::SmallInt => i128::from(v.read_unchecked::<i16>(row)),
                        TypeId::Integer => i128::from(v.read_unchecked::<i32>(row)),
                        TypeId::BigInt => i128::from(v.read_unchecked::<i64>(row)),
                        _ => v.read_unchecked::<i128>(row),
                    }
                };
                Datum::Decimal(Decimal {
                    value,
                    width: *width,
                    scale: *scale,
                })
            }
            Plan::Enum {
                storage,
                dictionary,
            } => {
                // SAFETY: `storage` is the enum's index type, read from `v`'s own type;
                // `row < len`.
                let index = unsafe {
                    match storage {
                        TypeId::UTinyInt => usize::from(v.read_unchecked::<u8>(row)),
                        TypeId::USmallInt => usize::from(v.read_unchecked::<u16>(row)),
                        _ => v.read_unchecked::<u32>(row) as usize,
                    }
                };
                let entry = dictionary
                    .get(index)
                    .ok_or_else(|| Error::out_of_range("enum index", index, dictionary.len()))?;
                Datum::Enum(entry.clone())
            }
            Plan::List(child) => {
                let list = v.list()?;
                let range = list.range(row)?.unwrap_or(0..0);
                Datum::List(
                    range
                        .map(|i| child.read(&list.child(), i))
                        .collect::<Result<_>>()?,
                )
            }
            Plan::Map(key, value) => {
                let map = v.map()?;
                let range = map.range(row)?.unwrap_or(0..0);
                let (keys, values) = (map.keys()?, map.values()?);
                Datum::Map(
                    range
                        .map(|i| Ok((key.read(&keys, i)?, value.read(&values, i)?)))
                        .collect::<Result<_>>()?,
                )
            }
            Plan::Array(child) => {
                let array = v.array()?;
                let range = array.range(row)?.unwrap_or(0..0);
                Datum::Array(
                    range
                        .map(|i| child.read(&array.child(), i))
                        .collect::<Result<_>>()?,
                )
            }
            Plan::Struct(fields) => Datum::Struct(
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, (name, plan))| {
                        Ok((name.clone(), plan.read(&v.struct_child(i)?, row)?))
                    })
                    .collect::<Result<_>>()?,
            ),
            Plan::Union(members) => {
                let tag = v.union_tag(row)?;
                let (name, plan) = members
                    .get(usize::from(tag))
                    .ok_or_else(|| Error::out_of_range("union tag", tag.into(), members.len()))?;
                let value = plan.read(&v.union_member(usize::from(tag))?, row)?;
                Datum::Union {
                    tag,
                    name: name.clone(),
                    value: Box::new(value),
                }
            }
        })
    }
}

/// # Safety
/// `v` has type `id` and `row < v.len()` is valid (not NULL).
unsafe fn scalar(v: &Vector<'_>, id: TypeId, row: usize) -> Result<Datum> {
    // SAFETY: forwarded: the Rust type read matches the storage of `id`.
    unsafe {
        Ok(match id {
            TypeId::Boolean => Datum::Boolean(v.read_unchecked::<u8>(row) != 0),
            TypeId::TinyInt => Datum::TinyInt(v.read_unchecked(row)),
            TypeId::SmallInt => Datum::SmallInt(v.read_unchecked(row)),
            TypeId::Integer => Datum::Integer(v.read_unchecked(row)),
            TypeId::BigInt => Datum::BigInt(v.read_unchecked(row)),
            TypeId::HugeInt => Datum::HugeInt(v.read_unchecked(row)),
            TypeId::UTinyInt => Datum::UTinyInt(v.read_unchecked(row)),
            TypeId::USmallInt => Datum::USmallInt(v.read_unchecked(row)),
            TypeId::UInteger => Datum::UInteger(v.read_unchecked(row)),
            TypeId::UBigInt => Datum::UBigInt(v.read_unchecked(row)),
            TypeId::UHugeInt => Datum::UHugeInt(v.read_unchecked(row)),
            TypeId::Float => Datum::Float(v.read_unchecked(row)),
            TypeId::Double => Datum::Double(v.read_unchecked(row)),
            TypeId::Date => Datum::Date(v.read_unchecked(row)),
            TypeId::Time => Datum::Time(v.read_unchecked(row)),
            TypeId::TimeNs => Datum::TimeNs(v.read_unchecked(row)),
            TypeId::TimeTz => Datum::TimeTz(v.read_unchecked(row)),
            TypeId::Timestamp => Datum::Timestamp(v.read_unchecked(row)),
            TypeId::TimestampS => Datum::TimestampS(v.read_unchecked(row)),
            TypeId::TimestampMs => Datum::TimestampMs(v.read_unchecked(row)),
            TypeId::TimestampNs => Datum::TimestampNs(v.read_unchecked(row)),
            TypeId::TimestampTz => Datum::TimestampTz(v.read_unchecked(row)),
            TypeId::TimestampTzNs => Datum::TimestampTzNs(v.read_unchecked(row)),
            TypeId::Interval => Datum::Interval(v.read_unchecked(row)),
            TypeId::Uuid => Datum::Uuid(Uuid::from_storage(v.read_unchecked(row))),
            TypeId::Varchar => Datum::Varchar(utf8(v.string_unchecked(row))?.to_owned()),
            TypeId::Blob => Datum::Blob(v.string_unchecked(row).to_vec()),
            TypeId::Bit => Datum::Bit(BitRef::new(v.string_unchecked(row))?.iter().collect()),
            _ => Datum::Null, // SQLNULL: every row is NULL
        })
    }
}

/// A BIT value borrowed from its vector: DuckDB's storage is one byte of padding count
/// followed by the bits, most significant first, with the padding at the start of the first
/// data byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitRef<'a> {
    storage: &'a [u8],
}

impl<'a> BitRef<'a> {
    /// Checks DuckDB's BIT storage (padding byte < 8, at least one data byte when padded).
    pub fn new(storage: &'a [u8]) -> Result<BitRef<'a>> {
        match storage.split_first() {
            Some((&pad, rest)) if pad < 8 && (pad == 0 || !rest.is_empty()) => {
                Ok(BitRef { storage })
            }
            _ => Err(Error::new(
                ErrorKind::TypeMismatch,
                "malformed BIT value in the vector",
            )),
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        (self.storage.len() - 1) * 8 - usize::from(self.storage[0])
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bit `i` (the first bit is the leftmost in SQL's `'0101'` notation); `None` past the end.
    pub fn get(&self, i: usize) -> Option<bool> {
        if i >= self.len() {
            return None;
        }
        let p = i + usize::from(self.storage[0]);
        Some(self.storage[1 + p / 8] & (0x80 >> (p % 8)) != 0)
    }

    /// The bits in order.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(false))
    }

    /// The raw storage (padding byte included).
    pub fn storage(&self) -> &'a [u8] {
        self.storage
    }
}

// ---------------------------------------------------------------------------------------
// Display: one place renders every value.
// ---------------------------------------------------------------------------------------

/// Proleptic Gregorian (year, month, day) from days since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn write_date(f: &mut fmt::Formatter<'_>, days: i64) -> fmt::Result {
    let (y, m, d) = civil_from_days(days);
    if y <= 0 {
        write!(f, "{:04}-{m:02}-{d:02} (BC)", 1 - y)
    } else {
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// `HH:MM:SS[.fraction]`, the fraction trimmed of trailing zeros; `digits` is 6 or 9.
fn write_time(f: &mut fmt::Formatter<'_>, units: i64, per_sec: i64, digits: usize) -> fmt::Result {
    let secs = units.div_euclid(per_sec);
    let frac = units.rem_euclid(per_sec);
    write!(
        f,
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )?;
    if frac != 0 {
        let text = format!("{frac:0digits$}");
        write!(f, ".{}", text.trim_end_matches('0'))?;
    }
    Ok(())
}

fn write_instant(
    f: &mut fmt::Formatter<'_>,
    units: i64,
    per_sec: i64,
    digits: usize,
    tz: bool,
) -> fmt::Result {
    if units == i64::MAX {
        return f.write_str("infinity");
    }
    if units == -i64::MAX {
        return f.write_str("-infinity");
    }
    let per_day = per_sec * 86_400;
    write_date(f, units.div_euclid(per_day))?;
    f.write_str(" ")?;
    write_time(f, units.rem_euclid(per_day), per_sec, digits)?;
    if tz { f.write_str("+00") } else { Ok(()) }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.days {
            i32::MAX => f.write_str("infinity"),
            d if d == -i32::MAX => f.write_str("-infinity"),
            d => write_date(f, i64::from(d)),
        }
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.micros, MICROS_PER_SEC, 6)
    }
}

impl fmt::Display for TimeNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.nanos, 1_000_000_000, 9)
    }
}

impl fmt::Display for TimeTz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.micros(), MICROS_PER_SEC, 6)?;
        let off = self.offset_seconds();
        let (sign, off) = if off < 0 { ('-', -off) } else { ('+', off) };
        write!(f, "{sign}{:02}", off / 3600)?;
        if off % 3600 != 0 {
            write!(f, ":{:02}", off / 60 % 60)?;
        }
        if off % 60 != 0 {
            write!(f, ":{:02}", off % 60)?;
        }
        Ok(())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.micros, Self::PER_SECOND, 6, false)
    }
}
impl fmt::Display for TimestampS {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.seconds, Self::PER_SECOND, 0, false)
    }
}
impl fmt::Display for TimestampMs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.millis, Self::PER_SECOND, 3, false)
    }
}
impl fmt::Display for TimestampNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.nanos, Self::PER_SECOND, 9, false)
    }
}
impl fmt::Display for TimestampTz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.micros, Self::PER_SECOND, 6, true)
    }
}
impl fmt::Display for TimestampTzNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_instant(f, self.nanos, Self::PER_SECOND, 9, true)
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let (years, months) = (self.months / 12, self.months % 12);
        for (n, unit) in [(years, "year"), (months, "month"), (self.days, "day")] {
            if n != 0 {
                parts.push(format!(
                    "{n} {unit}{}",
                    if n.unsigned_abs() == 1 { "" } else { "s" }
                ));
            }
        }
        if self.micros != 0 || parts.is_empty() {
            let abs = self.micros.unsigned_abs();
            let (secs, frac) = (abs / 1_000_000, abs % 1_000_000);
            let sign = if self.micros < 0 { "-" } else { "" };
            let mut t = format!(
                "{sign}{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            if frac != 0 {
                t.push('.');
                t.push_str(format!("{frac:06}").trim_end_matches('0'));
            }
            parts.push(t);
        }
        f.write_str(&parts.join(" "))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.value.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        let sign = if self.value < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

fn write_quoted_if_text(f: &mut fmt::Formatter<'_>, d: &Datum) -> fmt::Result {
    match d {
        Datum::Varchar(s) | Datum::Enum(s) => write!(f, "'{}'", s.replace('\'', "\\'")),
        other => write!(f, "{other}"),
    }
}

impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Datum::Null => f.write_str("NULL"),
            Datum::Boolean(b) => write!(f, "{b}"),
            Datum::TinyInt(v) => write!(f, "{v}"),
            Datum::SmallInt(v) => write!(f, "{v}"),
            Datum::Integer(v) => write!(f, "{v}"),
            Datum::BigInt(v) => write!(f, "{v}"),
            Datum::HugeInt(v) => write!(f, "{v}"),
            Datum::UTinyInt(v) => write!(f, "{v}"),
            Datum::USmallInt(v) => write!(f, "{v}"),
            Datum::UInteger(v) => write!(f, "{v}"),
            Datum::UBigInt(v) => write!(f, "{v}"),
            Datum::UHugeInt(v) => write!(f, "{v}"),
            Datum::Float(v) => write!(f, "{v}"),
            Datum::Double(v) => write!(f, "{v}"),
            Datum::Decimal(v) => write!(f, "{v}"),
            Datum::Varchar(s) | Datum::Enum(s) => f.write_str(s),
            Datum::Blob(b) => {
                for &byte in b {
                    if byte.is_ascii_graphic() && byte != b'\\' && byte != b'\'' || byte == b' ' {
                        write!(f, "{}", byte as char)?;
                    } else {
                        write!(f, "\\x{byte:02X}")?;
                    }
                }
                Ok(())
            }
            Datum::Date(v) => write!(f, "{v}"),
            Datum::Time(v) => write!(f, "{v}"),
            Datum::TimeNs(v) => write!(f, "{v}"),
            Datum::TimeTz(v) => write!(f, "{v}"),
            Datum::Timestamp(v) => write!(f, "{v}"),
            Datum::TimestampS(v) => write!(f, "{v}"),
            Datum::TimestampMs(v) => write!(f, "{v}"),
            Datum::TimestampNs(v) => write!(f, "{v}"),
            Datum::TimestampTz(v) => write!(f, "{v}"),
            Datum::TimestampTzNs(v) => write!(f, "{v}"),
            Datum::Interval(v) => write!(f, "{v}"),
            Datum::Uuid(v) => write!(f, "{v}"),
            Datum::Bit(bits) => bits
                .iter()
                .try_for_each(|&b| f.write_str(if b { "1" } else { "0" })),
            Datum::List(items) | Datum::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_quoted_if_text(f, item)?;
                }
                f.write_str("]")
            }
            Datum::Struct(fields) => {
                f.write_str("{")?;
                for (i, (name, value)) in fields.iter().enumerate() {
                    write!(f, "{}'{name}': ", if i > 0 { ", " } else { "" })?;
                    write_quoted_if_text(f, value)?;
                }
                f.write_str("}")
            }
            Datum::Map(pairs) => {
                f.write_str("{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    f.write_str(if i > 0 { ", " } else { "" })?;
                    write_quoted_if_text(f, k)?;
                    f.write_str("=")?;
                    write_quoted_if_text(f, v)?;
                }
                f.write_str("}")
            }
            Datum::Union { value, .. } => write!(f, "{value}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_render_in_the_proleptic_gregorian_calendar() {
        assert_eq!(Date { days: 0 }.to_string(), "1970-01-01");
        assert_eq!(Date { days: -1 }.to_string(), "1969-12-31");
        assert_eq!(Date { days: 19_782 }.to_string(), "2024-02-29");
        assert_eq!(Date { days: i32::MAX }.to_string(), "infinity");
    }

    #[test]
    fn time_tz_round_trips_its_packing() {
        let t = TimeTz::new(3_600_000_000, -5400).unwrap();
        assert_eq!((t.micros(), t.offset_seconds()), (3_600_000_000, -5400));
        assert_eq!(t.to_string(), "01:00:00-01:30");
        assert!(TimeTz::new(0, 16 * 3600).is_err());
    }

    #[test]
    fn intervals_render_like_duckdb_and_never_overflow() {
        let i = Interval {
            months: 14,
            days: -1,
            micros: -90_500_000,
        };
        assert_eq!(i.to_string(), "1 year 2 months -1 day -00:01:30.5");
        assert_eq!(Interval::default().to_string(), "00:00:00");
        let extreme = Interval {
            months: i32::MIN,
            days: i32::MIN,
            micros: i64::MIN,
        };
        assert!(extreme.to_string().contains("-2562047788:00:54.775808"));
    }

    #[test]
    fn decimals_keep_leading_zeros_of_the_fraction() {
        assert_eq!(
            Decimal {
                value: -5,
                width: 4,
                scale: 3
            }
            .to_string(),
            "-0.005"
        );
        assert_eq!(
            Decimal {
                value: 12345,
                width: 9,
                scale: 2
            }
            .to_string(),
            "123.45"
        );
    }

    #[test]
    fn uuid_storage_flips_the_top_bit() {
        let stored = i128::MIN; // all-zero UUID after flipping
        assert_eq!(Uuid::from_storage(stored).0, 0);
        assert_eq!(
            Uuid(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11).to_string(),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
    }

    #[test]
    fn malformed_bit_storage_is_an_error() {
        assert!(BitRef::new(&[]).is_err());
        assert!(BitRef::new(&[9, 0]).is_err());
        let b = BitRef::new(&[3, 0b0001_0110]).unwrap();
        assert_eq!(
            b.iter()
                .map(|x| if x { '1' } else { '0' })
                .collect::<String>(),
            "10110"
        );
    }
}
