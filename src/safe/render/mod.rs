//! Rendering: the one place that writes values as text, exactly as DuckDB's
//! `CAST(v AS VARCHAR)` does.
//!
//! Every renderer here writes to any [`fmt::Write`]: a `Formatter` (the `Display` impls), a
//! `String` or a stack buffer. Two callers share them: `Datum`'s `Display`, and the borrowed
//! cells of [`DisplayCells`](crate::safe::DisplayCells), which render straight from a chunk's
//! storage without building a `Datum`. Both call the same per-type functions ([`Render`]) and
//! the same nested-value helpers (`nested::write_list`, `write_struct`, `write_map`,
//! `write_child_value`, `write_child_rendered`), so there is one copy of the rules.
//!
//! By concern: `calendar` (dates, times, timestamps, intervals), `scalars` (numbers, UUIDs,
//! BLOB, BIT), `float` (the shortest round-trip text of FLOAT and DOUBLE), `nested` (LIST,
//! ARRAY, STRUCT, MAP, UNION, values held by a VARIANT, and `Datum`'s `Display`), `cells`
//! (rendering straight from a chunk's storage), and `text_buf` (a stack buffer they share).
//! GEOMETRY's WKT is written by its own module (`values/geometry.rs`), which also checks the
//! WKB with the same walk.

mod calendar;
mod cells;
mod float;
mod nested;
mod scalars;
mod text_buf;

pub use cells::{DisplayCell, DisplayCells};
pub(crate) use float::DuckDouble;
pub(crate) use text_buf::TextBuf;

use crate::safe::values::Decimal;
use crate::safe::values::fixed::*;
use std::fmt;

/// How one value is written as text, and whether that text can ever need quotes inside a
/// nested value (numbers, booleans and UUIDs cannot).
pub(crate) trait Render {
    /// The text never needs quotes inside a LIST, STRUCT or MAP.
    const PLAIN: bool;
    /// Writes the value as DuckDB's `CAST(v AS VARCHAR)` does.
    fn render<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result;
}

/// `Display` through [`Render`] (the one implementation).
macro_rules! display_via_render {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.render(f)
            }
        }
    )*};
}

display_via_render!(
    Date,
    Time,
    TimeNs,
    TimeTz,
    Timestamp,
    TimestampS,
    TimestampMs,
    TimestampNs,
    TimestampTz,
    TimestampTzNs,
    Interval,
    Decimal,
    Uuid
);

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
}
