//! The ecosystem conversions (cargo features `chrono`, `time`, `jiff`, `uuid`,
//! `rust_decimal`) on the real engine: every type goes Rust -> statement parameter -> Rust and
//! Rust -> appender -> table -> `rows` -> Rust, and is compared with a SQL literal by DuckDB
//! itself, at the edges of each crate's range and DuckDB's. Values a type cannot hold
//! (infinity, dates past a crate's range, months in a fixed duration, ...) must be
//! `OutOfRange` errors, not panics. Every test ends with no live handle
//! (`common::ledger_guard`).
#![cfg(any(
    feature = "chrono",
    feature = "time",
    feature = "jiff",
    feature = "uuid",
    feature = "rust_decimal"
))]

use crate::common;

use duckdb_ffi::safe::types::{FromSql, ToSql};
use duckdb_ffi::safe::{Connection, Database, ErrorKind, Result};
use std::fmt::Debug;

fn conn() -> Connection {
    Database::open_in_memory().unwrap().connect().unwrap()
}

/// Round trips `value` through a parameter and through the appender into a column of type
/// `ty` (also the parameter's expected `typeof`), checking in SQL that it equals `literal`.
fn round_trip<T>(conn: &Connection, ty: &str, value: &T, literal: &str)
where
    T: ToSql + for<'a> FromSql<'a> + PartialEq + Debug,
{
    round_trip_as(conn, ty, value, value, literal);
}

/// As [`round_trip`], for a value that reads back as `back` (precision lost on the way in).
fn round_trip_as<T>(conn: &Connection, ty: &str, value: &T, back: &T, literal: &str)
where
    T: ToSql + for<'a> FromSql<'a> + PartialEq + Debug,
{
    let sql = format!("SELECT ?, ? = {literal}, typeof(?)");
    let (got, equal, param_type): (T, bool, String) = conn
        .query_row(&sql, (value, value, value), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap_or_else(|e| panic!("{sql} with {value:?}: {e}"));
    assert_eq!(&got, back, "parameter {value:?}");
    assert!(equal, "parameter {value:?} is not {literal}");
    assert_eq!(param_type, ty, "parameter {value:?}");

    conn.execute(&format!("CREATE OR REPLACE TABLE rt(v {ty})"))
        .unwrap();
    let mut app = conn.appender("rt").unwrap();
    app.append_row((value,)).unwrap();
    app.append_row((None::<&T>,)).unwrap();
    app.close().unwrap();
    let mut result = conn
        .query(&format!(
            "SELECT v, v = {literal} FROM rt ORDER BY v NULLS LAST"
        ))
        .unwrap();
    let mut rows = result.rows();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(&row.get::<T>(0).unwrap(), back, "appended {value:?}");
    assert!(
        row.get::<bool>(1).unwrap(),
        "appended {value:?} is not {literal}"
    );
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get::<Option<T>>(0).unwrap(), None);
    assert_eq!(row.get::<T>(0).unwrap_err().kind(), ErrorKind::TypeMismatch);
    assert!(rows.next().unwrap().is_none());
}

/// The first column of the first row of `sql`.
fn read<T: for<'a> FromSql<'a>>(conn: &Connection, sql: &str) -> Result<T> {
    conn.query_row(sql, (), |r| r.get(0))
}

/// Reading `sql`'s value as `T` is an OutOfRange error.
#[allow(dead_code)] // UUIDs have no out-of-range values
fn read_out_of_range<T: for<'a> FromSql<'a> + Debug>(conn: &Connection, sql: &str) {
    let err = read::<T>(conn, sql).expect_err(sql);
    assert_eq!(err.kind(), ErrorKind::OutOfRange, "{sql}: {err}");
}

/// Writing `value` is an OutOfRange error.
#[allow(dead_code)] // UUIDs and decimals have no out-of-range values
fn write_out_of_range<T: ToSql + Debug>(value: &T) {
    let err = value.to_sql().expect_err("written");
    assert_eq!(err.kind(), ErrorKind::OutOfRange, "{value:?}: {err}");
}

