//! Dates, times, timestamps and intervals as DuckDB writes them: the proleptic Gregorian
//! calendar, clock digits, and the `infinity` sentinels.

use super::Render;
use super::text_buf::TextBuf;
use crate::safe::values::MICROS_PER_SEC;
use crate::safe::values::fixed::*;
use std::fmt;

/// Proleptic Gregorian (year, month, day) from days since 1970-01-01.
#[inline]
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

fn write_date(t: &mut TextBuf, days: i64) {
    let (y, m, d) = civil_from_days(days);
    t.push_u64((if y <= 0 { 1 - y } else { y }) as u64, 4);
    t.push_str("-");
    t.push_u64(m.into(), 2);
    t.push_str("-");
    t.push_u64(d.into(), 2);
    if y <= 0 {
        t.push_str(" (BC)");
    }
}

/// `HH:MM:SS[.fraction]`, the fraction trimmed of trailing zeros; `digits` is 6 or 9.
fn write_time(t: &mut TextBuf, units: i64, per_sec: i64, digits: usize) {
    let secs = units.div_euclid(per_sec) as u64;
    let frac = units.rem_euclid(per_sec) as u64;
    write_clock(t, secs, frac, digits);
}

/// `HH:MM:SS[.fraction]` of `secs` seconds (hours unbounded) and a `digits`-digit fraction,
/// trimmed of trailing zeros.
fn write_clock(t: &mut TextBuf, secs: u64, frac: u64, digits: usize) {
    t.push_u64(secs / 3600, 2);
    t.push_str(":");
    t.push_u64(secs / 60 % 60, 2);
    t.push_str(":");
    t.push_u64(secs % 60, 2);
    if frac != 0 {
        t.push_str(".");
        t.push_u64(frac, digits);
        t.trim_zeros();
    }
}

fn write_instant<W: fmt::Write + ?Sized>(
    f: &mut W,
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
    let mut t = TextBuf::new();
    write_date(&mut t, units.div_euclid(per_day));
    t.push_str(" ");
    write_time(&mut t, units.rem_euclid(per_day), per_sec, digits);
    if tz {
        t.push_str("+00");
    }
    t.write_to(f)
}

impl Render for Date {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match self.days {
            i32::MAX => f.write_str("infinity"),
            d if d == -i32::MAX => f.write_str("-infinity"),
            d => {
                let mut t = TextBuf::new();
                write_date(&mut t, i64::from(d));
                t.write_to(f)
            }
        }
    }
}

impl Render for Time {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        write_time(&mut t, self.micros, MICROS_PER_SEC, 6);
        t.write_to(f)
    }
}

impl Render for TimeNs {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        write_time(&mut t, self.nanos, 1_000_000_000, 9);
        t.write_to(f)
    }
}

impl Render for TimeTz {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        write_time(&mut t, self.micros(), MICROS_PER_SEC, 6);
        let off = self.offset_seconds();
        let (sign, off) = if off < 0 { ("-", -off) } else { ("+", off) };
        let off = off.unsigned_abs();
        t.push_str(sign);
        t.push_u64((off / 3600).into(), 2);
        if off % 3600 != 0 {
            t.push_str(":");
            t.push_u64((off / 60 % 60).into(), 2);
        }
        if off % 60 != 0 {
            t.push_str(":");
            t.push_u64((off % 60).into(), 2);
        }
        t.write_to(f)
    }
}

macro_rules! render_instant {
    ($($t:ty, $field:ident, $digits:literal, $tz:literal;)*) => {$(
        impl Render for $t {
            const PLAIN: bool = false;
            #[inline]
            fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
                write_instant(f, self.$field, Self::PER_SECOND, $digits, $tz)
            }
        }
    )*};
}

render_instant!(
    Timestamp, micros, 6, false;
    TimestampS, seconds, 0, false;
    TimestampMs, millis, 3, false;
    TimestampNs, nanos, 9, false;
    TimestampTz, micros, 6, true;
    TimestampTzNs, nanos, 9, true;
);

impl Render for Interval {
    const PLAIN: bool = false;
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let mut t = TextBuf::new();
        let mut first = true;
        let (years, months) = (self.months / 12, self.months % 12);
        for (n, unit) in [(years, " year"), (months, " month"), (self.days, " day")] {
            if n != 0 {
                if !first {
                    t.push_str(" ");
                }
                first = false;
                if n < 0 {
                    t.push_str("-");
                }
                t.push_u64(n.unsigned_abs().into(), 1);
                t.push_str(unit);
                if n.unsigned_abs() != 1 {
                    t.push_str("s");
                }
            }
        }
        if self.micros != 0 || first {
            if !first {
                t.push_str(" ");
            }
            if self.micros < 0 {
                t.push_str("-");
            }
            let abs = self.micros.unsigned_abs();
            write_clock(&mut t, abs / 1_000_000, abs % 1_000_000, 6);
        }
        t.write_to(f)
    }
}
