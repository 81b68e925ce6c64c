//! Dates, times, timestamps and intervals: `Copy` types with DuckDB's storage layout, so a
//! column of them is read as a slice without copying.

use crate::safe::error::{Error, ErrorKind, Result};

pub(crate) const MICROS_PER_SEC: i64 = 1_000_000;
pub(super) const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

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