/// `value` bound as a parameter equals `literal` in SQL.
fn writes_as<T: ToSql + Debug>(conn: &Connection, value: &T, literal: &str) {
    let (equal, text): (bool, String) = conn
        .query_row(
            &format!("SELECT ? = {literal}, ?::VARCHAR"),
            (value, value),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(equal, "{value:?} was written as {text}, not {literal}");
}

#[cfg(feature = "chrono")]
mod chrono_types {
    use super::*;
    use chrono::{
        DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
    };

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn datetime(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nano: u32) -> NaiveDateTime {
        date(y, mo, d).and_hms_nano_opt(h, mi, s, nano).unwrap()
    }

    #[test]
    fn dates() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (date(2024, 2, 29), "DATE '2024-02-29'"),
            (date(1900, 2, 28), "DATE '1900-02-28'"),
            (date(1600, 2, 29), "DATE '1600-02-29'"),
            (date(1970, 1, 1), "DATE '1970-01-01'"),
            (date(1969, 12, 31), "DATE '1969-12-31'"),
            (date(-43, 3, 15), "DATE '0044-03-15 (BC)'"),
            (date(0, 2, 29), "DATE '0001-02-29 (BC)'"),
            (NaiveDate::MIN, "DATE '262144-01-01 (BC)'"),
            (NaiveDate::MAX, "DATE '262142-12-31'"),
        ] {
            round_trip(&conn, "DATE", &value, literal);
        }
        for sql in [
            "SELECT 'infinity'::DATE",
            "SELECT '-infinity'::DATE",
            "SELECT DATE '262143-01-01'",
            "SELECT DATE '262145-01-01 (BC)'",
            "SELECT DATE '5881580-07-10'",
            "SELECT DATE '5877642-06-25 (BC)'",
        ] {
            read_out_of_range::<NaiveDate>(&conn, sql);
        }
        let wrong = read::<NaiveDate>(&conn, "SELECT TIMESTAMP '2024-01-01'").unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::TypeMismatch);
    }

    #[test]
    fn times() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        let time = |h, m, s, micro| NaiveTime::from_hms_micro_opt(h, m, s, micro).unwrap();
        for (value, literal) in [
            (time(0, 0, 0, 0), "TIME '00:00:00'"),
            (time(12, 34, 56, 789_012), "TIME '12:34:56.789012'"),
            (time(23, 59, 59, 999_999), "TIME '23:59:59.999999'"),
        ] {
            round_trip(&conn, "TIME", &value, literal);
        }
        // Nanoseconds: kept from TIME_NS, floored when written.
        let ns = NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).unwrap();
        let got: NaiveTime = read(&conn, "SELECT TIME_NS '23:59:59.999999999'").unwrap();
        assert_eq!(got, ns);
        writes_as(&conn, &ns, "TIME '23:59:59.999999'");
        read_out_of_range::<NaiveTime>(&conn, "SELECT TIME '24:00:00'");
        // A leap second has no TIME.
        write_out_of_range(&NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap());
    }

    #[test]
    fn timestamps() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (
                datetime(2024, 2, 29, 12, 34, 56, 789_012_000),
                "TIMESTAMP '2024-02-29 12:34:56.789012'",
            ),
            (
                datetime(1969, 12, 31, 23, 59, 59, 999_999_000),
                "TIMESTAMP '1969-12-31 23:59:59.999999'",
            ),
            (
                datetime(1600, 2, 29, 0, 0, 0, 1_000),
                "TIMESTAMP '1600-02-29 00:00:00.000001'",
            ),
            (
                datetime(-43, 3, 15, 12, 0, 0, 0),
                "TIMESTAMP '0044-03-15 (BC) 12:00:00'",
            ),
            (
                NaiveDate::MIN.into(),
                "TIMESTAMP '262144-01-01 (BC) 00:00:00'",
            ),
        ] {
            round_trip(&conn, "TIMESTAMP", &value, literal);
        }
        // chrono's maximum has nanoseconds: floored to the microsecond.
        round_trip_as(
            &conn,
            "TIMESTAMP",
            &NaiveDateTime::MAX,
            &datetime(262_142, 12, 31, 23, 59, 59, 999_999_000),
            "TIMESTAMP '262142-12-31 23:59:59.999999'",
        );
        // Floor, not toward zero, before 1970.
        writes_as(
            &conn,
            &datetime(1969, 12, 31, 23, 59, 59, 999_999_500),
            "TIMESTAMP '1969-12-31 23:59:59.999999'",
        );
        // Every timestamp unit reads; nanoseconds are kept.
        for (sql, want) in [
            (
                "SELECT TIMESTAMP_NS '2024-02-29 12:34:56.123456789'",
                datetime(2024, 2, 29, 12, 34, 56, 123_456_789),
            ),
            (
                "SELECT TIMESTAMP_NS '1677-09-22 00:00:00.000000001'",
                datetime(1677, 9, 22, 0, 0, 0, 1),
            ),
            (
                "SELECT TIMESTAMP_MS '1969-12-31 23:59:59.999'",
                datetime(1969, 12, 31, 23, 59, 59, 999_000_000),
            ),
            (
                "SELECT TIMESTAMP_S '0001-01-01 00:00:00'",
                datetime(1, 1, 1, 0, 0, 0, 0),
            ),
        ] {
            assert_eq!(read::<NaiveDateTime>(&conn, sql).unwrap(), want, "{sql}");
        }
        for sql in [
            "SELECT 'infinity'::TIMESTAMP",
            "SELECT '-infinity'::TIMESTAMP",
            "SELECT 'infinity'::TIMESTAMP_S",
            "SELECT 'infinity'::TIMESTAMP_MS",
            "SELECT 'infinity'::TIMESTAMP_NS",
            "SELECT TIMESTAMP '294247-01-10 04:00:54.775806'",
            "SELECT TIMESTAMP '290309-12-22 (BC) 00:00:00'",
        ] {
            read_out_of_range::<NaiveDateTime>(&conn, sql);
        }
        // A leap second has no TIMESTAMP.
        write_out_of_range(&datetime(2016, 12, 31, 23, 59, 59, 1_000_000_000));
    }

    #[test]
    fn instants_and_offsets() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        let utc = datetime(2024, 2, 29, 18, 0, 0, 123_456_000).and_utc();
        round_trip(
            &conn,
            "TIMESTAMP WITH TIME ZONE",
            &utc,
            "TIMESTAMPTZ '2024-02-29 18:00:00.123456+00'",
        );
        round_trip(
            &conn,
            "TIMESTAMP WITH TIME ZONE",
            &DateTime::<Utc>::MIN_UTC,
            "TIMESTAMPTZ '262144-01-01 (BC) 00:00:00+00'",
        );
        // A fixed offset writes the same instant; it reads back in UTC.
        let east = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let local = east
            .from_local_datetime(&datetime(2024, 2, 29, 23, 30, 0, 123_456_000))
            .single()
            .unwrap();
        writes_as(&conn, &local, "TIMESTAMPTZ '2024-02-29 18:00:00.123456+00'");
        let back: DateTime<Utc> = conn.query_row("SELECT ?", (local,), |r| r.get(0)).unwrap();
        assert_eq!(back, utc);
        assert_eq!(back, local);
        let west = FixedOffset::west_opt(8 * 3600).unwrap();
        let pre_epoch = west
            .from_local_datetime(&datetime(1969, 12, 31, 16, 0, 0, 0))
            .single()
            .unwrap();
        writes_as(&conn, &pre_epoch, "TIMESTAMPTZ '1970-01-01 00:00:00+00'");
        // TIMESTAMPTZ_NS keeps nanoseconds.
        let ns: DateTime<Utc> = read(
            &conn,
            "SELECT '2024-02-29 18:00:00.123456789+00'::TIMESTAMPTZ_NS",
        )
        .unwrap();
        assert_eq!(ns, datetime(2024, 2, 29, 18, 0, 0, 123_456_789).and_utc());
        read_out_of_range::<DateTime<Utc>>(&conn, "SELECT 'infinity'::TIMESTAMPTZ");
        read_out_of_range::<DateTime<Utc>>(&conn, "SELECT '-infinity'::TIMESTAMPTZ");
        let wrong = read::<DateTime<Utc>>(&conn, "SELECT TIMESTAMP '2024-01-01'").unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::TypeMismatch);
    }

    #[test]
    fn durations() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (TimeDelta::zero(), "INTERVAL '0 seconds'"),
            (
                TimeDelta::hours(51) + TimeDelta::microseconds(7),
                "INTERVAL '51:00:00.000007'",
            ),
            (
                -TimeDelta::days(1) - TimeDelta::microseconds(1),
                "INTERVAL '-24:00:00.000001'",
            ),
            (
                TimeDelta::microseconds(i64::MAX),
                "INTERVAL '2562047788:00:54.775807'",
            ),
        ] {
            round_trip(&conn, "INTERVAL", &value, literal);
        }
        // Days count as 24 hours; months have no fixed length.
        let got: TimeDelta = read(&conn, "SELECT INTERVAL '2 days 03:00:00'").unwrap();
        assert_eq!(got, TimeDelta::hours(51));
        let got: TimeDelta = read(&conn, "SELECT INTERVAL '-2 days 03:00:00'").unwrap();
        assert_eq!(got, TimeDelta::hours(-45));
        read_out_of_range::<TimeDelta>(&conn, "SELECT INTERVAL '1 month'");
        read_out_of_range::<TimeDelta>(&conn, "SELECT INTERVAL '-1 year 1 day'");
        // Nanoseconds floor: -1.5 µs writes as -2 µs.
        writes_as(
            &conn,
            &TimeDelta::nanoseconds(-1_500),
            "INTERVAL '-00:00:00.000002'",
        );
        writes_as(
            &conn,
            &TimeDelta::nanoseconds(1_999),
            "INTERVAL '00:00:00.000001'",
        );
        write_out_of_range(&TimeDelta::MAX);
        write_out_of_range(&TimeDelta::MIN);
    }
}

