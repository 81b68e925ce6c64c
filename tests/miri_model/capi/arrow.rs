//! C API area: Arrow (`duckdb_arrow_options`, `duckdb_to_arrow_schema`,
//! `duckdb_data_chunk_to_arrow`, `duckdb_schema_from_arrow`, `duckdb_data_chunk_from_arrow`).
//!
//! Ownership as in the pinned sources (`src/main/capi/v1/arrow-c.cpp`):
//!
//! - Schemas and arrays the model produces are built from heap memory that only their
//!   `release` callback frees, and each node's private data is a registered object: a release
//!   never called is a Miri leak, a second call through a stale copy stops the program with
//!   "not live".
//! - `duckdb_schema_from_arrow` only reads the caller's schema.
//! - `duckdb_data_chunk_from_arrow` moves the array out once its arguments pass the NULL checks
//!   (the caller's `release` becomes NULL). The chunk reads fixed-width columns and long strings
//!   in place, so it keeps the array until it is destroyed, and then releases it; a conversion
//!   error after the move releases it before returning.
//!
//! Supported types: BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE and VARCHAR
//! (Arrow `u`, and `U` when reading), with NULLs. Other types stop the program with a message.

use super::chunk::chunk_ref;
use super::database::{CONNECTION, ConnectionObj};
use super::engine::cstring;
use super::error_data::{ERROR_DATA, ErrorDataObj};
use super::logical_type::type_ref;
use super::registry::{adopt, destroy, fail, live, reclaim, text};
use super::result::result_data;
use super::storage::{Buf, CHUNK, ChunkObj, VECTOR, VectorObj, read_cell};
use super::ty::{Cell, Ty, simple};
use crate as ffi;
use std::cell::{Cell as StdCell, RefCell};
use std::ffi::{CStr, CString, c_char, c_void};
use std::ptr;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------------
// Options and converted schemas
// ---------------------------------------------------------------------------------------------

/// The Arrow settings of a connection (the model has only the defaults). Not zero-sized, so
/// every one has its own address in the registry.
struct ArrowOptionsObj {
    _settings: u64,
}
const ARROW_OPTIONS: &str = "arrow options";

/// The columns of an Arrow table schema: each one's DuckDB type, and whether its Arrow
/// strings have 64-bit offsets (format `U`).
struct ConvertedSchemaObj {
    columns: Vec<(Ty, bool)>,
}
const CONVERTED_SCHEMA: &str = "arrow converted schema";

/// Private data of one node of a schema the model made.
const SCHEMA_NODE: &str = "private data of an Arrow schema the model made (released once)";
/// Private data of one node of an array the model made.
const ARRAY_NODE: &str = "private data of an Arrow array the model made (released once)";

fn error_data(message: String) -> ffi::duckdb_error_data {
    adopt(
        ERROR_DATA,
        ErrorDataObj {
            error: Some((
                cstring(&message),
                ffi::duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
            )),
        },
    )
    .cast()
}

/// # Safety
/// `options` is an options handle from the model (checked).
unsafe fn options_ref(options: ffi::duckdb_arrow_options, func: &str) {
    // SAFETY: checked by the registry.
    let _ = unsafe { live(options.cast::<ArrowOptionsObj>(), ARROW_OPTIONS, func) };
}

