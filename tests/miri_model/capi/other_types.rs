//! C API area: constructors of the DECIMAL, ENUM, MAP, ARRAY and UNION types and their values,
//! and BIT values.

use super::logical_type::{new_logical_type, type_ref};
use super::registry::{malloc, text};
use super::scalars::{from_huge, value_int};
use super::statement::bind;
use super::ty::{Cell, Ty, simple};
use super::value::{new_value, value_ref};
use crate as ffi;
use std::ffi::c_char;
use std::ptr;

// ---------------------------------------------------------------------------------------------
// Constructors of the other types and their values
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_decimal_type(width: u8, scale: u8) -> ffi::duckdb_logical_type {
    new_logical_type(Ty::Decimal(width, scale))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_enum_type(
    member_names: *mut *const c_char,
    member_count: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's array of `member_count` C strings (copied).
    let names = (0..member_count as usize)
        .map(|i| unsafe { text(*member_names.add(i), "duckdb_create_enum_type") }.to_string());
    new_logical_type(Ty::Enum(names.collect()))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_map_type(
    key_type: ffi::duckdb_logical_type,
    value_type: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handles (copied).
    let (k, v) = unsafe {
        (
            type_ref(key_type, "duckdb_create_map_type").clone(),
            type_ref(value_type, "duckdb_create_map_type").clone(),
        )
    };
    new_logical_type(Ty::Map(Box::new(k), Box::new(v)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_array_type(
    type_: ffi::duckdb_logical_type,
    array_size: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle (copied).
    let child = unsafe { type_ref(type_, "duckdb_create_array_type") }.clone();
    new_logical_type(Ty::Array(Box::new(child), array_size as usize))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_union_type(
    member_types: *mut ffi::duckdb_logical_type,
    member_names: *mut *const c_char,
    member_count: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's arrays of `member_count` live types and C strings (copied).
    let members = (0..member_count as usize)
        .map(|i| unsafe {
            (
                text(*member_names.add(i), "duckdb_create_union_type").to_string(),
                type_ref(*member_types.add(i), "duckdb_create_union_type").clone(),
            )
        })
        .collect();
    new_logical_type(Ty::Union(members))
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_decimal(input: ffi::duckdb_decimal) -> ffi::duckdb_value {
    let value = from_huge(input.value.lower, input.value.upper.into());
    new_value(Ty::Decimal(input.width, input.scale), Cell::Int(value))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_decimal(val: ffi::duckdb_value) -> ffi::duckdb_decimal {
    // SAFETY: checked handle; the value's own type.
    let (ty, v) = unsafe {
        let v = value_ref(val, "duckdb_get_decimal");
        (
            &(*v.ty).ty,
            match v.cell {
                Cell::Int(i) => i,
                _ => 0,
            },
        )
    };
    let (width, scale) = match ty {
        Ty::Decimal(w, s) => (*w, *s),
        _ => (0, 0),
    };
    ffi::duckdb_decimal {
        width,
        scale,
        value: ffi::duckdb_hugeint {
            lower: v as u64,
            upper: (v >> 64) as i64,
        },
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_bind_decimal(
    prepared_statement: ffi::duckdb_prepared_statement,
    param_idx: ffi::idx_t,
    val: ffi::duckdb_decimal,
) -> ffi::duckdb_state {
    let cell = Cell::Int(from_huge(val.value.lower, val.value.upper.into()));
    // SAFETY: forwarded.
    unsafe { bind(prepared_statement, param_idx, cell, "duckdb_bind_decimal") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_enum_value(
    type_: ffi::duckdb_logical_type,
    value: u64,
) -> ffi::duckdb_value {
    // SAFETY: checked handle (copied).
    let ty = unsafe { type_ref(type_, "duckdb_create_enum_value") }.clone();
    match &ty {
        Ty::Enum(dict) if (value as usize) < dict.len() => new_value(ty, Cell::Int(value.into())),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_enum_value(value: ffi::duckdb_value) -> u64 {
    value_int(value, "duckdb_get_enum_value") as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_map_value(
    map_type: ffi::duckdb_logical_type,
    keys: *mut ffi::duckdb_value,
    values: *mut ffi::duckdb_value,
    entry_count: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let ty = type_ref(map_type, "duckdb_create_map_value").clone();
        if !matches!(ty, Ty::Map(..)) {
            return ptr::null_mut();
        }
        let entries = (0..entry_count as usize)
            .map(|i| {
                Cell::Struct(vec![
                    value_ref(*keys.add(i), "duckdb_create_map_value")
                        .cell
                        .clone(),
                    value_ref(*values.add(i), "duckdb_create_map_value")
                        .cell
                        .clone(),
                ])
            })
            .collect();
        new_value(ty, Cell::List(entries))
    }
}

/// Key (`part` 0) or value (`part` 1) of map entry `index`, as a new owned value.
///
/// # Safety
/// `value` is a value handle from the model (checked).
unsafe fn map_part(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
    part: usize,
    func: &str,
) -> ffi::duckdb_value {
    // SAFETY: checked handle; the value's own type.
    let (cell, ty) = unsafe {
        let v = value_ref(value, func);
        (&v.cell, &(*v.ty).ty)
    };
    match (cell, ty) {
        (Cell::List(entries), Ty::Map(k, v)) => match entries.get(index as usize) {
            Some(Cell::Struct(kv)) => new_value(
                if part == 0 {
                    (**k).clone()
                } else {
                    (**v).clone()
                },
                kv[part].clone(),
            ),
            _ => ptr::null_mut(),
        },
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_map_size(value: ffi::duckdb_value) -> ffi::idx_t {
    // SAFETY: checked handle.
    match &unsafe { value_ref(value, "duckdb_get_map_size") }.cell {
        Cell::List(entries) => entries.len() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_map_key(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { map_part(value, index, 0, "duckdb_get_map_key") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_map_value(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { map_part(value, index, 1, "duckdb_get_map_value") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_array_value(
    type_: ffi::duckdb_logical_type,
    values: *mut ffi::duckdb_value,
    value_count: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let child = type_ref(type_, "duckdb_create_array_value").clone();
        let items = (0..value_count as usize)
            .map(|i| {
                value_ref(*values.add(i), "duckdb_create_array_value")
                    .cell
                    .clone()
            })
            .collect();
        new_value(
            Ty::Array(Box::new(child), value_count as usize),
            Cell::List(items),
        )
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_union_value(
    union_type: ffi::duckdb_logical_type,
    tag_index: ffi::idx_t,
    value: ffi::duckdb_value,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the input is copied and stays owned by the caller.
    unsafe {
        let ty = type_ref(union_type, "duckdb_create_union_value").clone();
        let Ty::Union(members) = &ty else {
            return ptr::null_mut();
        };
        if tag_index as usize >= members.len() {
            return ptr::null_mut();
        }
        let mut cells = vec![Cell::Null; members.len() + 1];
        cells[0] = Cell::Int(tag_index.into());
        cells[tag_index as usize + 1] = value_ref(value, "duckdb_create_union_value").cell.clone();
        new_value(ty, Cell::Struct(cells))
    }
}

/// BIT values keep DuckDB's storage bytes as they are handed in.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_bit(input: ffi::duckdb_bit) -> ffi::duckdb_value {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(input.data, input.size as usize) }.to_vec();
    new_value(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIT), Cell::Text(bytes))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_bit(val: ffi::duckdb_value) -> ffi::duckdb_bit {
    // SAFETY: checked handle.
    let Cell::Text(bytes) = &unsafe { value_ref(val, "duckdb_get_bit") }.cell else {
        return ffi::duckdb_bit {
            data: ptr::null_mut(),
            size: 0,
        };
    };
    // SAFETY: malloc of the size, filled completely; owned by the caller (duckdb_free).
    unsafe {
        let data = malloc(bytes.len().max(1)).cast::<u8>();
        ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        ffi::duckdb_bit {
            data,
            size: bytes.len() as u64,
        }
    }
}
