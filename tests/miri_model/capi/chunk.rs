//! C API area: data chunks and vectors, both those a result hands out (reading) and those
//! the caller builds (writing), plus validity masks and `duckdb_string_t`.

use super::logical_type::{new_logical_type, type_ref};
use super::registry::{adopt, destroy, fail, live};
use super::storage::VECTOR_SIZE;
use super::storage::{CHUNK, ChunkObj, VECTOR, VectorObj, all_valid, writable_vector};
use super::ty::Ty;
use crate as ffi;
use std::cell::Cell as StdCell;
use std::ffi::{c_char, c_void};
use std::ptr;

// ---------------------------------------------------------------------------------------------
// Data chunks and vectors
// ---------------------------------------------------------------------------------------------

/// # Safety
/// `chunk` is a chunk handle from the model (checked).
pub(super) unsafe fn chunk_ref<'a>(chunk: ffi::duckdb_data_chunk, func: &str) -> &'a ChunkObj {
    // SAFETY: checked by the registry.
    unsafe { live(chunk.cast::<ChunkObj>(), CHUNK, func) }
}

/// # Safety
/// `vector` is a vector handle from the model (checked).
unsafe fn vector_ref<'a>(vector: ffi::duckdb_vector, func: &str) -> &'a VectorObj {
    // SAFETY: checked by the registry.
    unsafe { live(vector.cast::<VectorObj>(), VECTOR, func) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_data_chunk(chunk: *mut ffi::duckdb_data_chunk) {
    // SAFETY: destroy contract of the C API.
    unsafe { destroy::<_, ChunkObj>(chunk, CHUNK, "duckdb_destroy_data_chunk") }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_get_size(chunk: ffi::duckdb_data_chunk) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { chunk_ref(chunk, "duckdb_data_chunk_get_size") }
        .size
        .get() as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_get_column_count(
    chunk: ffi::duckdb_data_chunk,
) -> ffi::idx_t {
    // SAFETY: checked handle.
    unsafe { chunk_ref(chunk, "duckdb_data_chunk_get_column_count") }
        .vectors
        .len() as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_get_vector(
    chunk: ffi::duckdb_data_chunk,
    col_idx: ffi::idx_t,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let chunk = unsafe { chunk_ref(chunk, "duckdb_data_chunk_get_vector") };
    chunk
        .vectors
        .get(col_idx as usize)
        .map_or(ptr::null_mut(), |v| v.cast())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_get_column_type(
    vector: ffi::duckdb_vector,
) -> ffi::duckdb_logical_type {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_get_column_type") };
    new_logical_type(v.ty.clone())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_get_data(vector: ffi::duckdb_vector) -> *mut c_void {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_get_data") };
    if v.ty.width() == 0 {
        ptr::null_mut()
    } else {
        v.data.ptr.cast()
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_get_validity(vector: ffi::duckdb_vector) -> *mut u64 {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_get_validity") };
    v.validity
        .borrow()
        .as_ref()
        .map_or(ptr::null_mut(), |b| b.ptr.cast())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_validity_row_is_valid(validity: *mut u64, row: ffi::idx_t) -> bool {
    if validity.is_null() {
        return true;
    }
    let row = row as usize;
    // SAFETY: the caller's mask; a row outside it is an out-of-bounds read Miri reports.
    unsafe { *validity.add(row / 64) & (1u64 << (row % 64)) != 0 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_list_vector_get_child(
    vector: ffi::duckdb_vector,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_list_vector_get_child") };
    match v.ty {
        Ty::List(_) | Ty::Map(..) => v.children[0].cast(),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_list_vector_get_size(vector: ffi::duckdb_vector) -> ffi::idx_t {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_list_vector_get_size") };
    match v.ty {
        Ty::List(_) | Ty::Map(..) => v.list_size.get() as u64,
        _ => 0,
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_struct_vector_get_child(
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_struct_vector_get_child") };
    match v.ty {
        Ty::Struct(_) | Ty::Union(_) => v.children.get(index as usize).map_or_else(
            || {
                fail(format_args!(
                    "duckdb_struct_vector_get_child: child {index} of a struct with {} children (DuckDB does not \
                     check: out-of-bounds read)",
                    v.children.len()
                ))
            },
            |c| c.cast(),
        ),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_array_vector_get_child(
    vector: ffi::duckdb_vector,
) -> ffi::duckdb_vector {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_array_vector_get_child") };
    match v.ty {
        Ty::Array(..) => v.children[0].cast(),
        _ => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_string_is_inlined(string: ffi::duckdb_string_t) -> bool {
    // SAFETY: length is the first field of both union members.
    unsafe { string.value.inlined.length <= 12 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_string_t_length(string: ffi::duckdb_string_t) -> u32 {
    // SAFETY: length is the first field of both union members.
    unsafe { string.value.inlined.length }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_string_t_data(string: *mut ffi::duckdb_string_t) -> *const c_char {
    // SAFETY: the caller's string, read in place: inlined strings point into the struct itself.
    unsafe {
        if (*string).value.inlined.length <= 12 {
            (*string).value.inlined.inlined.as_ptr()
        } else {
            (*string).value.pointer.ptr
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data chunks built by the caller
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub extern "C" fn duckdb_vector_size() -> ffi::idx_t {
    VECTOR_SIZE as u64
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_create_data_chunk(
    types: *mut ffi::duckdb_logical_type,
    column_count: ffi::idx_t,
) -> ffi::duckdb_data_chunk {
    if types.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the caller's array of `column_count` live types (each checked); they stay owned
    // by the caller.
    let vectors = (0..column_count as usize)
        .map(|i| unsafe {
            writable_vector(
                type_ref(*types.add(i), "duckdb_create_data_chunk"),
                VECTOR_SIZE,
            )
        })
        .collect();
    adopt(
        CHUNK,
        ChunkObj {
            vectors,
            size: StdCell::new(0),
            owner: None,
        },
    )
    .cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_set_size(
    chunk: ffi::duckdb_data_chunk,
    size: ffi::idx_t,
) {
    if chunk.is_null() {
        return;
    }
    // SAFETY: checked handle.
    let c = unsafe { chunk_ref(chunk, "duckdb_data_chunk_set_size") };
    let capacity = c.vectors.first().map_or(VECTOR_SIZE, |&v| {
        // SAFETY: the chunk's own vector.
        unsafe { (*v).capacity }
    });
    if size as usize > capacity {
        fail(format_args!(
            "duckdb_data_chunk_set_size: size {size} is beyond the capacity {capacity}"
        ));
    }
    c.size.set(size as usize);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_reset(chunk: ffi::duckdb_data_chunk) {
    if chunk.is_null() {
        return;
    }
    // SAFETY: checked handle.
    let c = unsafe { chunk_ref(chunk, "duckdb_data_chunk_reset") };
    c.size.set(0);
    for &v in &c.vectors {
        // SAFETY: the chunk's own vectors. Validity and strings are dropped: pointers obtained
        // before the reset dangle, as in DuckDB.
        unsafe {
            (*v).validity.borrow_mut().take();
            (*v).strings.borrow_mut().clear();
        }
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_ensure_validity_writable(vector: ffi::duckdb_vector) {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, "duckdb_vector_ensure_validity_writable") };
    v.validity
        .borrow_mut()
        .get_or_insert_with(|| all_valid(v.capacity));
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_validity_set_row_invalid(validity: *mut u64, row: ffi::idx_t) {
    if validity.is_null() {
        return;
    }
    let row = row as usize;
    // SAFETY: the caller's mask; a row outside it is reported by Miri.
    unsafe { *validity.add(row / 64) &= !(1u64 << (row % 64)) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_validity_set_row_valid(validity: *mut u64, row: ffi::idx_t) {
    if validity.is_null() {
        return;
    }
    let row = row as usize;
    // SAFETY: the caller's mask; a row outside it is reported by Miri.
    unsafe { *validity.add(row / 64) |= 1u64 << (row % 64) };
}

/// Both string assignments: copies `str_len` bytes into row `index` of a VARCHAR or BLOB
/// vector. The checked one (`check_utf8`) first turns a VARCHAR string that is not UTF-8 into a
/// NULL row, as DuckDB does. The unchecked one leaves UTF-8 to its caller, so the model stops
/// the program when that contract is broken (DuckDB would store the bad string).
///
/// # Safety
/// `vector` is a vector handle from the model (checked); `str_` points to `str_len` readable
/// bytes.
unsafe fn assign_string(
    func: &str,
    check_utf8: bool,
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
    str_: *const c_char,
    str_len: ffi::idx_t,
) {
    // SAFETY: checked handle.
    let v = unsafe { vector_ref(vector, func) };
    let varchar = match v.ty.id() {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => true,
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB => false,
        _ => fail(format_args!("{func}: not a VARCHAR/BLOB vector")),
    };
    let row = index as usize;
    if row >= v.capacity {
        fail(format_args!(
            "{func}: row {index} beyond capacity {}",
            v.capacity
        ));
    }
    // SAFETY: the caller's bytes (per the contract), only read and copied.
    let bytes = unsafe { std::slice::from_raw_parts(str_.cast::<u8>(), str_len as usize) };
    if varchar && std::str::from_utf8(bytes).is_err() {
        if !check_utf8 {
            fail(format_args!(
                "{func}: the string for row {index} of a VARCHAR vector is not UTF-8"
            ));
        }
        v.set_null(row);
        return;
    }
    // SAFETY: row checked against the capacity; VARCHAR and BLOB have 16-byte string slots.
    unsafe { v.write_string(row, bytes) };
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_vector_assign_string_element_len(
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
    str_: *const c_char,
    str_len: ffi::idx_t,
) {
    // SAFETY: forwarded (the caller's contract).
    unsafe {
        assign_string(
            "duckdb_vector_assign_string_element_len",
            true,
            vector,
            index,
            str_,
            str_len,
        );
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_unsafe_vector_assign_string_element_len(
    vector: ffi::duckdb_vector,
    index: ffi::idx_t,
    str_: *const c_char,
    str_len: ffi::idx_t,
) {
    // SAFETY: forwarded (the caller's contract, plus valid UTF-8 for VARCHAR, which
    // assign_string checks).
    unsafe {
        assign_string(
            "duckdb_unsafe_vector_assign_string_element_len",
            false,
            vector,
            index,
            str_,
            str_len,
        );
    }
}
