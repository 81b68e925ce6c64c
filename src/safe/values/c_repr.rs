//! [`CRepr`]: each fixed-width value's C struct (what `duckdb_bind_*`, `duckdb_append_*`,
//! `duckdb_create_*` take and `duckdb_get_*` return), and the conversions both ways.

use super::fixed::*;
use super::numeric::{from_hugeint, from_uhugeint, to_hugeint, to_uhugeint};
use crate as ffi;

/// A Rust value and the C type the C API passes it as.
pub(crate) trait CRepr: Copy {
    /// The C type.
    type C;
    /// The value as the C API takes it.
    fn to_c(self) -> Self::C;
    /// The value from what the C API returned.
    fn from_c(c: Self::C) -> Self;
}

macro_rules! c_repr {
    // Passed as themselves.
    ($($t:ty),* ;) => {$(
        impl CRepr for $t {
            type C = $t;
            #[inline]
            fn to_c(self) -> $t {
                self
            }
            #[inline]
            fn from_c(c: $t) -> $t {
                c
            }
        }
    )*};
    // Converted by two functions.
    ($($t:ty => $c:ident by $to:expr, $from:expr;)*) => {$(
        impl CRepr for $t {
            type C = ffi::$c;
            #[inline]
            fn to_c(self) -> ffi::$c {
                $to(self)
            }
            #[inline]
            fn from_c(c: ffi::$c) -> $t {
                $from(c)
            }
        }
    )*};
    // Structs whose fields are copied one by one.
    ($($t:ident => $c:ident { $($field:ident),+ };)*) => {$(
        impl CRepr for $t {
            type C = ffi::$c;
            #[inline]
            fn to_c(self) -> ffi::$c {
                ffi::$c { $($field: self.$field),+ }
            }
            #[inline]
            fn from_c(c: ffi::$c) -> $t {
                $t { $($field: c.$field),+ }
            }
        }
    )*};
}

c_repr!(bool, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64;);

c_repr! {
    Date => duckdb_date { days };
    Time => duckdb_time { micros };
    TimeNs => duckdb_time_ns { nanos };
    TimeTz => duckdb_time_tz { bits };
    Timestamp => duckdb_timestamp { micros };
    TimestampS => duckdb_timestamp_s { seconds };
    TimestampMs => duckdb_timestamp_ms { millis };
    TimestampNs => duckdb_timestamp_ns { nanos };
    TimestampTz => duckdb_timestamp { micros };
    TimestampTzNs => duckdb_timestamp_ns { nanos };
    Interval => duckdb_interval { months, days, micros };
}

c_repr! {
    i128 => duckdb_hugeint by to_hugeint, from_hugeint;
    u128 => duckdb_uhugeint by to_uhugeint, from_uhugeint;
    // The C API passes a UUID as its 128-bit value (the first hex digit most significant), not
    // as its flipped storage.
    Uuid => duckdb_uhugeint by |v: Uuid| to_uhugeint(v.0), |c| Uuid(from_uhugeint(c));
}