#[cfg(feature = "time")]
mod time_types {
    use super::*;
    use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
    }

    fn datetime(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8, nano: u32) -> PrimitiveDateTime {
        PrimitiveDateTime::new(date(y, mo, d), Time::from_hms_nano(h, mi, s, nano).unwrap())
    }

    #[test]
    fn dates() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (date(2024, 2, 29), "DATE '2024-02-29'"),
            (date(1900, 2, 28), "DATE '1900-02-28'"),
            (date(1600, 2, 29), "DATE '1600-02-29'"),
            (date(1969, 12, 31), "DATE '1969-12-31'"),
            (date(-43, 3, 15), "DATE '0044-03-15 (BC)'"),
            (Date::MIN, "DATE '10000-01-01 (BC)'"),
            (Date::MAX, "DATE '9999-12-31'"),
        ] {
            round_trip(&conn, "DATE", &value, literal);
        }
        for sql in [
            "SELECT 'infinity'::DATE",
            "SELECT '-infinity'::DATE",
            "SELECT DATE '10000-01-01'",
            "SELECT DATE '10001-12-31 (BC)'",
            "SELECT DATE '5881580-07-10'",
        ] {
            read_out_of_range::<Date>(&conn, sql);
        }
    }

    #[test]
    fn times() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (Time::MIDNIGHT, "TIME '00:00:00'"),
            (
                Time::from_hms_micro(12, 34, 56, 789_012).unwrap(),
                "TIME '12:34:56.789012'",
            ),
        ] {
            round_trip(&conn, "TIME", &value, literal);
        }
        round_trip_as(
            &conn,
            "TIME",
            &Time::MAX,
            &Time::from_hms_micro(23, 59, 59, 999_999).unwrap(),
            "TIME '23:59:59.999999'",
        );
        let got: Time = read(&conn, "SELECT TIME_NS '23:59:59.999999999'").unwrap();
        assert_eq!(got, Time::MAX);
        read_out_of_range::<Time>(&conn, "SELECT TIME '24:00:00'");
    }

    #[test]
    fn timestamps() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (
                datetime(2024, 2, 29, 12, 34, 56, 789_012_000),
                "TIMESTAMP '2024-02-29 12:34:56.789012'",
            ),
            (
                datetime(1969, 12, 31, 23, 59, 59, 999_999_000),
                "TIMESTAMP '1969-12-31 23:59:59.999999'",
            ),
            (
                datetime(-43, 3, 15, 12, 0, 0, 0),
                "TIMESTAMP '0044-03-15 (BC) 12:00:00'",
            ),
            (
                PrimitiveDateTime::MIN,
                "TIMESTAMP '10000-01-01 (BC) 00:00:00'",
            ),
        ] {
            round_trip(&conn, "TIMESTAMP", &value, literal);
        }
        round_trip_as(
            &conn,
            "TIMESTAMP",
            &PrimitiveDateTime::MAX,
            &datetime(9999, 12, 31, 23, 59, 59, 999_999_000),
            "TIMESTAMP '9999-12-31 23:59:59.999999'",
        );
        writes_as(
            &conn,
            &datetime(1969, 12, 31, 23, 59, 59, 999_999_500),
            "TIMESTAMP '1969-12-31 23:59:59.999999'",
        );
        let got: PrimitiveDateTime =
            read(&conn, "SELECT TIMESTAMP_NS '2024-02-29 12:34:56.123456789'").unwrap();
        assert_eq!(got, datetime(2024, 2, 29, 12, 34, 56, 123_456_789));
        let got: PrimitiveDateTime =
            read(&conn, "SELECT TIMESTAMP_S '1600-02-29 01:02:03'").unwrap();
        assert_eq!(got, datetime(1600, 2, 29, 1, 2, 3, 0));
        for sql in [
            "SELECT 'infinity'::TIMESTAMP",
            "SELECT '-infinity'::TIMESTAMP_MS",
            "SELECT TIMESTAMP '10000-01-01 00:00:00'",
        ] {
            read_out_of_range::<PrimitiveDateTime>(&conn, sql);
        }
    }

    #[test]
    fn instants_and_offsets() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        let utc = datetime(2024, 2, 29, 18, 0, 0, 123_456_000).assume_utc();
        round_trip(
            &conn,
            "TIMESTAMP WITH TIME ZONE",
            &utc,
            "TIMESTAMPTZ '2024-02-29 18:00:00.123456+00'",
        );
        let local = datetime(2024, 2, 29, 23, 30, 0, 123_456_000)
            .assume_offset(UtcOffset::from_hms(5, 30, 0).unwrap());
        writes_as(&conn, &local, "TIMESTAMPTZ '2024-02-29 18:00:00.123456+00'");
        let back: OffsetDateTime = conn.query_row("SELECT ?", (local,), |r| r.get(0)).unwrap();
        assert_eq!(back, local);
        assert_eq!(back.offset(), UtcOffset::UTC);
        // Offsets at the edges of time's range still write the instant.
        let far = PrimitiveDateTime::MAX.assume_offset(UtcOffset::from_hms(-23, -59, -59).unwrap());
        writes_as(&conn, &far, "TIMESTAMPTZ '10000-01-01 23:59:58.999999+00'");
        let ns: OffsetDateTime = read(
            &conn,
            "SELECT '1969-12-31 23:59:59.999999999+00'::TIMESTAMPTZ_NS",
        )
        .unwrap();
        assert_eq!(ns.unix_timestamp_nanos(), -1);
        read_out_of_range::<OffsetDateTime>(&conn, "SELECT 'infinity'::TIMESTAMPTZ");
        read_out_of_range::<OffsetDateTime>(&conn, "SELECT TIMESTAMPTZ '10000-01-01 00:00:00+00'");
    }

    #[test]
    fn durations() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (Duration::ZERO, "INTERVAL '0 seconds'"),
            (
                Duration::hours(51) + Duration::microseconds(7),
                "INTERVAL '51:00:00.000007'",
            ),
            (
                -Duration::days(1) - Duration::microseconds(1),
                "INTERVAL '-24:00:00.000001'",
            ),
        ] {
            round_trip(&conn, "INTERVAL", &value, literal);
        }
        let got: Duration = read(&conn, "SELECT INTERVAL '-2 days 03:00:00'").unwrap();
        assert_eq!(got, Duration::hours(-45));
        read_out_of_range::<Duration>(&conn, "SELECT INTERVAL '1 month'");
        writes_as(
            &conn,
            &Duration::nanoseconds(-1_500),
            "INTERVAL '-00:00:00.000002'",
        );
        write_out_of_range(&Duration::MAX);
        write_out_of_range(&Duration::MIN);
    }
}

