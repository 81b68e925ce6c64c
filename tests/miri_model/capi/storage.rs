//! The memory of vectors and data chunks: buffers, vectors, chunks, and filling vectors
//! with values (shared by results, chunks and the appender).

use super::registry::{adopt, fail, release};
use super::ty::{Cell, Ty};
use std::alloc::{self, Layout};
use std::cell::{Cell as StdCell, RefCell};
use std::ptr;

/// Rows per fetched chunk (DuckDB's standard vector size).
pub(super) const VECTOR_SIZE: usize = 2048;

// ---------------------------------------------------------------------------------------------
// Memory of vectors
// ---------------------------------------------------------------------------------------------

/// A heap buffer of exactly `size` bytes (16-aligned); a zero size hands out a dangling pointer,
/// so any read through it is reported.
pub(super) struct Buf {
    pub(super) ptr: *mut u8,
    layout: Option<Layout>,
}

impl Buf {
    /// Uninitialised memory (Miri reports reads before writes).
    pub(super) fn new(size: usize) -> Buf {
        if size == 0 {
            return Buf {
                ptr: ptr::NonNull::<u128>::dangling().as_ptr().cast(),
                layout: None,
            };
        }
        let layout =
            Layout::from_size_align(size, 16).unwrap_or_else(|_| fail(format_args!("bad layout")));
        // SAFETY: non-zero size.
        let ptr = unsafe { alloc::alloc(layout) };
        if ptr.is_null() {
            alloc::handle_alloc_error(layout);
        }
        Buf {
            ptr,
            layout: Some(layout),
        }
    }

    /// Memory the buffer does not own (an Arrow buffer a chunk reads in place): never freed
    /// here, so it must outlive the buffer (a chunk keeps its owner in [`ChunkObj::owner`]).
    pub(super) fn borrowed(ptr: *mut u8) -> Buf {
        Buf { ptr, layout: None }
    }

    fn from_bytes(bytes: &[u8]) -> Buf {
        let buf = Buf::new(bytes.len());
        // SAFETY: the buffer holds exactly bytes.len() bytes.
        unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), buf.ptr, bytes.len()) };
        buf
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        if let Some(layout) = self.layout {
            // SAFETY: allocated in `Buf::new` with this layout.
            unsafe { alloc::dealloc(self.ptr, layout) };
        }
    }
}

/// A vector: owned by its chunk (or its parent vector), borrowed by everyone else.
pub(super) struct VectorObj {
    pub(super) ty: Ty,
    /// Rows the data buffer holds.
    pub(super) capacity: usize,
    pub(super) data: Buf,
    /// Validity words; `None` = every row valid (DuckDB returns NULL then).
    pub(super) validity: RefCell<Option<Buf>>,
    pub(super) children: Vec<*mut VectorObj>,
    pub(super) list_size: StdCell<usize>,
    /// Out-of-line string storage.
    pub(super) strings: RefCell<Vec<Buf>>,
}

pub(super) const VECTOR: &str = "vector (borrowed from a data chunk)";

impl Drop for VectorObj {
    fn drop(&mut self) {
        for &child in &self.children {
            // SAFETY: children are adopted vectors owned by this vector only.
            unsafe { release(child, VECTOR, "duckdb_destroy_data_chunk") };
        }
    }
}

impl VectorObj {
    /// Writes one string into row `row` the way DuckDB lays out `duckdb_string_t`.
    ///
    /// # Safety
    /// `row < capacity`, and the vector's type has 16-byte string slots.
    pub(super) unsafe fn write_string(&self, row: usize, bytes: &[u8]) {
        let len =
            u32::try_from(bytes.len()).unwrap_or_else(|_| fail(format_args!("string too long")));
        // SAFETY: slot `row` is inside the buffer; 16-byte slots in a 16-aligned buffer.
        unsafe {
            let slot = self.data.ptr.add(row * 16);
            ptr::write_bytes(slot, 0, 16);
            slot.cast::<u32>().write(len);
            if bytes.len() <= 12 {
                ptr::copy_nonoverlapping(bytes.as_ptr(), slot.add(4), bytes.len());
            } else {
                ptr::copy_nonoverlapping(bytes.as_ptr(), slot.add(4), 4);
                let heap = Buf::from_bytes(bytes);
                slot.add(8).cast::<*mut u8>().write(heap.ptr);
                self.strings.borrow_mut().push(heap);
            }
        }
    }

