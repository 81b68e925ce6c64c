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

impl CRepr for i128 {
    type C = ffi::duckdb_hugeint;
    #[inline]
    fn to_c(self) -> ffi::duckdb_hugeint {
        to_hugeint(self)
    }
    #[inline]
    fn from_c(c: ffi::duckdb_hugeint) -> i128 {
        from_hugeint(c)
    }
}

impl CRepr for u128 {
    type C = ffi::duckdb_uhugeint;
    #[inline]
    fn to_c(self) -> ffi::duckdb_uhugeint {
        to_uhugeint(self)
    }
    #[inline]
    fn from_c(c: ffi::duckdb_uhugeint) -> u128 {
        from_uhugeint(c)
    }
}

/// The C API passes a UUID as its 128-bit value (the first hex digit most significant), not
/// as its flipped storage.
impl CRepr for Uuid {
    type C = ffi::duckdb_uhugeint;
    #[inline]
    fn to_c(self) -> ffi::duckdb_uhugeint {
        to_uhugeint(self.0)
    }
    #[inline]
    fn from_c(c: ffi::duckdb_uhugeint) -> Uuid {
        Uuid(from_uhugeint(c))
    }
}