#[cfg(feature = "jiff")]
mod jiff_types {
    use super::*;
    use jiff::civil::{self, Date, DateTime, Time};
    use jiff::{SignedDuration, Span, Timestamp};

    #[test]
    fn dates() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (civil::date(2024, 2, 29), "DATE '2024-02-29'"),
            (civil::date(1900, 2, 28), "DATE '1900-02-28'"),
            (civil::date(1600, 2, 29), "DATE '1600-02-29'"),
            (civil::date(1969, 12, 31), "DATE '1969-12-31'"),
            (civil::date(-43, 3, 15), "DATE '0044-03-15 (BC)'"),
            (Date::MIN, "DATE '10000-01-01 (BC)'"),
            (Date::MAX, "DATE '9999-12-31'"),
        ] {
            round_trip(&conn, "DATE", &value, literal);
        }
        for sql in [
            "SELECT 'infinity'::DATE",
            "SELECT '-infinity'::DATE",
            "SELECT DATE '10000-01-01'",
            "SELECT DATE '10001-12-31 (BC)'",
            "SELECT DATE '5877642-06-25 (BC)'",
        ] {
            read_out_of_range::<Date>(&conn, sql);
        }
    }

    #[test]
    fn times() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (Time::MIN, "TIME '00:00:00'"),
            (
                civil::time(12, 34, 56, 789_012_000),
                "TIME '12:34:56.789012'",
            ),
        ] {
            round_trip(&conn, "TIME", &value, literal);
        }
        round_trip_as(
            &conn,
            "TIME",
            &Time::MAX,
            &civil::time(23, 59, 59, 999_999_000),
            "TIME '23:59:59.999999'",
        );
        let got: Time = read(&conn, "SELECT TIME_NS '23:59:59.999999999'").unwrap();
        assert_eq!(got, Time::MAX);
        read_out_of_range::<Time>(&conn, "SELECT TIME '24:00:00'");
    }

    #[test]
    fn timestamps() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (
                civil::date(2024, 2, 29).at(12, 34, 56, 789_012_000),
                "TIMESTAMP '2024-02-29 12:34:56.789012'",
            ),
            (
                civil::date(-43, 3, 15).at(12, 0, 0, 0),
                "TIMESTAMP '0044-03-15 (BC) 12:00:00'",
            ),
            (DateTime::MIN, "TIMESTAMP '10000-01-01 (BC) 00:00:00'"),
        ] {
            round_trip(&conn, "TIMESTAMP", &value, literal);
        }
        round_trip_as(
            &conn,
            "TIMESTAMP",
            &DateTime::MAX,
            &civil::date(9999, 12, 31).at(23, 59, 59, 999_999_000),
            "TIMESTAMP '9999-12-31 23:59:59.999999'",
        );
        writes_as(
            &conn,
            &civil::date(1969, 12, 31).at(23, 59, 59, 999_999_500),
            "TIMESTAMP '1969-12-31 23:59:59.999999'",
        );
        let got: DateTime =
            read(&conn, "SELECT TIMESTAMP_NS '2024-02-29 12:34:56.123456789'").unwrap();
        assert_eq!(got, civil::date(2024, 2, 29).at(12, 34, 56, 123_456_789));
        for sql in [
            "SELECT 'infinity'::TIMESTAMP",
            "SELECT '-infinity'::TIMESTAMP_NS",
            "SELECT TIMESTAMP '10000-01-01 00:00:00'",
        ] {
            read_out_of_range::<DateTime>(&conn, sql);
        }
    }

    #[test]
    fn instants() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        let ts = Timestamp::from_microsecond(1_709_229_600_123_456).unwrap();
        round_trip(
            &conn,
            "TIMESTAMP WITH TIME ZONE",
            &ts,
            "TIMESTAMPTZ '2024-02-29 18:00:00.123456+00'",
        );
        round_trip(
            &conn,
            "TIMESTAMP WITH TIME ZONE",
            &Timestamp::MIN,
            "TIMESTAMPTZ '10000-01-02 (BC) 01:59:59+00'",
        );
        round_trip_as(
            &conn,
            "TIMESTAMP WITH TIME ZONE",
            &Timestamp::MAX,
            &Timestamp::new(Timestamp::MAX.as_second(), 999_999_000).unwrap(),
            "TIMESTAMPTZ '9999-12-30 22:00:00.999999+00'",
        );
        writes_as(
            &conn,
            &Timestamp::from_nanosecond(-500).unwrap(),
            "TIMESTAMPTZ '1969-12-31 23:59:59.999999+00'",
        );
        let ns: Timestamp = read(
            &conn,
            "SELECT '2024-02-29 18:00:00.123456789+00'::TIMESTAMPTZ_NS",
        )
        .unwrap();
        assert_eq!(ns.as_nanosecond(), 1_709_229_600_123_456_789);
        read_out_of_range::<Timestamp>(&conn, "SELECT 'infinity'::TIMESTAMPTZ");
        read_out_of_range::<Timestamp>(&conn, "SELECT TIMESTAMPTZ '10000-01-01 00:00:00+00'");
    }

    #[test]
    fn signed_durations() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, literal) in [
            (SignedDuration::ZERO, "INTERVAL '0 seconds'"),
            (
                SignedDuration::new(51 * 3600, 7_000),
                "INTERVAL '51:00:00.000007'",
            ),
            (
                SignedDuration::new(-86_400, -1_000),
                "INTERVAL '-24:00:00.000001'",
            ),
        ] {
            round_trip(&conn, "INTERVAL", &value, literal);
        }
        let got: SignedDuration = read(&conn, "SELECT INTERVAL '-2 days 03:00:00'").unwrap();
        assert_eq!(got, SignedDuration::from_hours(-45));
        read_out_of_range::<SignedDuration>(&conn, "SELECT INTERVAL '1 month'");
        writes_as(
            &conn,
            &SignedDuration::new(0, -1_500),
            "INTERVAL '-00:00:00.000002'",
        );
        write_out_of_range(&SignedDuration::MAX);
        write_out_of_range(&SignedDuration::MIN);
    }

    #[test]
    fn spans() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        let read_span = |sql: &str| read::<Span>(&conn, sql).unwrap().fieldwise();
        assert_eq!(
            read_span("SELECT INTERVAL '14 months 3 days 04:05:06.000007'"),
            Span::new()
                .years(1)
                .months(2)
                .days(3)
                .hours(4)
                .minutes(5)
                .seconds(6)
                .microseconds(7)
                .fieldwise()
        );
        assert_eq!(
            read_span("SELECT INTERVAL '-1 year -2 days -00:00:01'"),
            Span::new().years(-1).days(-2).seconds(-1).fieldwise()
        );
        assert_eq!(
            read_span("SELECT INTERVAL '0 days'"),
            Span::new().fieldwise()
        );
        read_out_of_range::<Span>(&conn, "SELECT INTERVAL '1 month -3 days'");
        read_out_of_range::<Span>(&conn, "SELECT INTERVAL '-1 day 00:00:01'");
        read_out_of_range::<Span>(&conn, "SELECT INTERVAL '20000 years'");

        // Written: years and months as months, weeks and days as days, the rest as µs.
        let span = Span::new()
            .years(1)
            .months(2)
            .weeks(1)
            .days(3)
            .hours(25)
            .minutes(90)
            .milliseconds(1)
            .nanoseconds(1_500);
        writes_as(&conn, &span, "INTERVAL '14 months 10 days 26:30:00.001001'");
        let negative = Span::new().months(-1).days(-1).nanoseconds(-1);
        writes_as(
            &conn,
            &negative,
            "INTERVAL '-1 month -1 day -00:00:00.000001'",
        );
        // Through the appender and back.
        conn.execute("CREATE TABLE spans(v INTERVAL)").unwrap();
        let mut app = conn.appender("spans").unwrap();
        app.append_row((span,)).unwrap();
        app.close().unwrap();
        let mut result = conn.query("SELECT v FROM spans").unwrap();
        let mut rows = result.rows();
        let back: Span = rows.next().unwrap().unwrap().get(0).unwrap();
        assert_eq!(
            back.fieldwise(),
            Span::new()
                .years(1)
                .months(2)
                .days(10)
                .hours(26)
                .minutes(30)
                .microseconds(1_001)
                .fieldwise()
        );
    }
}

