//! C API area: values of the types DuckDB stores as plain integers (dates, times, timestamps,
//! HUGEINT, UHUGEINT, UUID, TIME WITH TIME ZONE, INTERVAL), and binding and appending them.

use super::appender::appender_ref;
use super::registry::ERROR;
use super::statement::bind;
use super::ty::{Cell, simple};
use super::value::{new_value, value_ref};
use crate as ffi;

// ---------------------------------------------------------------------------------------------
// Dates, times and 128-bit integers (stored as integers, as DuckDB does)
// ---------------------------------------------------------------------------------------------

macro_rules! wrapped_scalars {
    ($($t:ident . $field:ident = $id:ident: $create:ident, $get:ident $(, bind $bind:ident)? $(, append $append:ident)?;)*) => {$(
        #[unsafe(no_mangle)]
        pub extern "C" fn $create(input: ffi::$t) -> ffi::duckdb_value {
            new_value(simple(ffi::$id), Cell::Int(input.$field.into()))
        }

        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $get(val: ffi::duckdb_value) -> ffi::$t {
            // SAFETY: checked handle.
            let v = match unsafe { value_ref(val, stringify!($get)) }.cell {
                Cell::Int(i) => i,
                _ => 0,
            };
            ffi::$t { $field: v as _ }
        }

        $(
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn $bind(
                prepared_statement: ffi::duckdb_prepared_statement,
                param_idx: ffi::idx_t,
                val: ffi::$t,
            ) -> ffi::duckdb_state {
                // SAFETY: forwarded.
                unsafe { bind(prepared_statement, param_idx, Cell::Int(val.$field.into()), stringify!($bind)) }
            }
        )?

        $(
            #[unsafe(no_mangle)]
            pub unsafe extern "C" fn $append(appender: ffi::duckdb_appender, value: ffi::$t) -> ffi::duckdb_state {
                if appender.is_null() {
                    return ERROR;
                }
                // SAFETY: checked handle.
                unsafe { appender_ref(appender, stringify!($append)) }.append(Cell::Int(value.$field.into()))
            }
        )?
    )*};
}

wrapped_scalars! {
    duckdb_date.days = DUCKDB_TYPE_DUCKDB_TYPE_DATE: duckdb_create_date, duckdb_get_date, bind duckdb_bind_date, append duckdb_append_date;
    duckdb_time.micros = DUCKDB_TYPE_DUCKDB_TYPE_TIME: duckdb_create_time, duckdb_get_time, bind duckdb_bind_time, append duckdb_append_time;
    duckdb_time_ns.nanos = DUCKDB_TYPE_DUCKDB_TYPE_TIME_NS: duckdb_create_time_ns, duckdb_get_time_ns;
    duckdb_timestamp.micros = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP:
        duckdb_create_timestamp, duckdb_get_timestamp, bind duckdb_bind_timestamp, append duckdb_append_timestamp;
    duckdb_timestamp.micros = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ:
        duckdb_create_timestamp_tz, duckdb_get_timestamp_tz, bind duckdb_bind_timestamp_tz;
    duckdb_timestamp_s.seconds = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_S: duckdb_create_timestamp_s, duckdb_get_timestamp_s;
    duckdb_timestamp_ms.millis = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_MS: duckdb_create_timestamp_ms, duckdb_get_timestamp_ms;
    duckdb_timestamp_ns.nanos = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_NS: duckdb_create_timestamp_ns, duckdb_get_timestamp_ns;
    duckdb_timestamp_ns.nanos = DUCKDB_TYPE_DUCKDB_TYPE_TIMESTAMP_TZ_NS:
        duckdb_create_timestamp_tz_ns, duckdb_get_timestamp_tz_ns;
}

pub(super) fn from_huge(lower: u64, upper: i128) -> i128 {
    (upper << 64) | i128::from(lower)
}