    /// Marks row `row` invalid, creating the mask (all valid) if needed.
    pub(super) fn set_null(&self, row: usize) {
        let mut validity = self.validity.borrow_mut();
        let mask = validity.get_or_insert_with(|| all_valid(self.capacity));
        // SAFETY: the mask holds one bit per row of capacity.
        unsafe {
            let word = mask.ptr.cast::<u64>().add(row / 64);
            *word &= !(1u64 << (row % 64));
        }
    }
}

/// A validity mask of `rows` bits, all valid, sized to exactly the words needed.
pub(super) fn all_valid(rows: usize) -> Buf {
    let words = rows.div_ceil(64);
    let buf = Buf::new(words * 8);
    // SAFETY: the buffer holds `words` u64 words.
    unsafe { ptr::write_bytes(buf.ptr, 0xFF, words * 8) };
    buf
}

/// Builds a vector of `cells.len()` rows of `ty` holding `cells`.
pub(super) fn build_vector(ty: &Ty, cells: &[Cell]) -> *mut VectorObj {
    let rows = cells.len();
    let width = ty.width();
    let children = match ty {
        Ty::List(_) | Ty::Map(..) => {
            let child = match ty {
                Ty::List(child) => (**child).clone(),
                _ => Ty::Struct(ty.struct_fields().unwrap_or_default()),
            };
            let flat: Vec<Cell> = cells
                .iter()
                .flat_map(|c| match c {
                    Cell::List(items) => items.clone(),
                    _ => Vec::new(),
                })
                .collect();
            vec![build_vector(&child, &flat)]
        }
        Ty::Array(child, size) => {
            let flat: Vec<Cell> = cells
                .iter()
                .flat_map(|c| match c {
                    Cell::List(items) => items.clone(),
                    _ => vec![Cell::Null; *size],
                })
                .collect();
            vec![build_vector(child, &flat)]
        }
        Ty::Struct(_) | Ty::Union(_) => {
            let fields = ty.struct_fields().unwrap_or_default();
            (0..fields.len())
                .map(|i| {
                    let column: Vec<Cell> = cells
                        .iter()
                        .map(|c| match c {
                            Cell::Struct(values) => values[i].clone(),
                            _ => Cell::Null,
                        })
                        .collect();
                    build_vector(&fields[i].1, &column)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let list_size = match ty {
        Ty::List(_) | Ty::Map(..) => cells
            .iter()
            .map(|c| {
                if let Cell::List(items) = c {
                    items.len()
                } else {
                    0
                }
            })
            .sum(),
        _ => 0,
    };
    let v = VectorObj {
        ty: ty.clone(),
        capacity: rows,
        data: Buf::new(rows * width),
        validity: RefCell::new(None),
        children,
        list_size: StdCell::new(list_size),
        strings: RefCell::new(Vec::new()),
    };
    let mut offset = 0u64;
    for (row, cell) in cells.iter().enumerate() {
        // SAFETY: every write below stays inside slot `row` of a buffer of rows * width bytes.
        unsafe {
            let slot = v.data.ptr.add(row * width);
            match cell {
                Cell::Null => {
                    ptr::write_bytes(slot, 0xA5, width);
                    v.set_null(row);
                }
                Cell::Bool(b) => *slot = u8::from(*b),
                Cell::Int(i) if !ty.is_float() => {
                    ptr::copy_nonoverlapping(i.to_le_bytes().as_ptr(), slot, width);
                }
                Cell::Int(i) => write_float(slot, width, *i as f64),
                Cell::Float(f) => write_float(slot, width, *f),
                Cell::Text(bytes) => v.write_string(row, bytes),
                Cell::List(_) if width == 0 => {} // ARRAY: rows live in the child
                Cell::List(items) => {
                    let entry = [offset, items.len() as u64];
                    ptr::copy_nonoverlapping(entry.as_ptr().cast::<u8>(), slot, 16);
                    offset += items.len() as u64;
                }
                Cell::Struct(_) => {}
            }
        }
    }
    adopt(VECTOR, v)
}

/// # Safety
/// `slot` has `width` (4 or 8) writable bytes.
unsafe fn write_float(slot: *mut u8, width: usize, f: f64) {
    // SAFETY: per the contract.
    unsafe {
        if width == 4 {
            ptr::copy_nonoverlapping((f as f32).to_le_bytes().as_ptr(), slot, 4);
        } else {
            ptr::copy_nonoverlapping(f.to_le_bytes().as_ptr(), slot, 8);
        }
    }
}

/// An empty, writable vector of `capacity` rows: data uninitialised (Miri reports reads of
/// rows nobody wrote), validity created on demand.
pub(super) fn writable_vector(ty: &Ty, capacity: usize) -> *mut VectorObj {
    let children = match ty {
        Ty::List(child) => vec![writable_vector(child, 0)],
        Ty::Map(..) => vec![writable_vector(
            &Ty::Struct(ty.struct_fields().unwrap_or_default()),
            0,
        )],
        Ty::Array(child, size) => vec![writable_vector(child, capacity * size)],
        Ty::Struct(_) | Ty::Union(_) => ty
            .struct_fields()
            .unwrap_or_default()
            .iter()
            .map(|(_, t)| writable_vector(t, capacity))
            .collect(),
        _ => Vec::new(),
    };
    adopt(
        VECTOR,
        VectorObj {
            ty: ty.clone(),
            capacity,
            data: Buf::new(capacity * ty.width()),
            validity: RefCell::new(None),
            children,
            list_size: StdCell::new(0),
            strings: RefCell::new(Vec::new()),
        },
    )
}

/// A data chunk: the vectors it owns and its row count.
pub(super) struct ChunkObj {
    pub(super) vectors: Vec<*mut VectorObj>,
    pub(super) size: StdCell<usize>,
    /// What the vectors borrow memory from (a moved Arrow array), dropped after them: held
    /// only for its drop.
    #[allow(dead_code)]
    pub(super) owner: Option<std::sync::Arc<dyn std::any::Any>>,
}

pub(super) const CHUNK: &str = "data chunk";

impl Drop for ChunkObj {
    fn drop(&mut self) {
        for &v in &self.vectors {
            // SAFETY: the chunk's vectors are adopted and owned by it only.
            unsafe { release(v, VECTOR, "duckdb_destroy_data_chunk") };
        }
    }
}

/// Reads row `row` of a flat vector a callback wrote (a scalar function's result, a table
/// function's output column, a cast's target): NULL if its validity bit is clear, else the
/// value in its slot. A slot the callback neither wrote nor set NULL is uninitialised memory,
/// which Miri reports.
///
/// # Safety
/// `row < v.capacity`.
pub(super) unsafe fn read_cell(v: &VectorObj, row: usize) -> Cell {
    use crate as ffi;
    if let Some(mask) = v.validity.borrow().as_ref() {
        // SAFETY: the mask holds a bit for every row of capacity.
        let word = unsafe { *mask.ptr.cast::<u64>().add(row / 64) };
        if word & (1u64 << (row % 64)) == 0 {
            return Cell::Null;
        }
    }
    let width = v.ty.width();
    // SAFETY: slot `row` lies inside the data buffer (row < capacity).
    let slot = unsafe { v.data.ptr.add(row * width) };
    let mut bytes = [0u8; 16];
    let signed = match v.ty.id() {
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN => {
            // SAFETY: a one-byte slot, read as a byte (not as `bool`) so that a bad value is
            // reported below rather than being UB here.
            return match unsafe { *slot } {
                0 => Cell::Bool(false),
                1 => Cell::Bool(true),
                other => fail(format_args!("a BOOLEAN row holds the byte {other}")),
            };
        }
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR | ffi::DUCKDB_TYPE_DUCKDB_TYPE_BLOB => {
            // SAFETY: a 16-byte duckdb_string_t slot: its length, then the inlined bytes or a
            // pointer to them (written by `write_string`).
            return unsafe {
                let len = slot.cast::<u32>().read() as usize;
                let data = if len <= 12 {
                    slot.add(4).cast_const()
                } else {
                    slot.add(8).cast::<*const u8>().read()
                };
                Cell::Text(std::slice::from_raw_parts(data, len).to_vec())
            };
        }
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_FLOAT => {
            // SAFETY: a 4-byte slot.
            return Cell::Float(f64::from(unsafe { slot.cast::<f32>().read() }));
        }
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE => {
            // SAFETY: an 8-byte slot.
            return Cell::Float(unsafe { slot.cast::<f64>().read() });
        }
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_TINYINT
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_INTEGER
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_BIGINT
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_DATE => true,
        ffi::DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER
        | ffi::DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT => false,
        _ => fail(format_args!(
            "the model reads no {:?} rows from a callback's output",
            v.ty
        )),
    };
    // SAFETY: `width` (at most 16) bytes of the slot.
    unsafe { ptr::copy_nonoverlapping(slot, bytes.as_mut_ptr(), width) };
    let negative = signed && bytes[width - 1] & 0x80 != 0;
    if negative {
        bytes[width..].fill(0xFF);
    }
    Cell::Int(i128::from_le_bytes(bytes))
}