#[cfg(feature = "uuid")]
mod uuid_types {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn uuids() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        let sample = Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
        for (value, literal) in [
            (Uuid::nil(), "UUID '00000000-0000-0000-0000-000000000000'"),
            (Uuid::max(), "UUID 'ffffffff-ffff-ffff-ffff-ffffffffffff'"),
            (sample, "UUID '01234567-89ab-cdef-fedc-ba9876543210'"),
            (
                Uuid::from_u128(1 << 127),
                "UUID '80000000-0000-0000-0000-000000000000'",
            ),
        ] {
            round_trip(&conn, "UUID", &value, literal);
        }
        // DuckDB orders UUIDs as their text.
        let ordered: bool = conn
            .query_row(
                "SELECT ? < ? AND ? < ?",
                (Uuid::nil(), sample, sample, Uuid::max()),
                |r| r.get(0),
            )
            .unwrap();
        assert!(ordered);
        let text: String = conn
            .query_row("SELECT ?::VARCHAR", (sample,), |r| r.get(0))
            .unwrap();
        assert_eq!(text, sample.to_string());
        writes_as(
            &conn,
            &Uuid::max(),
            "'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID",
        );
        let wrong =
            read::<Uuid>(&conn, "SELECT '01234567-89ab-cdef-fedc-ba9876543210'").unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::TypeMismatch);
    }
}

