//! C API area: appending values to an appender (`duckdb_append_*`, `duckdb_append_data_chunk`).

use super::appender::appender_ref;
use super::chunk::chunk_ref;
use super::registry::{ERROR, SUCCESS, fail};
use super::storage::VectorObj;
use super::ty::Cell;
use super::value::value_ref;
use crate as ffi;
use std::ffi::{c_char, c_void};
use std::ptr;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_default(
    appender: ffi::duckdb_appender,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    let a = unsafe { appender_ref(appender, "duckdb_append_default") };
    // Both columns of t default to NULL; a query appender's columns have no default.
    a.table_only("AppendDefault")
        .unwrap_or_else(|| a.append(Cell::Null))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_null(appender: ffi::duckdb_appender) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handle.
    unsafe { appender_ref(appender, "duckdb_append_null") }.append(Cell::Null)
}

/// Appenders of scalar values.
macro_rules! appenders {
    ($($name:ident($t:ty) => |$v:ident| $cell:expr;)*) => {$(
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(appender: ffi::duckdb_appender, $v: $t) -> ffi::duckdb_state {
            if appender.is_null() {
                return ERROR;
            }
            // SAFETY: checked handle.
            unsafe { appender_ref(appender, stringify!($name)) }.append($cell)
        }
    )*};
}

appenders! {
    duckdb_append_bool(bool) => |value| Cell::Bool(value);
    duckdb_append_int8(i8) => |value| Cell::Int(value.into());
    duckdb_append_int16(i16) => |value| Cell::Int(value.into());
    duckdb_append_int32(i32) => |value| Cell::Int(value.into());
    duckdb_append_int64(i64) => |value| Cell::Int(value.into());
    duckdb_append_uint8(u8) => |value| Cell::Int(value.into());
    duckdb_append_uint16(u16) => |value| Cell::Int(value.into());
    duckdb_append_uint32(u32) => |value| Cell::Int(value.into());
    duckdb_append_uint64(u64) => |value| Cell::Int(value.into());
    duckdb_append_float(f32) => |value| Cell::Float(value.into());
    duckdb_append_double(f64) => |value| Cell::Float(value);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_varchar_length(
    appender: ffi::duckdb_appender,
    val: *const c_char,
    length: ffi::idx_t,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: the caller's bytes, copied; checked handle.
    unsafe {
        let bytes = std::slice::from_raw_parts(val.cast::<u8>(), length as usize).to_vec();
        appender_ref(appender, "duckdb_append_varchar_length").append(Cell::Text(bytes))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_blob(
    appender: ffi::duckdb_appender,
    data: *const c_void,
    length: ffi::idx_t,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: the caller's bytes, copied; checked handle.
    unsafe {
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), length as usize).to_vec();
        appender_ref(appender, "duckdb_append_blob").append(Cell::Text(bytes))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_value(
    appender: ffi::duckdb_appender,
    value: ffi::duckdb_value,
) -> ffi::duckdb_state {
    if appender.is_null() {
        return ERROR;
    }
    // SAFETY: checked handles; the value is copied.
    unsafe {
        let cell = value_ref(value, "duckdb_append_value").cell.clone();
        appender_ref(appender, "duckdb_append_value").append(cell)
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_append_data_chunk(
    appender: ffi::duckdb_appender,
    chunk: ffi::duckdb_data_chunk,
) -> ffi::duckdb_state {
    if appender.is_null() || chunk.is_null() {
        return ERROR;
    }
    // SAFETY: checked handles.
    let (a, chunk) = unsafe {
        (
            appender_ref(appender, "duckdb_append_data_chunk"),
            chunk_ref(chunk, "duckdb_append_data_chunk"),
        )
    };
    a.run(|_| {
        let columns = a.columns.borrow().len();
        if chunk.vectors.len() != columns {
            return a.invalid(&format!("Type mismatch in Append DataChunk and the types required for appender, expected {columns} columns"));
        }
        for row in 0..chunk.size.get() {
            let cells = chunk
                .vectors
                .iter()
                // SAFETY: the chunk's own vectors, row < size (reads of unwritten rows are
                // reported by Miri as uninitialised memory).
                .map(|&v| unsafe { read_cell(&*v, row) })
                .collect();
            a.buffer.borrow_mut().push(cells);
        }
        SUCCESS
    })
}

/// Reads row `row` of a flat vector of a simple type back into a cell.
///
/// # Safety
/// `row` is below the vector's capacity.
unsafe fn read_cell(v: &VectorObj, row: usize) -> Cell {
    if let Some(mask) = v.validity.borrow().as_ref() {
        // SAFETY: the mask covers the vector's capacity.
        if unsafe { *mask.ptr.cast::<u64>().add(row / 64) } & (1 << (row % 64)) == 0 {
            return Cell::Null;
        }
    }
    let width = v.ty.width();
    // SAFETY: slot `row` is inside the data buffer.
    unsafe {
        let slot = v.data.ptr.add(row * width);
        match v.ty.id() {
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => Cell::Bool(*slot != 0),
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR | ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB => {
                let len = slot.cast::<u32>().read() as usize;
                let data = if len <= 12 {
                    slot.add(4).cast_const()
                } else {
                    slot.add(8).cast::<*const u8>().read()
                };
                Cell::Text(std::slice::from_raw_parts(data, len).to_vec())
            }
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT => Cell::Float(slot.cast::<f32>().read().into()),
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => Cell::Float(slot.cast::<f64>().read()),
            _ if width <= 16 && width > 0 => {
                let mut bytes = [0u8; 16];
                ptr::copy_nonoverlapping(slot, bytes.as_mut_ptr(), width);
                // Sign-extend from the stored width.
                let shift = 128 - 8 * width as u32;
                Cell::Int((i128::from_le_bytes(bytes) << shift) >> shift)
            }
            other => fail(format_args!(
                "duckdb_append_data_chunk: the model cannot read type id {other}"
            )),
        }
    }
}
