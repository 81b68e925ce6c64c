//! C API area: values (`duckdb_create_*`/`duckdb_get_*` of the basic types, LIST and STRUCT
//! values, `duckdb_value_to_string`, `duckdb_destroy_value`), and LIST and STRUCT types.

use super::logical_type::{BORROWED_TYPE, LogicalTypeObj, new_logical_type, type_ref};
use super::registry::{adopt, destroy, fail, live, malloc, malloc_string, release, text};
use super::ty::{Cell, Ty, simple};
use crate as ffi;
use std::ffi::c_char;
use std::ptr;

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

pub(super) struct ValueObj {
    pub(super) cell: Cell,
    /// Borrowed by duckdb_get_value_type; freed with the value.
    pub(super) ty: *mut LogicalTypeObj,
}
const VALUE: &str = "value";

impl Drop for ValueObj {
    fn drop(&mut self) {
        // SAFETY: the value's own type object, registered as borrowed.
        unsafe { release(self.ty, BORROWED_TYPE, "duckdb_destroy_value") };
    }
}

pub(super) fn new_value(ty: Ty, cell: Cell) -> ffi::duckdb_value {
    let ty = adopt(BORROWED_TYPE, LogicalTypeObj { ty });
    adopt(VALUE, ValueObj { cell, ty }).cast()
}