#[cfg(feature = "rust_decimal")]
mod rust_decimal_types {
    use super::*;
    use rust_decimal::Decimal;

    fn dec(mantissa: i128, scale: u32) -> Decimal {
        Decimal::from_i128_with_scale(mantissa, scale)
    }

    #[test]
    fn decimals() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (value, ty, literal) in [
            (dec(12_345, 0), "DECIMAL(38,0)", "12345"),
            (dec(-12_345, 2), "DECIMAL(38,2)", "-123.45"),
            (dec(0, 0), "DECIMAL(38,0)", "0"),
            (
                dec(1, 28),
                "DECIMAL(38,28)",
                "0.0000000000000000000000000001::DECIMAL(38,28)",
            ),
            (
                dec(-79_228_162_514_264_337_593_543_950_335, 28),
                "DECIMAL(38,28)",
                "-7.9228162514264337593543950335",
            ),
            (
                Decimal::MAX,
                "DECIMAL(38,0)",
                "79228162514264337593543950335",
            ),
            (
                Decimal::MIN,
                "DECIMAL(38,0)",
                "-79228162514264337593543950335",
            ),
        ] {
            round_trip(&conn, ty, &value, literal);
        }
        // Appended into narrower columns, DuckDB casts.
        conn.execute("CREATE TABLE money(v DECIMAL(10,2))").unwrap();
        let mut app = conn.appender("money").unwrap();
        app.append_row((dec(-12_345, 2),)).unwrap();
        app.append_row((dec(7, 0),)).unwrap();
        app.close().unwrap();
        let mut result = conn.query("SELECT v FROM money ORDER BY v").unwrap();
        let got = result.rows().map(|r| r.get::<Decimal>(0)).unwrap();
        assert_eq!(got, [dec(-12_345, 2), dec(700, 2)]);
        assert_eq!(got[1].scale(), 2);
        // The scale is kept: 1.50 is written as DECIMAL(38,2).
        writes_as(&conn, &dec(150, 2), "1.5");
        let text: String = conn
            .query_row("SELECT ?::VARCHAR", (dec(150, 2),), |r| r.get(0))
            .unwrap();
        assert_eq!(text, "1.50");
    }

    #[test]
    fn reading_wide_decimals_and_integers() {
        let _ledger = common::ledger_guard();
        let conn = conn();
        for (sql, want) in [
            ("SELECT 1.50::DECIMAL(4,2)", dec(150, 2)),
            ("SELECT -0.05::DECIMAL(18,3)", dec(-50, 3)),
            // Scale above 28: trailing zeros go, the value stays exact.
            ("SELECT 1.5::DECIMAL(38,30)", dec(15, 1)),
            (
                "SELECT 0.0000000000000000000000000001::DECIMAL(38,37)",
                dec(1, 28),
            ),
            (
                "SELECT 79228162514264337593543950335::DECIMAL(38,0)",
                Decimal::MAX,
            ),
            (
                "SELECT 7922816251426433759354395033.50::DECIMAL(38,2)",
                dec(79_228_162_514_264_337_593_543_950_335, 1),
            ),
            ("SELECT 42::TINYINT", dec(42, 0)),
            (
                "SELECT (-9223372036854775808)::BIGINT",
                dec(i64::MIN.into(), 0),
            ),
            (
                "SELECT 18446744073709551615::UBIGINT",
                dec(u64::MAX.into(), 0),
            ),
            (
                "SELECT 79228162514264337593543950335::HUGEINT",
                Decimal::MAX,
            ),
            ("SELECT 5::UHUGEINT", dec(5, 0)),
        ] {
            assert_eq!(read::<Decimal>(&conn, sql).unwrap(), want, "{sql}");
        }
        for sql in [
            // The 38-digit limit: DuckDB holds more than 96 bits.
            "SELECT 99999999999999999999999999999999999999::DECIMAL(38,0)",
            "SELECT -79228162514264337593543950336::DECIMAL(38,0)",
            // Digits past the 28th decimal place.
            "SELECT 0.00000000000000000000000000001::DECIMAL(38,29)",
            "SELECT 1.123456789012345678901234567891::DECIMAL(38,30)",
            "SELECT 170141183460469231731687303715884105727::HUGEINT",
            "SELECT 340282366920938463463374607431768211455::UHUGEINT",
        ] {
            read_out_of_range::<Decimal>(&conn, sql);
        }
        let wrong = read::<Decimal>(&conn, "SELECT 1.5::DOUBLE").unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::TypeMismatch);
    }
}
