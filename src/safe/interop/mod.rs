//! Conversions ([`FromSql`](crate::safe::types::FromSql) and [`ToSql`](crate::safe::types::ToSql), both
//! ways) between the safe layer's values and the Rust ecosystem's types, each behind the
//! cargo feature named after its crate:
//!
//! | DuckDB | `chrono` | `time` | `jiff` |
//! |---|---|---|---|
//! | DATE | `NaiveDate` | `Date` | `civil::Date` |
//! | TIME | `NaiveTime` | `Time` | `civil::Time` |
//! | TIMESTAMP | `NaiveDateTime` | `PrimitiveDateTime` | `civil::DateTime` |
//! | TIMESTAMPTZ | `DateTime<Utc>` (any `DateTime<Tz>` writes) | `OffsetDateTime` | `Timestamp` |
//! | INTERVAL | `TimeDelta` | `Duration` | `SignedDuration`, `Span` |
//!
//! and `uuid::Uuid` for UUID (feature `uuid`), `rust_decimal::Decimal` for DECIMAL (feature
//! `rust_decimal`, see its file for the scale and width rules). Each conversion reads the
//! typed value ([`Date`](crate::safe::types::Date), [`Timestamp`](crate::safe::types::Timestamp), ...) and
//! converts it, or describes itself as one. The date/time conversions share these rules:
//!
//! - **Column types.** Dates read DATE; times of day read TIME and TIME_NS; civil date-times
//!   read TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS and TIMESTAMP_NS; instants read TIMESTAMPTZ
//!   and TIMESTAMPTZ_NS (as UTC); durations read INTERVAL. Any other column type is an
//!   [`ErrorKind::TypeMismatch`] error, and so is NULL (read an `Option`).
//! - **Written types.** Always the microsecond types (DATE, TIME, TIMESTAMP, TIMESTAMPTZ,
//!   INTERVAL), so a parameter's type never depends on the value. An instant with an offset
//!   writes its UTC instant.
//! - **Precision.** Reading keeps every digit: TIMESTAMP_NS, TIME_NS and TIMESTAMPTZ_NS keep
//!   their nanoseconds in the types that have them. Writing a value with digits below the
//!   microsecond **truncates toward negative infinity** (floor): `23:59:59.999999999` writes
//!   as `23:59:59.999999`, `1969-12-31 23:59:59.9999995` as `1969-12-31 23:59:59.999999`, and
//!   a duration of -1.5 µs as -2 µs. To keep nanoseconds, bind a
//!   [`TimestampNs`](crate::safe::types::TimestampNs) yourself.
//! - **Infinity.** DuckDB's `infinity` and `-infinity` DATE and TIMESTAMP values have no
//!   equivalent in these crates: reading one is an [`ErrorKind::OutOfRange`] error.
//! - **Range.** DuckDB's DATE spans about 5.9 million years each way, wider than every crate
//!   (chrono: ±262 143 years; time: ±9999, or ±999 999 with its `large-dates` feature; jiff:
//!   ±9999): reading a date or timestamp outside the crate's range is an
//!   [`ErrorKind::OutOfRange`] error. Every chrono and jiff value fits DuckDB's types; a
//!   `time` date-time with `large-dates` beyond TIMESTAMP's range (±290 000 years) is an
//!   [`ErrorKind::OutOfRange`] error when written.
//! - **24:00:00.** DuckDB's TIME allows `24:00:00`; no crate's time of day does, so reading
//!   it is an [`ErrorKind::OutOfRange`] error.
//! - **Fixed durations** (`TimeDelta`, `time::Duration`, `SignedDuration`) read an INTERVAL
//!   only when it has no months (a month has no fixed length: an [`ErrorKind::OutOfRange`]
//!   error otherwise), counting each day as 24 hours; they write as an INTERVAL of
//!   microseconds only (months and days 0). A duration beyond INTERVAL's microseconds
//!   (±292 000 years) is an [`ErrorKind::OutOfRange`] error. `jiff::Span` keeps the three
//!   parts apart instead (see its impl).
//! - **Leap seconds.** DuckDB has none: a chrono value in a leap second (`nanosecond()` of
//!   1 000 000 000 or more) is an [`ErrorKind::OutOfRange`] error when written.

#[cfg(feature = "chrono")]
mod chrono;
#[cfg(feature = "jiff")]
mod jiff;
#[cfg(feature = "rust_decimal")]
mod rust_decimal;
#[cfg(feature = "time")]
mod time;
#[cfg(feature = "uuid")]
mod uuid;

use crate::safe::types::TypeId;
use crate::safe::{Error, ErrorKind, Result, Vector};

