//! jiff's `civil::Date`, `civil::Time`, `civil::DateTime`, `Timestamp`, `SignedDuration` and
//! `Span` as DATE, TIME, TIMESTAMP, TIMESTAMPTZ and INTERVAL (cargo feature `jiff`). The rules
//! on precision, infinity and range are in the parent module's documentation.

use super::temporal::{
    NANOS_PER_SEC, floor_micros, join_civil, read_civil_nanos, read_days, read_fixed_micros,
    read_instant_nanos, read_time_nanos, shown_timestamp, split_civil, write_days,
    write_fixed_interval, write_time, write_timestamp_micros,
};
use super::{check_cell, name, out_of_range};
use crate::safe::types::{
    FromSql, Interval, Timestamp as DuckTimestamp, TimestampTz, ToSql, ToSqlOutput, TypeId,
};
use crate::safe::{Result, Vector};
use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Span, Timestamp};

const EPOCH: Date = Date::constant(1970, 1, 1);

/// The date `days` after 1970-01-01, or `None` outside jiff's range.
fn date_from_days(days: i64) -> Option<Date> {
    EPOCH.checked_add(Span::new().try_days(days).ok()?).ok()
}

fn days_of(date: Date) -> i64 {
    date.duration_since(EPOCH).as_secs() / 86_400
}

/// The time `nanos` (0 to 24 hours excluded) after midnight.
fn time_from_nanos(nanos: i64) -> Option<Time> {
    let secs = nanos / NANOS_PER_SEC;
    Time::new(
        i8::try_from(secs / 3600).ok()?,
        (secs / 60 % 60) as i8,
        (secs % 60) as i8,
        (nanos % NANOS_PER_SEC) as i32,
    )
    .ok()
}

fn nanos_of(time: Time) -> i64 {
    (i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second()))
        * NANOS_PER_SEC
        + i64::from(time.subsec_nanosecond())
}

/// Reads DATE; infinity and dates beyond jiff's range (years -9999 to 9999) are errors.
impl FromSql<'_> for Date {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let days = read_days::<Self>(vector, row)?;
        date_from_days(i64::from(days)).ok_or_else(|| {
            out_of_range(
                crate::safe::types::Date { days },
                name::<Self>(),
                "outside jiff's range",
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
/// infinity and dates beyond jiff's range are errors.
impl FromSql<'_> for DateTime {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_civil_nanos::<Self>(vector, row)?;
        split_civil(nanos)
            .and_then(|(days, nanos)| date_from_days(days).zip(time_from_nanos(nanos)))
            .map(|(date, time)| DateTime::from_parts(date, time))
            .ok_or_else(|| {
                out_of_range(
                    shown_timestamp(nanos, false),
                    name::<Self>(),
                    "outside jiff's range",
                )
            })
    }
}

/// Writes TIMESTAMP, flooring nanoseconds to microseconds.
impl ToSql for DateTime {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let nanos = join_civil(days_of(self.date()), nanos_of(self.time()));
        let micros = write_timestamp_micros(nanos, self, "TIMESTAMP")?;
        Ok(ToSqlOutput::Timestamp(DuckTimestamp { micros }))
    }
}

/// Reads TIMESTAMPTZ and TIMESTAMPTZ_NS (keeping nanoseconds); infinity and instants beyond
/// jiff's range are errors.
impl FromSql<'_> for Timestamp {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let nanos = read_instant_nanos::<Self>(vector, row)?;
        Timestamp::from_nanosecond(nanos).map_err(|_| {
            out_of_range(
                shown_timestamp(nanos, true),
                name::<Self>(),
                "outside jiff's range",
            )
        })
    }
}

/// Writes TIMESTAMPTZ, flooring nanoseconds to microseconds.
impl ToSql for Timestamp {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let micros = write_timestamp_micros(self.as_nanosecond(), self, "TIMESTAMPTZ")?;
        Ok(ToSqlOutput::TimestampTz(TimestampTz { micros }))
    }
}

/// Reads an INTERVAL without months (days of 24 hours); months are an error.
impl FromSql<'_> for SignedDuration {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        let micros = read_fixed_micros::<Self>(vector, row)?;
        SignedDuration::try_from_micros_i128(micros).ok_or_else(|| {
            out_of_range(
                format!("{micros} µs"),
                name::<Self>(),
                "outside jiff's range",
            )
        })
    }
}

/// Writes an INTERVAL of microseconds (months and days 0), flooring nanoseconds; beyond
/// ±2^63 microseconds is an error.
impl ToSql for SignedDuration {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        write_fixed_interval(self.as_nanos(), self).map(ToSqlOutput::Interval)
    }
}

/// Reads an INTERVAL in the units DuckDB shows it in: `INTERVAL '14 months 3 days
/// 04:05:06.000007'` is a span of 1 year, 2 months, 3 days, 4 hours, 5 minutes, 6 seconds and
/// 7 microseconds. A span has one sign for all its units, so an INTERVAL whose parts have
/// different signs (`'1 month -3 days'`) is an error, and so is one beyond a span's units
/// (about 20 000 years each).
impl FromSql<'_> for Span {
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        check_cell::<Self>(vector, row, &[TypeId::Interval])?;
        let v = Interval::from_vector(vector, row)?;
        let signs = [
            i64::from(v.months).signum(),
            i64::from(v.days).signum(),
            v.micros.signum(),
        ];
        if signs.contains(&1) && signs.contains(&-1) {
            return Err(out_of_range(
                format!("INTERVAL '{v}'"),
                name::<Self>(),
                "its parts have different signs",
            ));
        }
        let m = v.micros;
        Span::new()
            .try_years(v.months / 12)
            .and_then(|s| s.try_months(v.months % 12))
            .and_then(|s| s.try_days(v.days))
            .and_then(|s| s.try_hours(m / 3_600_000_000))
            .and_then(|s| s.try_minutes(m / 60_000_000 % 60))
            .and_then(|s| s.try_seconds(m / 1_000_000 % 60))
            .and_then(|s| s.try_microseconds(m % 1_000_000))
            .map_err(|e| out_of_range(format!("INTERVAL '{v}'"), name::<Self>(), &e.to_string()))
    }
}

/// Writes INTERVAL: years and months as months, weeks and days as days, the rest as
/// microseconds (nanoseconds floored). Parts beyond INTERVAL's are an error.
impl ToSql for Span {
    fn to_sql(&self) -> Result<ToSqlOutput<'_>> {
        let s = self;
        let months = i64::from(s.get_years()) * 12 + i64::from(s.get_months());
        let days = i64::from(s.get_weeks()) * 7 + i64::from(s.get_days());
        let secs = (i128::from(s.get_hours()) * 60 + i128::from(s.get_minutes())) * 60
            + i128::from(s.get_seconds());
        let nanos = secs * i128::from(NANOS_PER_SEC)
            + i128::from(s.get_milliseconds()) * 1_000_000
            + i128::from(s.get_microseconds()) * 1_000
            + i128::from(s.get_nanoseconds());
        match (
            i32::try_from(months),
            i32::try_from(days),
            i64::try_from(floor_micros(nanos)),
        ) {
            (Ok(months), Ok(days), Ok(micros)) => Ok(ToSqlOutput::Interval(Interval {
                months,
                days,
                micros,
            })),
            _ => Err(out_of_range(
                self,
                "INTERVAL",
                "a part is beyond INTERVAL's",
            )),
        }
    }
}