/// # Safety
/// `value` is a value handle from the model (checked).
pub(super) unsafe fn value_ref<'a>(value: ffi::duckdb_value, func: &str) -> &'a ValueObj {
    // SAFETY: checked by the registry.
    unsafe { live(value.cast::<ValueObj>(), VALUE, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_value(value: *mut ffi::duckdb_value) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ValueObj>(value, VALUE, "duckdb_destroy_value") }
}

/// Constructors and getters of scalar values.
macro_rules! scalar_values {
    ($($create:ident / $get:ident($t:ty) = $id:ident;)*) => {$(
        #[unsafe(no_mangle)]
        pub extern "C" fn $create(val: $t) -> ffi::duckdb_value {
            #[allow(clippy::unnecessary_cast, clippy::cast_lossless)]
            new_value(simple(ffi::$id), scalar_cell(val as f64, val as i128, ffi::$id))
        }

        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $get(val: ffi::duckdb_value) -> $t {
            // SAFETY: checked handle.
            #[allow(clippy::unnecessary_cast)]
            match unsafe { value_ref(val, stringify!($get)) }.cell {
                Cell::Int(i) => i as $t,
                Cell::Float(f) => f as $t,
                Cell::Bool(b) => (b as u8) as $t,
                _ => 0 as $t,
            }
        }
    )*};
}

fn scalar_cell(f: f64, i: i128, id: ffi::duckdb_type) -> Cell {
    match id {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT | ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => Cell::Float(f),
        _ => Cell::Int(i),
    }
}

scalar_values! {
    duckdb_create_int8 / duckdb_get_int8(i8) = DUCKDB_TYPE_DUCKDB_TYPE_TINYINT;
    duckdb_create_int16 / duckdb_get_int16(i16) = DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT;
    duckdb_create_int32 / duckdb_get_int32(i32) = DUCKDB_TYPE_DUCKDB_TYPE_INTEGER;
    duckdb_create_int64 / duckdb_get_int64(i64) = DUCKDB_TYPE_DUCKDB_TYPE_BIGINT;
    duckdb_create_uint8 / duckdb_get_uint8(u8) = DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT;
    duckdb_create_uint16 / duckdb_get_uint16(u16) = DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT;
    duckdb_create_uint32 / duckdb_get_uint32(u32) = DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER;
    duckdb_create_uint64 / duckdb_get_uint64(u64) = DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT;
    duckdb_create_float / duckdb_get_float(f32) = DUCKDB_TYPE_DUCKDB_TYPE_FLOAT;
    duckdb_create_double / duckdb_get_double(f64) = DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE;
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_bool(input: bool) -> ffi::duckdb_value {
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN),
        Cell::Bool(input),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_bool(val: ffi::duckdb_value) -> bool {
    // SAFETY: checked handle.
    matches!(
        unsafe { value_ref(val, "duckdb_get_bool") }.cell,
        Cell::Bool(true)
    )
}

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_create_null_value() -> ffi::duckdb_value {
    new_value(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_SQLNULL), Cell::Null)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_is_null_value(value: ffi::duckdb_value) -> bool {
    // SAFETY: checked handle.
    value.is_null()
        || matches!(
            unsafe { value_ref(value, "duckdb_is_null_value") }.cell,
            Cell::Null
        )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_varchar_length(
    text: *const c_char,
    length: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(text.cast::<u8>(), length as usize) }.to_vec();
    if std::str::from_utf8(&bytes).is_err() {
        return ptr::null_mut(); // DuckDB rejects invalid UTF-8 here
    }
    new_value(
        simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR),
        Cell::Text(bytes),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_blob(
    data: *const u8,
    length: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: the caller's bytes, copied.
    let bytes = unsafe { std::slice::from_raw_parts(data, length as usize) }.to_vec();
    new_value(simple(ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB), Cell::Text(bytes))
}

fn render(cell: &Cell) -> String {
    match cell {
        Cell::Null => "NULL".into(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::Float(f) => f.to_string(),
        // As a SQL literal, the way duckdb_value_to_string renders VARCHAR.
        Cell::Text(bytes) => format!("'{}'", String::from_utf8_lossy(bytes).replace('\'', "''")),
        Cell::List(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        Cell::Struct(items) => format!(
            "({})",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_varchar(value: ffi::duckdb_value) -> *mut c_char {
    // SAFETY: checked handle.
    let v = unsafe { value_ref(value, "duckdb_get_varchar") };
    if !matches!(v.cell, Cell::Text(_)) {
        // DuckDB casts without try/catch: an exception would cross into Rust.
        fail(format_args!(
            "duckdb_get_varchar on a non-VARCHAR value: DuckDB would throw across the C boundary"
        ));
    }
    let Cell::Text(bytes) = &v.cell else {
        unreachable!()
    };
    malloc_string(&String::from_utf8_lossy(bytes))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_value_to_string(value: ffi::duckdb_value) -> *mut c_char {
    // SAFETY: checked handle.
    malloc_string(&render(
        &unsafe { value_ref(value, "duckdb_value_to_string") }.cell,
    ))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_blob(val: ffi::duckdb_value) -> ffi::duckdb_blob {
    // SAFETY: checked handle.
    let v = unsafe { value_ref(val, "duckdb_get_blob") };
    let Cell::Text(bytes) = &v.cell else {
        fail(format_args!(
            "duckdb_get_blob on a non-BLOB value: DuckDB would throw across the C boundary"
        ));
    };
    // SAFETY: malloc of the blob's size, filled completely; owned by the caller (duckdb_free).
    unsafe {
        let data = malloc(bytes.len().max(1)).cast::<u8>();
        ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        ffi::duckdb_blob {
            data: data.cast(),
            size: bytes.len() as u64,
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_value_type(val: ffi::duckdb_value) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle; the type is borrowed from the value.
    unsafe { value_ref(val, "duckdb_get_value_type") }.ty.cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_list_type(
    type_: ffi::duckdb_logical_type,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle (copied).
    let child = unsafe { type_ref(type_, "duckdb_create_list_type") }.clone();
    new_logical_type(Ty::List(Box::new(child)))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_struct_type(
    member_types: *mut ffi::duckdb_logical_type,
    member_names: *mut *const c_char,
    member_count: ffi::idx_t,
) -> ffi::duckdb_logical_type {
    // SAFETY: the caller's arrays of `member_count` live types and C strings (copied).
    let fields = (0..member_count as usize)
        .map(|i| unsafe {
            (
                text(*member_names.add(i), "duckdb_create_struct_type").to_string(),
                type_ref(*member_types.add(i), "duckdb_create_struct_type").clone(),
            )
        })
        .collect();
    new_logical_type(Ty::Struct(fields))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_list_value(
    type_: ffi::duckdb_logical_type,
    values: *mut ffi::duckdb_value,
    value_count: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let child = type_ref(type_, "duckdb_create_list_value").clone();
        let items = (0..value_count as usize)
            .map(|i| {
                value_ref(*values.add(i), "duckdb_create_list_value")
                    .cell
                    .clone()
            })
            .collect();
        new_value(Ty::List(Box::new(child)), Cell::List(items))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_struct_value(
    type_: ffi::duckdb_logical_type,
    values: *mut ffi::duckdb_value,
) -> ffi::duckdb_value {
    // SAFETY: checked handles; the inputs are copied and stay owned by the caller.
    unsafe {
        let ty = type_ref(type_, "duckdb_create_struct_value").clone();
        let Ty::Struct(fields) = &ty else {
            return ptr::null_mut();
        };
        let items = (0..fields.len())
            .map(|i| {
                value_ref(*values.add(i), "duckdb_create_struct_value")
                    .cell
                    .clone()
            })
            .collect();
        new_value(ty, Cell::Struct(items))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_list_size(value: ffi::duckdb_value) -> ffi::idx_t {
    // SAFETY: checked handle.
    match &unsafe { value_ref(value, "duckdb_get_list_size") }.cell {
        Cell::List(items) => items.len() as u64,
        _ => 0,
    }
}

/// Child `index` of a LIST or STRUCT value, as a new owned value.
///
/// # Safety
/// `value` is a value handle from the model (checked).
unsafe fn child_value(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
    func: &str,
) -> ffi::duckdb_value {
    // SAFETY: checked handle.
    let v = unsafe { value_ref(value, func) };
    // SAFETY: the value's own type object.
    let ty = unsafe { &(*v.ty).ty };
    match (&v.cell, ty) {
        (Cell::List(items), Ty::List(child)) => items
            .get(index as usize)
            .map_or(ptr::null_mut(), |c| new_value((**child).clone(), c.clone())),
        (Cell::Struct(items), Ty::Struct(fields)) => {
            items.get(index as usize).map_or(ptr::null_mut(), |c| {
                new_value(fields[index as usize].1.clone(), c.clone())
            })
        }
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_list_child(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { child_value(value, index, "duckdb_get_list_child") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_get_struct_child(
    value: ffi::duckdb_value,
    index: ffi::idx_t,
) -> ffi::duckdb_value {
    // SAFETY: forwarded.
    unsafe { child_value(value, index, "duckdb_get_struct_child") }
}