pub(super) fn value_int(val: ffi::duckdb_value, func: &str) -> i128 {
    // SAFETY: checked handle.
    match unsafe { value_ref(val, func) }.cell {
        Cell::Int(i) => i,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_hugeint(input: ffi::duckdb_hugeint) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT),
        Cell::Int(from_huge(input.lower, input.upper.into())),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_hugeint(val: ffi::duckdb_value) -> ffi::duckdb_hugeint {
    let v = value_int(val, "duckdb_get_hugeint");
    ffi::duckdb_hugeint {
        lower: v as u64,
        upper: (v >> 64) as i64,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_uhugeint(input: ffi::duckdb_uhugeint) -> ffi::duckdb_value {
    // Stored as the same 128 bits (the model's cells are i128).
    let bits = (u128::from(input.upper) << 64) | u128::from(input.lower);
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT),
        Cell::Int(bits as i128),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_uhugeint(val: ffi::duckdb_value) -> ffi::duckdb_uhugeint {
    let v = value_int(val, "duckdb_get_uhugeint") as u128;
    ffi::duckdb_uhugeint {
        lower: v as u64,
        upper: (v >> 64) as u64,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_hugeint(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_hugeint,
) -> ffi::duckdb_state {
    let cell = Cell::Int(from_huge(val.lower, val.upper.into()));
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_hugeint") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_uhugeint(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_uhugeint,
) -> ffi::duckdb_state {
    let cell = Cell::Int(((u128::from(val.upper) << 64) | u128::from(val.lower)) as i128);
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_uhugeint") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_hugeint(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_hugeint,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_hugeint") }
        .append(Cell::Int(from_huge(value.lower, value.upper.into())))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_uhugeint(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_uhugeint,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    let bits = (u128::from(value.upper) << 64) | u128::from(value.lower);
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_uhugeint") }.append(Cell::Int(bits as i128))
}

// ---------------------------------------------------------------------------------------------
// UUID, TIME WITH TIME ZONE, INTERVAL values (no canned column has these types)
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_uuid(input: ffi::duckdb_uhugeint) -> ffi::duckdb_value {
    let bits = (u128::from(input.upper) << 64) | u128::from(input.lower);
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_UUID),
        Cell::Int(bits as i128),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_uuid(val: ffi::duckdb_value) -> ffi::duckdb_uhugeint {
    let v = value_int(val, "duckdb_get_uuid") as u128;
    ffi::duckdb_uhugeint {
        lower: v as u64,
        upper: (v >> 64) as u64,
    }
}

/// DuckDB's TIME WITH TIME ZONE packing: micros in the high 40 bits, `MAX_OFFSET - offset` in
/// the low 24 (dtime_tz_t in the pinned sources).
const TIME_TZ_MAX_OFFSET: i32 = 16 * 60 * 60 - 1;

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_time_tz(micros: i64, offset: i32) -> ffi::duckdb_time_tz {
    ffi::duckdb_time_tz {
        bits: ((micros as u64) << 24) | (TIME_TZ_MAX_OFFSET - offset) as u64,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_from_time_tz(micros: ffi::duckdb_time_tz) -> ffi::duckdb_time_tz_struct {
    let time = (micros.bits >> 24) as i64;
    let offset = TIME_TZ_MAX_OFFSET - (micros.bits & 0xFF_FFFF) as i32;
    let seconds = time / 1_000_000;
    ffi::duckdb_time_tz_struct {
        time: ffi::duckdb_time_struct {
            hour: (seconds / 3600) as i8,
            min: (seconds / 60 % 60) as i8,
            sec: (seconds % 60) as i8,
            micros: (time % 1_000_000) as i32,
        },
        offset,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_time_tz_value(value: ffi::duckdb_time_tz) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_TIME_TZ),
        Cell::Int(value.bits.into()),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_time_tz(val: ffi::duckdb_value) -> ffi::duckdb_time_tz {
    ffi::duckdb_time_tz {
        bits: value_int(val, "duckdb_get_time_tz") as u64,
    }
}

/// Intervals travel packed in one integer cell (months, days, micros), only as values and
/// parameters: no canned column stores one.
fn pack_interval(i: ffi::duckdb_interval) -> Cell {
    Cell::Int(
        (i128::from(i.months as u32) << 96)
            | (i128::from(i.days as u32) << 64)
            | i128::from(i.micros as u64),
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_interval(input: ffi::duckdb_interval) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTERVAL),
        pack_interval(input),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_interval(val: ffi::duckdb_value) -> ffi::duckdb_interval {
    let v = value_int(val, "duckdb_get_interval");
    ffi::duckdb_interval {
        months: (v >> 96) as u32 as i32,
        days: (v >> 64) as u32 as i32,
        micros: v as u64 as i64,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_interval(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_interval,
) -> ffi::duckdb_state {
    // SAFETY: forwarded.
    unsafe {
        bind(
            prepared_statement,
            param_idx,
            pack_interval(val),
            "duckdb_bind_interval",
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_interval(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_interval,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_interval") }.append(pack_interval(value))
}