/// The name errors give `T`.
fn name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// An [`ErrorKind::OutOfRange`] error: `value` (a DuckDB value or a Rust one) has no
/// equivalent on the other side.
#[cfg(any(
    feature = "chrono",
    feature = "time",
    feature = "jiff",
    feature = "rust_decimal"
))]
#[cold]
fn out_of_range(value: impl std::fmt::Display, target: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!("{value} cannot be converted to {target}: {why}"),
    )
}

/// Checks the row and the column type, and that the cell is not NULL; errors name `T`.
#[inline]
fn check_cell<T>(vector: &Vector<'_>, row: usize, types: &[TypeId]) -> Result<TypeId> {
    if vector.is_null(row)? {
        return Err(Error::new(
            ErrorKind::TypeMismatch,
            format!(
                "row {row} of the {} column is NULL, which cannot be read as {}; read an Option",
                vector.logical_type(),
                name::<T>()
            ),
        ));
    }
    vector.expect_type(name::<T>(), types)
}

/// Reading and writing the date/time values, shared by `chrono`, `time` and `jiff`.
#[cfg(any(feature = "chrono", feature = "time", feature = "jiff"))]
mod temporal {
    use super::{check_cell, name, out_of_range};
    use crate::safe::types::{
        Date, FromSql, Interval, Time, TimeNs, Timestamp, TimestampMs, TimestampNs, TimestampS,
        TimestampTz, TimestampTzNs, TypeId,
    };
    use crate::safe::{Result, Vector};
    use std::fmt::Display;

    pub(super) const NANOS_PER_MICRO: i128 = 1_000;
    pub(super) const NANOS_PER_SEC: i64 = 1_000_000_000;
    pub(super) const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;
    pub(super) const MICROS_PER_DAY: i128 = 86_400_000_000;

    /// A civil date-time in nanoseconds since 1970-01-01 00:00 as (days since 1970-01-01,
    /// nanoseconds into that day); `None` when the days do not fit an `i64`.
    pub(super) fn split_civil(nanos: i128) -> Option<(i64, i64)> {
        let day = i128::from(NANOS_PER_DAY);
        let days = i64::try_from(nanos.div_euclid(day)).ok()?;
        Some((days, nanos.rem_euclid(day) as i64))
    }

    /// The inverse of [`split_civil`].
    pub(super) fn join_civil(days: i64, nanos_of_day: i64) -> i128 {
        i128::from(days) * i128::from(NANOS_PER_DAY) + i128::from(nanos_of_day)
    }

    /// A timestamp given in nanoseconds since the epoch, as DuckDB shows it (for errors).
    pub(super) fn shown_timestamp(nanos: i128, tz: bool) -> String {
        let text = match i64::try_from(nanos) {
            Ok(nanos) => TimestampNs { nanos }.to_string(),
            Err(_) => match i64::try_from(nanos.div_euclid(NANOS_PER_MICRO)) {
                Ok(micros) => Timestamp { micros }.to_string(),
                Err(_) => return format!("{nanos} ns since 1970-01-01"),
            },
        };
        if tz { text + "+00" } else { text }
    }

    /// A DATE cell as days since 1970-01-01, for `T`; infinity is an error.
    pub(super) fn read_days<T>(vector: &Vector<'_>, row: usize) -> Result<i32> {
        check_cell::<T>(vector, row, &[TypeId::Date])?;
        let date = Date::from_vector(vector, row)?;
        if date.days == i32::MAX || date.days == -i32::MAX {
            return Err(out_of_range(
                date,
                name::<T>(),
                "DuckDB's infinity has no equivalent",
            ));
        }
        Ok(date.days)
    }

    /// Checks that a timestamp in units of `per_second` is finite, and converts it to nanoseconds.
    fn finite_nanos<T>(units: i64, per_second: i64, value: impl Display) -> Result<i128> {
        if units == i64::MAX || units == -i64::MAX {
            return Err(out_of_range(
                value,
                name::<T>(),
                "DuckDB's infinity has no equivalent",
            ));
        }
        Ok(i128::from(units) * i128::from(NANOS_PER_SEC / per_second))
    }

    /// A TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS or TIMESTAMP_NS cell as nanoseconds since
    /// 1970-01-01 00:00:00, for `T`; infinity is an error.
    pub(super) fn read_civil_nanos<T>(vector: &Vector<'_>, row: usize) -> Result<i128> {
        let types = [
            TypeId::Timestamp,
            TypeId::TimestampS,
            TypeId::TimestampMs,
            TypeId::TimestampNs,
        ];
        match check_cell::<T>(vector, row, &types)? {
            TypeId::Timestamp => {
                let v = Timestamp::from_vector(vector, row)?;
                finite_nanos::<T>(v.micros, Timestamp::PER_SECOND, v)
            }
            TypeId::TimestampS => {
                let v = TimestampS::from_vector(vector, row)?;
                finite_nanos::<T>(v.seconds, TimestampS::PER_SECOND, v)
            }
            TypeId::TimestampMs => {
                let v = TimestampMs::from_vector(vector, row)?;
                finite_nanos::<T>(v.millis, TimestampMs::PER_SECOND, v)
            }
            _ => {
                let v = TimestampNs::from_vector(vector, row)?;
                finite_nanos::<T>(v.nanos, TimestampNs::PER_SECOND, v)
            }
        }
    }