fn new_options() -> ffi::duckdb_arrow_options {
    adopt(ARROW_OPTIONS, ArrowOptionsObj { _settings: 0 }).cast()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_connection_get_arrow_options(
    connection: ffi::duckdb_connection,
    out_arrow_options: *mut ffi::duckdb_arrow_options,
) {
    if connection.is_null() || out_arrow_options.is_null() {
        return;
    }
    // SAFETY: checked handle; the out-parameter is the caller's.
    unsafe {
        live(
            connection.cast::<ConnectionObj>(),
            CONNECTION,
            "duckdb_connection_get_arrow_options",
        );
        *out_arrow_options = new_options();
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_result_get_arrow_options(
    result: *mut ffi::duckdb_result,
) -> ffi::duckdb_arrow_options {
    // SAFETY: the caller's result (its data checked by the registry).
    match unsafe { result_data(result, "duckdb_result_get_arrow_options") } {
        Some(_) => new_options(),
        None => ptr::null_mut(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_arrow_options(
    arrow_options: *mut ffi::duckdb_arrow_options,
) {
    // SAFETY: destroy contract of the C API.
    unsafe {
        destroy::<_, ArrowOptionsObj>(arrow_options, ARROW_OPTIONS, "duckdb_destroy_arrow_options")
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_destroy_arrow_converted_schema(
    arrow_converted_schema: *mut ffi::duckdb_arrow_converted_schema,
) {
    // SAFETY: destroy contract of the C API.
    unsafe {
        destroy::<_, ConvertedSchemaObj>(
            arrow_converted_schema,
            CONVERTED_SCHEMA,
            "duckdb_destroy_arrow_converted_schema",
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------------------------

fn format_of(ty: &Ty, func: &str) -> &'static str {
    use ffi::*;
    #[allow(non_upper_case_globals)]
    match ty {
        Ty::Simple(id) => match *id {
            DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => "b",
            DUCKDB_TYPE_DUCKDB_TYPE_TINYINT => "c",
            DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT => "s",
            DUCKDB_TYPE_DUCKDB_TYPE_INTEGER => "i",
            DUCKDB_TYPE_DUCKDB_TYPE_BIGINT => "l",
            DUCKDB_TYPE_DUCKDB_TYPE_FLOAT => "f",
            DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => "g",
            DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => "u",
            _ => fail(format_args!(
                "{func}: the model converts no {ty:?} to Arrow"
            )),
        },
        _ => fail(format_args!(
            "{func}: the model converts no {ty:?} to Arrow"
        )),
    }
}

fn type_of(format: &str) -> Option<Ty> {
    use ffi::*;
    Some(simple(match format {
        "b" => DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN,
        "c" => DUCKDB_TYPE_DUCKDB_TYPE_TINYINT,
        "s" => DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT,
        "i" => DUCKDB_TYPE_DUCKDB_TYPE_INTEGER,
        "l" => DUCKDB_TYPE_DUCKDB_TYPE_BIGINT,
        "f" => DUCKDB_TYPE_DUCKDB_TYPE_FLOAT,
        "g" => DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE,
        "u" | "U" => DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR,
        _ => return None,
    }))
}

/// Reads a string field of a caller's Arrow struct (NULL reads as empty).
///
/// # Safety
/// `p` is null or a NUL-terminated string.
unsafe fn field_text(p: *const c_char, func: &str) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: per the contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .unwrap_or_else(|_| fail(format_args!("{func}: an Arrow string field is not UTF-8")))
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Schemas and arrays the model makes
// ---------------------------------------------------------------------------------------------

/// What one schema node owns: its strings and its children (released with it).
struct SchemaNode {
    format: CString,
    name: CString,
    children: Vec<ffi::ArrowSchema>,
    child_ptrs: Vec<*mut ffi::ArrowSchema>,
}

fn schema_node(format: &str, name: &str, children: Vec<ffi::ArrowSchema>) -> ffi::ArrowSchema {
    let node = adopt(
        SCHEMA_NODE,
        SchemaNode {
            format: cstring(format),
            name: cstring(name),
            children,
            child_ptrs: Vec::new(),
        },
    );
    // SAFETY: just adopted; the pointers are taken once the node sits in its final place.
    let n = unsafe { &mut *node };
    n.child_ptrs = n.children.iter_mut().map(|c| c as *mut _).collect();
    let leaf = n.children.is_empty();
    ffi::ArrowSchema {
        format: n.format.as_ptr(),
        name: n.name.as_ptr(),
        metadata: ptr::null(),
        flags: if leaf { 2 } else { 0 }, // ARROW_FLAG_NULLABLE on columns
        n_children: n.children.len() as i64,
        children: if leaf {
            ptr::null_mut()
        } else {
            n.child_ptrs.as_mut_ptr()
        },
        dictionary: ptr::null_mut(),
        release: Some(release_schema_node),
        private_data: node.cast(),
    }
}

unsafe extern "C" fn release_schema_node(schema: *mut ffi::ArrowSchema) {
    // SAFETY: called with a schema this model made: its private data is a registered node
    // (checked: a second release through a stale copy stops the program), and its children
    // are released through their own callbacks unless a consumer moved them out.
    unsafe {
        let mut node: SchemaNode = reclaim(
            (*schema).private_data.cast(),
            SCHEMA_NODE,
            "ArrowSchema.release",
        );
        for child in &mut node.children {
            if let Some(release) = child.release {
                release(child);
            }
        }
        (*schema).release = None;
        (*schema).private_data = ptr::null_mut();
    }
}

/// What one array node owns: its buffers and its children (released with it).
struct ArrayNode {
    buffers: Vec<Option<Buf>>,
    buffer_ptrs: Vec<*const c_void>,
    children: Vec<ffi::ArrowArray>,
    child_ptrs: Vec<*mut ffi::ArrowArray>,
}

fn array_node(
    length: usize,
    null_count: usize,
    buffers: Vec<Option<Buf>>,
    children: Vec<ffi::ArrowArray>,
) -> ffi::ArrowArray {
    let node = adopt(
        ARRAY_NODE,
        ArrayNode {
            buffers,
            buffer_ptrs: Vec::new(),
            children,
            child_ptrs: Vec::new(),
        },
    );
    // SAFETY: just adopted; the pointers are taken once the node sits in its final place.
    let n = unsafe { &mut *node };
    n.buffer_ptrs = n
        .buffers
        .iter()
        .map(|b| {
            b.as_ref()
                .map_or(ptr::null(), |b| b.ptr.cast_const().cast())
        })
        .collect();
    n.child_ptrs = n.children.iter_mut().map(|c| c as *mut _).collect();
    ffi::ArrowArray {
        length: length as i64,
        null_count: null_count as i64,
        offset: 0,
        n_buffers: n.buffer_ptrs.len() as i64,
        n_children: n.children.len() as i64,
        buffers: n.buffer_ptrs.as_mut_ptr(),
        children: if n.children.is_empty() {
            ptr::null_mut()
        } else {
            n.child_ptrs.as_mut_ptr()
        },
        dictionary: ptr::null_mut(),
        release: Some(release_array_node),
        private_data: node.cast(),
    }
}

unsafe extern "C" fn release_array_node(array: *mut ffi::ArrowArray) {
    // SAFETY: as in `release_schema_node`, for an array node.
    unsafe {
        let mut node: ArrayNode = reclaim(
            (*array).private_data.cast(),
            ARRAY_NODE,
            "ArrowArray.release",
        );
        for child in &mut node.children {
            if let Some(release) = child.release {
                release(child);
            }
        }
        (*array).release = None;
        (*array).private_data = ptr::null_mut();
        drop(node);
    }
}

/// A buffer holding exactly `bytes`.
fn buffer(bytes: &[u8]) -> Buf {
    let buf = Buf::new(bytes.len());
    // SAFETY: the buffer holds exactly bytes.len() bytes.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), buf.ptr, bytes.len()) };
    buf
}

/// A bitmap of `bits` (least significant bit first), every byte written.
fn bitmap(bits: impl ExactSizeIterator<Item = bool>) -> Buf {
    let mut bytes = vec![0u8; bits.len().div_ceil(8)];
    for (i, bit) in bits.enumerate() {
        if bit {
            bytes[i / 8] |= 1 << (i % 8);
        }
    }
    buffer(&bytes)
}

/// Rows `0..rows` of a chunk's vector as an Arrow array of its own buffers.
///
/// # Safety
/// `rows` is at most the vector's row count.
unsafe fn column_to_arrow(v: &VectorObj, rows: usize, func: &str) -> ffi::ArrowArray {
    let format = format_of(&v.ty, func);
    // SAFETY: rows below the vector's size (per the contract).
    let cells: Vec<Cell> = (0..rows).map(|row| unsafe { read_cell(v, row) }).collect();
    let nulls = cells.iter().filter(|c| **c == Cell::Null).count();
    let validity = (nulls > 0).then(|| bitmap(cells.iter().map(|c| *c != Cell::Null)));
    let buffers = match format {
        "b" => vec![
            validity,
            Some(bitmap(cells.iter().map(|c| *c == Cell::Bool(true)))),
        ],
        "u" => {
            let mut offsets = vec![0i32];
            let mut data = Vec::new();
            for cell in &cells {
                if let Cell::Text(bytes) = cell {
                    data.extend_from_slice(bytes);
                }
                offsets.push(data.len() as i32);
            }
            let offsets: Vec<u8> = offsets.iter().flat_map(|o| o.to_ne_bytes()).collect();
            vec![validity, Some(buffer(&offsets)), Some(buffer(&data))]
        }
        _ => {
            let width = v.ty.width();
            let mut data = vec![0u8; rows * width];
            for (cell, slot) in cells.iter().zip(data.chunks_exact_mut(width)) {
                match cell {
                    Cell::Int(i) => slot.copy_from_slice(&i.to_le_bytes()[..width]),
                    Cell::Float(f) if width == 4 => {
                        slot.copy_from_slice(&(*f as f32).to_le_bytes());
                    }
                    Cell::Float(f) => slot.copy_from_slice(&f.to_le_bytes()),
                    _ => {} // NULL: zeros
                }
            }
            vec![validity, Some(buffer(&data))]
        }
    };
    array_node(rows, nulls, buffers, Vec::new())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_to_arrow_schema(
    arrow_options: ffi::duckdb_arrow_options,
    types: *mut ffi::duckdb_logical_type,
    names: *mut *const c_char,
    column_count: ffi::idx_t,
    out_schema: *mut ffi::ArrowSchema,
) -> ffi::duckdb_error_data {
    const FUNC: &str = "duckdb_to_arrow_schema";
    if arrow_options.is_null()
        || out_schema.is_null()
        || (column_count > 0 && (types.is_null() || names.is_null()))
    {
        return error_data(format!("Invalid argument(s) to {FUNC}"));
    }
    // SAFETY: checked handle; `column_count` live types and C strings (the caller's, read
    // only); the out-parameter is the caller's.
    unsafe {
        options_ref(arrow_options, FUNC);
        let children = (0..column_count as usize)
            .map(|i| {
                let ty = type_ref(*types.add(i), FUNC);
                schema_node(format_of(ty, FUNC), text(*names.add(i), FUNC), Vec::new())
            })
            .collect();
        out_schema.write(schema_node("+s", "duckdb_query_result", children));
    }
    ptr::null_mut()
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_to_arrow(
    arrow_options: ffi::duckdb_arrow_options,
    chunk: ffi::duckdb_data_chunk,
    out_arrow_array: *mut ffi::ArrowArray,
) -> ffi::duckdb_error_data {
    const FUNC: &str = "duckdb_data_chunk_to_arrow";
    if arrow_options.is_null() || chunk.is_null() || out_arrow_array.is_null() {
        return error_data(format!("Invalid argument(s) to {FUNC}"));
    }
    // SAFETY: checked handles; the chunk's vectors hold `size` rows; the out-parameter is the
    // caller's.
    unsafe {
        options_ref(arrow_options, FUNC);
        let c = chunk_ref(chunk, FUNC);
        let rows = c.size.get();
        let children = c
            .vectors
            .iter()
            .map(|&v| column_to_arrow(&*v, rows, FUNC))
            .collect();
        out_arrow_array.write(array_node(rows, 0, vec![None], children));
    }
    ptr::null_mut()
}

// ---------------------------------------------------------------------------------------------
// Arrow to chunks
// ---------------------------------------------------------------------------------------------

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_schema_from_arrow(
    connection: ffi::duckdb_connection,
    schema: *mut ffi::ArrowSchema,
    out_types: *mut ffi::duckdb_arrow_converted_schema,
) -> ffi::duckdb_error_data {
    const FUNC: &str = "duckdb_schema_from_arrow";
    if connection.is_null() || schema.is_null() || out_types.is_null() {
        return error_data(format!("Invalid argument(s) to {FUNC}"));
    }
    // SAFETY: checked handle; the caller's schema is only read (its children per
    // `n_children`); the out-parameter is the caller's.
    unsafe {
        live(connection.cast::<ConnectionObj>(), CONNECTION, FUNC);
        let s = &*schema;
        if s.release.is_none() {
            fail(format_args!("{FUNC}: the schema is released"));
        }
        let mut columns = Vec::new();
        for i in 0..s.n_children.max(0) as usize {
            let child = &**s.children.add(i);
            let format = field_text(child.format, FUNC);
            match type_of(&format) {
                Some(ty) => columns.push((ty, format == "U")),
                None => {
                    return error_data(format!(
                        "Not implemented Error: Unsupported Internal Arrow Type {format}"
                    ));
                }
            }
        }
        *out_types = adopt(CONVERTED_SCHEMA, ConvertedSchemaObj { columns }).cast();
    }
    ptr::null_mut()
}

/// An array a chunk took from its caller: released when the last chunk reading it is gone.
struct MovedArray(ffi::ArrowArray);

impl Drop for MovedArray {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the array was moved to us unreleased; this is its one release.
            unsafe { release(&mut self.0) };
            if self.0.release.is_some() {
                fail(format_args!(
                    "an Arrow array's release callback left its release set (the interface \
                     requires it to mark the array released)"
                ));
            }
        }
    }
}

/// Reads bit `i` of an Arrow bitmap.
///
/// # Safety
/// The bitmap holds bit `i`.
unsafe fn bit(bits: *const u8, i: usize) -> bool {
    // SAFETY: per the contract.
    unsafe { *bits.add(i / 8) & (1 << (i % 8)) != 0 }
}

/// Buffer `i` of an Arrow array (null if it has fewer).
///
/// # Safety
/// `array` is a valid Arrow array.
unsafe fn buffer_of(array: &ffi::ArrowArray, i: usize) -> *const u8 {
    if (array.n_buffers.max(0) as usize) <= i || array.buffers.is_null() {
        return ptr::null();
    }
    // SAFETY: a valid array has `n_buffers` buffer pointers.
    unsafe { (*array.buffers.add(i)).cast() }
}

/// One column of a moved array as a vector of `rows` rows, reading fixed-width data and long
/// strings in place.
///
/// # Safety
/// `child` is a valid array of `ty` with at least `offset + rows` rows.
unsafe fn column_from_arrow(
    child: &ffi::ArrowArray,
    ty: &Ty,
    large: bool,
    offset: usize,
    rows: usize,
    func: &str,
) -> Result<*mut VectorObj, String> {
    let width = ty.width();
    let needs = |p: *const u8, what: &str| {
        if p.is_null() && rows > 0 {
            fail(format_args!("{func}: the Arrow {what} buffer is NULL"));
        }
    };
    // SAFETY: buffers of a valid array; every read below stays inside the rows it has.
    unsafe {
        let data_buffer = buffer_of(child, 1);
        needs(data_buffer, "data");
        let v = VectorObj {
            ty: ty.clone(),
            capacity: rows,
            data: match ty.id() {
                ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN | ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => {
                    Buf::new(rows * width)
                }
                _ if rows == 0 => Buf::new(0),
                // In place: the chunk keeps the array until it is destroyed.
                _ => Buf::borrowed(data_buffer.add(offset * width).cast_mut()),
            },
            validity: RefCell::new(None),
            children: Vec::new(),
            list_size: StdCell::new(0),
            strings: RefCell::new(Vec::new()),
        };
        let validity = buffer_of(child, 0);
        let valid =
            |row: usize| validity.is_null() || child.null_count == 0 || bit(validity, offset + row);
        for row in 0..rows {
            if !valid(row) {
                v.set_null(row);
                if width > 0 && ty.id() == ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR {
                    ptr::write_bytes(v.data.ptr.add(row * width), 0xA5, width);
                }
            }
        }
        match ty.id() {
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => {
                for row in 0..rows {
                    *v.data.ptr.add(row) = u8::from(bit(data_buffer, offset + row));
                }
            }
            ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR => {
                let bytes = buffer_of(child, 2);
                let at = |i: usize| -> u64 {
                    if large {
                        data_buffer.cast::<i64>().add(i).read_unaligned() as u64
                    } else {
                        data_buffer.cast::<i32>().add(i).read_unaligned() as u64
                    }
                };
                let vector = adopt(VECTOR, v);
                for row in (0..rows).filter(|&row| valid(row)) {
                    let (start, end) = (at(offset + row), at(offset + row + 1));
                    let len = end.wrapping_sub(start);
                    if len > u64::from(u32::MAX) {
                        super::registry::release(vector, VECTOR, func);
                        return Err(
                            "Conversion Error: DuckDB does not support Strings over 4GB".into()
                        );
                    }
                    needs(bytes, "string data");
                    let source = bytes.add(start as usize);
                    let slot = (*vector).data.ptr.add(row * 16);
                    ptr::write_bytes(slot, 0, 16);
                    slot.cast::<u32>().write(len as u32);
                    if len <= 12 {
                        ptr::copy_nonoverlapping(source, slot.add(4), len as usize);
                    } else {
                        ptr::copy_nonoverlapping(source, slot.add(4), 4);
                        // In place: the chunk keeps the array until it is destroyed.
                        slot.add(8).cast::<*const u8>().write(source);
                    }
                }
                return Ok(vector);
            }
            _ => {}
        }
        Ok(adopt(VECTOR, v))
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn duckdb_data_chunk_from_arrow(
    connection: ffi::duckdb_connection,
    arrow_array: *mut ffi::ArrowArray,
    converted_schema: ffi::duckdb_arrow_converted_schema,
    out_chunk: *mut ffi::duckdb_data_chunk,
) -> ffi::duckdb_error_data {
    const FUNC: &str = "duckdb_data_chunk_from_arrow";
    if connection.is_null()
        || converted_schema.is_null()
        || out_chunk.is_null()
        || arrow_array.is_null()
    {
        return error_data(format!("Invalid argument(s) to {FUNC}"));
    }
    // SAFETY: checked handles; the caller's array is valid (the interface's contract), moved
    // out here as DuckDB does; the out-parameter is the caller's.
    unsafe {
        live(connection.cast::<ConnectionObj>(), CONNECTION, FUNC);
        let converted = live(
            converted_schema.cast::<ConvertedSchemaObj>(),
            CONVERTED_SCHEMA,
            FUNC,
        );
        if (*arrow_array).release.is_none() {
            fail(format_args!("{FUNC}: the array is released"));
        }
        let rows = (*arrow_array).length.max(0) as usize;
        let parent_offset = (*arrow_array).offset.max(0) as usize;
        let n_children = (*arrow_array).n_children.max(0) as usize;
        // The move: from here on the chunk (or this function, on error) releases the array.
        let moved = Arc::new(MovedArray(ptr::read(arrow_array)));
        (*arrow_array).release = None;
        let mut chunk = ChunkObj {
            vectors: Vec::new(),
            size: StdCell::new(rows),
            owner: Some(moved.clone()),
        };
        for (i, (ty, large)) in converted.columns.iter().enumerate() {
            if i >= n_children {
                fail(format_args!(
                    "{FUNC}: the schema has {} columns, the array {n_children} children \
                     (DuckDB reads past them)",
                    converted.columns.len()
                ));
            }
            let child = &**moved.0.children.add(i);
            let offset = parent_offset + child.offset.max(0) as usize;
            match column_from_arrow(child, ty, *large, offset, rows, FUNC) {
                Ok(v) => chunk.vectors.push(v),
                Err(message) => {
                    drop(chunk); // its vectors, then its share of the array
                    drop(moved); // the last share: the array is released here
                    return error_data(message);
                }
            }
        }
        drop(moved);
        *out_chunk = adopt(CHUNK, chunk).cast();
    }
    ptr::null_mut()
}
