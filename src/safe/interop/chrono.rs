//! chrono's `NaiveDate`, `NaiveTime`, `NaiveDateTime`, `DateTime` and `TimeDelta` as DATE,
//! TIME, TIMESTAMP, TIMESTAMPTZ and INTERVAL (cargo feature `chrono`). The rules on
//! precision, infinity and range are in the parent module's documentation.

use super::temporal::{
    NANOS_PER_SEC, read_civil_nanos, read_days, read_fixed_micros, read_instant_nanos,
    read_time_nanos, shown_timestamp, write_days, write_fixed_interval, write_time,
    write_timestamp_micros,
};
use super::{name, out_of_range};
use crate::safe::types::{Date, FromSql, Timestamp, TimestampTz, ToSql, ToSqlOutput};
use crate::safe::{Result, Vector};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc};
use std::fmt::Display;

/// Seconds and nanoseconds since the epoch (floored seconds) for chrono's constructors.
fn split_nanos(nanos: i128) -> Option<(i64, u32)> {
    let secs = i64::try_from(nanos.div_euclid(i128::from(NANOS_PER_SEC))).ok()?;
    Some((secs, nanos.rem_euclid(i128::from(NANOS_PER_SEC)) as u32))
}

/// Nanoseconds since the epoch of a chrono instant; a leap second is an error.
fn instant_nanos(secs: i64, subsec_nanos: u32, value: impl Display, target: &str) -> Result<i128> {
    if subsec_nanos >= NANOS_PER_SEC as u32 {
        return Err(out_of_range(value, target, "DuckDB has no leap seconds"));
    }
    Ok(i128::from(secs) * i128::from(NANOS_PER_SEC) + i128::from(subsec_nanos))
}

impl FromSql<'_> for NaiveDate {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let days = read_days::<Self>(vector, row)?;
        NaiveDate::from_epoch_days(days)
            .ok_or_else(|| out_of_range(Date { days }, name::<Self>(), "outside chrono's range"))
    }
}

impl ToSql for NaiveDate {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        write_days(i64::from(self.to_epoch_days()), self).map(ToSqlOutput::Date)
    }
}

/// Reads TIME and TIME_NS (keeping nanoseconds); `24:00:00` is an error.
impl FromSql<'_> for NaiveTime {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_time_nanos::<Self>(vector, row)?;
        let (secs, frac) = (nanos / NANOS_PER_SEC, nanos % NANOS_PER_SEC);
        // Below 24 hours (checked by `read_time_nanos`), so both fit and chrono accepts them.
        NaiveTime::from_num_seconds_from_midnight_opt(secs as u32, frac as u32)
            .ok_or_else(|| out_of_range(format!("{nanos} ns"), name::<Self>(), "not a time of day"))
    }
}

/// Writes TIME, flooring nanoseconds to microseconds; a leap second is an error.
impl ToSql for NaiveTime {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let nanos = instant_nanos(
            i64::from(self.num_seconds_from_midnight()),
            self.nanosecond(),
            self,
            "TIME",
        )?;
        Ok(ToSqlOutput::Time(write_time(nanos as i64)))
    }
}

/// Reads TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS and TIMESTAMP_NS (keeping nanoseconds);
/// infinity and dates beyond chrono's range are errors.
impl FromSql<'_> for NaiveDateTime {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_civil_nanos::<Self>(vector, row)?;
        split_nanos(nanos)
            .and_then(|(secs, frac)| DateTime::from_timestamp(secs, frac))
            .map(|utc| utc.naive_utc())
            .ok_or_else(|| {
                out_of_range(
                    shown_timestamp(nanos, false),
                    name::<Self>(),
                    "outside chrono's range",
                )
            })
    }
}

/// Writes TIMESTAMP, flooring nanoseconds to microseconds; a leap second is an error.
impl ToSql for NaiveDateTime {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let utc = self.and_utc();
        let nanos = instant_nanos(
            utc.timestamp(),
            utc.timestamp_subsec_nanos(),
            self,
            "TIMESTAMP",
        )?;
        let micros = write_timestamp_micros(nanos, self, "TIMESTAMP")?;
        Ok(ToSqlOutput::Timestamp(Timestamp { micros }))
    }
}

/// Reads TIMESTAMPTZ and TIMESTAMPTZ_NS (keeping nanoseconds); infinity and dates beyond
/// chrono's range are errors.
impl FromSql<'_> for DateTime<Utc> {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_instant_nanos::<Self>(vector, row)?;
        split_nanos(nanos)
            .and_then(|(secs, frac)| DateTime::from_timestamp(secs, frac))
            .ok_or_else(|| {
                out_of_range(
                    shown_timestamp(nanos, true),
                    name::<Self>(),
                    "outside chrono's range",
                )
            })
    }
}

/// Writes the instant as TIMESTAMPTZ, whatever the time zone (`DateTime<FixedOffset>` reads
/// back as the same instant in `DateTime<Utc>`); floors nanoseconds to microseconds, and a
/// leap second is an error.
impl<Tz: TimeZone> ToSql for DateTime<Tz>
where
    Tz::Offset: Display,
{
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let nanos = instant_nanos(
            self.timestamp(),
            self.timestamp_subsec_nanos(),
            self,
            "TIMESTAMPTZ",
        )?;
        let micros = write_timestamp_micros(nanos, self, "TIMESTAMPTZ")?;
        Ok(ToSqlOutput::TimestampTz(TimestampTz { micros }))
    }
}

/// Reads an INTERVAL without months (days of 24 hours); months are an error.
impl FromSql<'_> for TimeDelta {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let micros = read_fixed_micros::<Self>(vector, row)?;
        // Any INTERVAL's days and microseconds are within TimeDelta's ±2^63 milliseconds.
        split_nanos(micros * 1_000)
            .and_then(|(secs, frac)| TimeDelta::new(secs, frac))
            .ok_or_else(|| {
                out_of_range(
                    format!("{micros} µs"),
                    name::<Self>(),
                    "outside chrono's range",
                )
            })
    }
}

/// Writes an INTERVAL of microseconds (months and days 0), flooring nanoseconds; beyond
/// ±2^63 microseconds is an error.
impl ToSql for TimeDelta {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let nanos = i128::from(self.num_seconds()) * i128::from(NANOS_PER_SEC)
            + i128::from(self.subsec_nanos());
        write_fixed_interval(nanos, self).map(ToSqlOutput::Interval)
    }
}