    /// A TIMESTAMPTZ or TIMESTAMPTZ_NS cell as nanoseconds since 1970-01-01 00:00:00 UTC, for
    /// `T`; infinity is an error.
    pub(super) fn read_instant_nanos<T>(vector: &Vector<'_>, row: usize) -> Result<i128> {
        let types = [TypeId::TimestampTz, TypeId::TimestampTzNs];
        match check_cell::<T>(vector, row, &types)? {
            TypeId::TimestampTz => {
                let v = TimestampTz::from_vector(vector, row)?;
                finite_nanos::<T>(v.micros, TimestampTz::PER_SECOND, v)
            }
            _ => {
                let v = TimestampTzNs::from_vector(vector, row)?;
                finite_nanos::<T>(v.nanos, TimestampTzNs::PER_SECOND, v)
            }
        }
    }

    /// A TIME or TIME_NS cell as nanoseconds since midnight (below 24 hours), for `T`.
    pub(super) fn read_time_nanos<T>(vector: &Vector<'_>, row: usize) -> Result<i64> {
        let (nanos, shown) = match check_cell::<T>(vector, row, &[TypeId::Time, TypeId::TimeNs])? {
            TypeId::Time => {
                let v = Time::from_vector(vector, row)?;
                (v.micros.checked_mul(1_000), v.to_string())
            }
            _ => {
                let v = TimeNs::from_vector(vector, row)?;
                (Some(v.nanos), v.to_string())
            }
        };
        match nanos {
            Some(n) if (0..NANOS_PER_DAY).contains(&n) => Ok(n),
            _ => Err(out_of_range(
                shown,
                name::<T>(),
                "a time of day ends before 24:00:00",
            )),
        }
    }

    /// An INTERVAL cell without months as microseconds (days of 24 hours), for `T`.
    pub(super) fn read_fixed_micros<T>(vector: &Vector<'_>, row: usize) -> Result<i128> {
        check_cell::<T>(vector, row, &[TypeId::Interval])?;
        let v = Interval::from_vector(vector, row)?;
        if v.months != 0 {
            return Err(out_of_range(
                format!("INTERVAL '{v}'"),
                name::<T>(),
                "months have no fixed length",
            ));
        }
        Ok(i128::from(v.days) * MICROS_PER_DAY + i128::from(v.micros))
    }

    /// Nanoseconds to whole microseconds, rounding toward negative infinity.
    pub(super) fn floor_micros(nanos: i128) -> i128 {
        nanos.div_euclid(NANOS_PER_MICRO)
    }

    /// A DATE from days since 1970-01-01 (of the Rust value `value`).
    pub(super) fn write_days(days: i64, value: impl Display) -> Result<Date> {
        match i32::try_from(days) {
            Ok(days) if days != i32::MAX && days != -i32::MAX => Ok(Date { days }),
            _ => Err(out_of_range(value, "DATE", "outside DuckDB's range")),
        }
    }

    /// Microseconds for a TIMESTAMP or TIMESTAMPTZ from nanoseconds since the epoch (floored),
    /// checked against DuckDB's range (the infinity markers are not finite values).
    pub(super) fn write_timestamp_micros(
        nanos: i128,
        value: impl Display,
        target: &str,
    ) -> Result<i64> {
        match i64::try_from(floor_micros(nanos)) {
            Ok(m) if m != i64::MIN && m != i64::MAX && m != -i64::MAX => Ok(m),
            _ => Err(out_of_range(value, target, "outside DuckDB's range")),
        }
    }

    /// A TIME from nanoseconds since midnight (floored).
    pub(super) fn write_time(nanos: i64) -> Time {
        Time {
            micros: nanos.div_euclid(1_000),
        }
    }

    /// An INTERVAL of microseconds only from a fixed duration in nanoseconds (floored).
    pub(super) fn write_fixed_interval(nanos: i128, value: impl Display) -> Result<Interval> {
        match i64::try_from(floor_micros(nanos)) {
            Ok(micros) => Ok(Interval {
                months: 0,
                days: 0,
                micros,
            }),
            Err(_) => Err(out_of_range(
                value,
                "INTERVAL",
                "more microseconds than an INTERVAL holds",
            )),
        }
    }
}
