//! time's `Date`, `Time`, `PrimitiveDateTime`, `OffsetDateTime` and `Duration` as DATE, TIME,
//! TIMESTAMP, TIMESTAMPTZ and INTERVAL (cargo feature `time`). The rules on precision,
//! infinity and range are in the parent module's documentation.

use super::temporal::{
    NANOS_PER_SEC, join_civil, read_civil_nanos, read_days, read_fixed_micros, read_instant_nanos,
    read_time_nanos, shown_timestamp, split_civil, write_days, write_fixed_interval, write_time,
    write_timestamp_micros,
};
use super::{name, out_of_range};
use crate::safe::types::{FromSql, Timestamp, TimestampTz, ToSql, ToSqlOutput};
use crate::safe::{Result, Vector};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// The Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

/// The date `days` after 1970-01-01, or `None` outside time's range.
fn date_from_days(days: i64) -> Option<Date> {
    let julian = i32::try_from(days.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()?;
    Date::from_julian_day(julian).ok()
}

fn days_of(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY
}

/// The time `nanos` (0 to 24 hours excluded) after midnight.
fn time_from_nanos(nanos: i64) -> Option<Time> {
    let secs = nanos / NANOS_PER_SEC;
    Time::from_hms_nano(
        u8::try_from(secs / 3600).ok()?,
        (secs / 60 % 60) as u8,
        (secs % 60) as u8,
        (nanos % NANOS_PER_SEC) as u32,
    )
    .ok()
}

fn nanos_of(time: Time) -> i64 {
    let (h, m, s, ns) = time.as_hms_nano();
    (i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)) * NANOS_PER_SEC + i64::from(ns)
}

/// Reads DATE; infinity and dates beyond time's range (±9999 years, or ±999 999 with its
/// `large-dates` feature) are errors.
impl FromSql<'_> for Date {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let days = read_days::<Self>(vector, row)?;
        date_from_days(i64::from(days)).ok_or_else(|| {
            out_of_range(
                crate::safe::types::Date { days },
                name::<Self>(),
                "outside time's range",
            )
        })
    }
}

impl ToSql for Date {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        write_days(days_of(*self), self).map(ToSqlOutput::Date)
    }
}

/// Reads TIME and TIME_NS (keeping nanoseconds); `24:00:00` is an error.
impl FromSql<'_> for Time {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_time_nanos::<Self>(vector, row)?;
        time_from_nanos(nanos)
            .ok_or_else(|| out_of_range(format!("{nanos} ns"), name::<Self>(), "not a time of day"))
    }
}

/// Writes TIME, flooring nanoseconds to microseconds.
impl ToSql for Time {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Time(write_time(nanos_of(*self))))
    }
}

/// Reads TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS and TIMESTAMP_NS (keeping nanoseconds);
/// infinity and dates beyond time's range are errors.
impl FromSql<'_> for PrimitiveDateTime {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_civil_nanos::<Self>(vector, row)?;
        split_civil(nanos)
            .and_then(|(days, nanos)| date_from_days(days).zip(time_from_nanos(nanos)))
            .map(|(date, time)| PrimitiveDateTime::new(date, time))
            .ok_or_else(|| {
                out_of_range(
                    shown_timestamp(nanos, false),
                    name::<Self>(),
                    "outside time's range",
                )
            })
    }
}

/// Writes TIMESTAMP, flooring nanoseconds to microseconds; with time's `large-dates`, a
/// value beyond TIMESTAMP's range (±290 000 years) is an error.
impl ToSql for PrimitiveDateTime {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let nanos = join_civil(days_of(self.date()), nanos_of(self.time()));
        let micros = write_timestamp_micros(nanos, self, "TIMESTAMP")?;
        Ok(ToSqlOutput::Timestamp(Timestamp { micros }))
    }
}

/// Reads TIMESTAMPTZ and TIMESTAMPTZ_NS (keeping nanoseconds) as a UTC date-time;
/// infinity and dates beyond time's range are errors.
impl FromSql<'_> for OffsetDateTime {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_instant_nanos::<Self>(vector, row)?;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| {
            out_of_range(
                shown_timestamp(nanos, true),
                name::<Self>(),
                "outside time's range",
            )
        })
    }
}

/// Writes the instant as TIMESTAMPTZ, whatever the offset, flooring nanoseconds to
/// microseconds.
impl ToSql for OffsetDateTime {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let micros = write_timestamp_micros(self.unix_timestamp_nanos(), self, "TIMESTAMPTZ")?;
        Ok(ToSqlOutput::TimestampTz(TimestampTz { micros }))
    }
}

/// Reads an INTERVAL without months (days of 24 hours); months are an error.
impl FromSql<'_> for Duration {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let micros = read_fixed_micros::<Self>(vector, row)?;
        // An INTERVAL's days and microseconds are at most about 2^53 seconds.
        let secs = i64::try_from(micros.div_euclid(1_000_000)).map_err(|_| {
            out_of_range(
                format!("{micros} µs"),
                name::<Self>(),
                "outside time's range",
            )
        })?;
        let nanos = (micros.rem_euclid(1_000_000) * 1_000) as i32;
        Ok(Duration::new(secs, nanos))
    }
}

/// Writes an INTERVAL of microseconds (months and days 0), flooring nanoseconds; beyond
/// ±2^63 microseconds is an error.
impl ToSql for Duration {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        write_fixed_interval(self.whole_nanoseconds(), self).map(ToSqlOutput::Interval)
    }
}
