//! [`VectorWriter`]: fills a vector DuckDB lends out for writing (a scalar function's result,
//! a table function's output column, a cast's target, or a child of one of those).

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;
use crate::safe::write::ChunkWritable;
use std::ffi::c_char;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

/// Writes the rows `0..len()` of a vector that DuckDB lends to a callback: fixed-width values
/// through slices of their storage type, strings and blobs cell by cell, NULLs through the
/// validity mask, and nested values through child writers.
///
/// A writer is only ever lent (`&mut VectorWriter`) for the duration of a callback, so nothing
/// written through it can outlive the vector.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::functions::ScalarFunction;
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
/// let conn = Database::open_in_memory()?.connect()?;
/// let bigint = LogicalType::new(TypeId::BigInt)?;
/// // [x, x + 1, ..., x + n - 1] for each row: a LIST written through a child writer.
/// let f = ScalarFunction::new("upto", move |input, out| {
///     let (x, n) = (input.vector(0)?.values::<i64>()?, input.vector(1)?.values::<i64>()?);
///     let rows: Vec<(i64, usize)> = (0..input.len())
///         .map(|r| Ok((x.get(r)?.unwrap_or(0), n.get(r)?.unwrap_or(0).max(0) as usize)))
///         .collect::<duckdb_ffi::safe::Result<_>>()?;
///     let total = rows.iter().map(|&(_, n)| n).sum();
///     let mut offset = 0;
///     for (row, &(_, n)) in rows.iter().enumerate() {
///         out.set_list_entry(row, offset, n)?;
///         offset += n;
///     }
///     let mut child = out.list_child(total)?;
///     let values = child.as_mut_slice::<i64>()?;
///     let mut at = 0;
///     for &(x, n) in &rows {
///         for k in 0..n {
///             values[at] = x + k as i64;
///             at += 1;
///         }
///     }
///     Ok(())
/// })
/// .params([&bigint, &bigint])
/// .returns(&LogicalType::list(&bigint)?);
/// conn.register(f)?;
/// let text = conn.query_row("SELECT upto(5, 3)::VARCHAR", (), |row| row.get::<String>(0))?;
/// assert_eq!(text, "[5, 6, 7]");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct VectorWriter<'a> {
    raw: ffi::duckdb_vector,
    len: usize,
    id: TypeId,
    _vector: PhantomData<&'a mut ()>,
}

impl<'a> VectorWriter<'a> {
    /// # Safety
    /// `raw` must be a non-null, writable flat vector with room for `len` rows, lent to the
    /// caller exclusively for `'a`.
    pub(crate) unsafe fn from_raw(raw: ffi::duckdb_vector, len: usize) -> VectorWriter<'a> {
        // SAFETY: live vector (caller); the column type is owned ("Getters: owned") and
        // destroyed by `LogicalType` at the end of the statement.
        let id = unsafe { LogicalType::from_raw(ffi::duckdb_vector_get_column_type(raw)) }.id();
        // SAFETY: forwarded, with the vector's own type.
        unsafe { VectorWriter::from_raw_typed(raw, len, id) }
    }

    /// A writer whose vector's type id the caller knows (a function's declared return type).
    ///
    /// # Safety
    /// As [`from_raw`](Self::from_raw), and the vector's type id is `id`.
    pub(crate) unsafe fn from_raw_typed(
        raw: ffi::duckdb_vector,
        len: usize,
        id: TypeId,
    ) -> VectorWriter<'a> {
        VectorWriter {
            raw,
            len,
            id,
            _vector: PhantomData,
        }
    }

    /// Rows to write.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows to write.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The vector's type id.
    pub fn type_id(&self) -> TypeId {
        self.id
    }

    /// The vector's full logical type (for DECIMAL width, ENUM entries, nested children).
    pub fn logical_type(&self) -> LogicalType {
        // SAFETY: live vector; the type is owned by the caller ("Getters: owned").
        unsafe { LogicalType::from_raw(ffi::duckdb_vector_get_column_type(self.raw)) }
    }

    /// The raw vector, still lent to this writer.
    pub fn as_raw(&self) -> ffi::duckdb_vector {
        self.raw
    }

    /// Whether `T` is this vector's storage: its own type, or the storage of a DECIMAL, an ENUM
    /// or a UUID (`i128`, see [`Uuid::to_storage`](crate::safe::types::Uuid::to_storage)).
    fn check_storage<T: ChunkWritable>(&self) -> Result<()> {
        let stored = match self.id {
            TypeId::Decimal => self.logical_type().decimal_internal_type().ok(),
            TypeId::Enum => self.logical_type().enum_internal_type().ok(),
            // Written as its storage: `Uuid::to_storage`.
            TypeId::Uuid => Some(TypeId::HugeInt),
            id => Some(id),
        };
        if stored.is_some_and(|id| T::TYPES.contains(&id)) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::TypeMismatch,
            format!(
                "a {} vector is not written as {}",
                self.logical_type(),
                std::any::type_name::<T>()
            ),
        ))
    }

    fn data<T>(&self) -> Result<*mut T> {
        // SAFETY: live vector; the data pointer is borrowed from it.
        let data = unsafe { ffi::duckdb_vector_get_data(self.raw) }.cast::<T>();
        if self.len > 0 && (data.is_null() || !data.is_aligned()) {
            return Err(Error::misuse(format!(
                "the vector's storage is not aligned for {}",
                std::any::type_name::<T>()
            )));
        }
        Ok(data)
    }

    /// The storage of a fixed-width vector, `len()` values, uninitialised: each value must be
    /// written (or its row set NULL) before the callback returns. The fastest way to fill a
    /// result; [`as_mut_slice`](Self::as_mut_slice) zeroes the storage first.
    pub fn as_uninit_slice<T: ChunkWritable>(&mut self) -> Result<&mut [MaybeUninit<T>]> {
        self.check_storage::<T>()?;
        let data = self.data::<MaybeUninit<T>>()?;
        if self.len == 0 {
            return Ok(&mut []);
        }
        // SAFETY: the vector stores at least `len` values of `T`'s layout (storage checked,
        // room for `len` rows by construction), aligned (checked); `MaybeUninit` makes no
        // claim about the contents; `&mut self` lends the vector exclusively.
        Ok(unsafe { std::slice::from_raw_parts_mut(data, self.len) })
    }

    /// The storage of a fixed-width vector, `len()` values, zeroed first.
    pub fn as_mut_slice<T: ChunkWritable>(&mut self) -> Result<&mut [T]> {
        let slice = self.as_uninit_slice::<T>()?;
        for value in slice.iter_mut() {
            // SAFETY: all-zero is a valid `T` (ChunkWritable's contract).
            *value = unsafe { MaybeUninit::zeroed().assume_init() };
        }
        // SAFETY: every value was just initialised; `MaybeUninit<T>` has `T`'s layout.
        Ok(unsafe { &mut *(slice as *mut [MaybeUninit<T>] as *mut [T]) })
    }

    #[inline]
    fn check_row(&self, row: usize) -> Result<()> {
        if row >= self.len {
            return Err(row_out_of_range(row, self.len));
        }
        Ok(())
    }

    /// Marks a row NULL.
    pub fn set_null(&mut self, row: usize) -> Result<()> {
        self.check_row(row)?;
        // SAFETY: live vector; after ensure_validity_writable the mask is non-null with a bit
        // for every row the vector has room for.
        unsafe {
            ffi::duckdb_vector_ensure_validity_writable(self.raw);
            ffi::duckdb_validity_set_row_invalid(
                ffi::duckdb_vector_get_validity(self.raw),
                row as ffi::idx_t,
            );
        }
        Ok(())
    }

    /// The validity mask, writable: bit `row % 64` of word `row / 64` is 1 for a valid row
    /// and 0 for NULL.
    pub fn validity_mut(&mut self) -> Result<&mut [u64]> {
        // SAFETY: live vector; after ensure_validity_writable the mask is owned by the vector.
        let mask = unsafe {
            ffi::duckdb_vector_ensure_validity_writable(self.raw);
            ffi::duckdb_vector_get_validity(self.raw)
        };
        if mask.is_null() {
            return Err(Error::misuse("the vector has no writable validity mask"));
        }
        // SAFETY: the mask covers every row the vector has room for (>= len), any bit pattern
        // is valid, and `&mut self` lends it exclusively.
        Ok(unsafe { std::slice::from_raw_parts_mut(mask, self.len.div_ceil(64)) })
    }

    /// Writes a VARCHAR row (copied into the vector).
    #[inline]
    pub fn set_str(&mut self, row: usize, text: &str) -> Result<()> {
        if self.id != TypeId::Varchar {
            return Err(self.not_written_as("VARCHAR"));
        }
        self.check_row(row)?;
        // SAFETY: VARCHAR vector, row < len, `text` is UTF-8.
        unsafe { assign_bytes(self.raw, row, text.as_bytes()) }
    }

    /// Writes a BLOB row, or the storage bytes of a BIT row (as
    /// [`BitRef::storage`](crate::safe::types::BitRef::storage) reads them).
    #[inline]
    pub fn set_blob(&mut self, row: usize, bytes: &[u8]) -> Result<()> {
        if !matches!(self.id, TypeId::Blob | TypeId::Bit) {
            return Err(self.not_written_as("BLOB"));
        }
        self.check_row(row)?;
        // SAFETY: a vector of string storage that DuckDB does not UTF-8-check, row < len.
        unsafe { assign_bytes(self.raw, row, bytes) }
    }

    /// The type error of a write (built out of line: per-row writers stay small).
    #[cold]
    #[inline(never)]
    fn not_written_as(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::TypeMismatch,
            format!("a {} vector is not written as {what}", self.logical_type()),
        )
    }

    fn expect(&self, wanted: &[TypeId], what: &str) -> Result<()> {
        if wanted.contains(&self.id) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::TypeMismatch,
            format!("a {} vector has no {what}", self.logical_type()),
        ))
    }

    /// Sets a LIST (or MAP) row to the child rows `offset..offset + length`.
    pub fn set_list_entry(&mut self, row: usize, offset: usize, length: usize) -> Result<()> {
        self.expect(&[TypeId::List, TypeId::Map], "list entries")?;
        self.check_row(row)?;
        let data = self.data::<ffi::duckdb_list_entry>()?;
        // SAFETY: a LIST/MAP vector stores one duckdb_list_entry per row; row < len.
        unsafe {
            data.add(row).write(ffi::duckdb_list_entry {
                offset: offset as u64,
                length: length as u64,
            })
        };
        Ok(())
    }

    /// The child of a LIST (or MAP) vector, resized to `len` rows. Entries must stay within
    /// them ([`set_list_entry`](Self::set_list_entry)); a MAP's child is a STRUCT of key and
    /// value.
    pub fn list_child(&mut self, len: usize) -> Result<VectorWriter<'_>> {
        self.expect(&[TypeId::List, TypeId::Map], "list child")?;
        // SAFETY: live LIST/MAP vector; reserve then set the size, so the child has room for
        // `len` rows.
        let state = unsafe {
            let reserved = ffi::duckdb_list_vector_reserve(self.raw, len as ffi::idx_t);
            if reserved == ffi::duckdb_state_DuckDBSuccess {
                ffi::duckdb_list_vector_set_size(self.raw, len as ffi::idx_t)
            } else {
                reserved
            }
        };
        if state != ffi::duckdb_state_DuckDBSuccess {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("a list child of {len} rows could not be reserved"),
            ));
        }
        // SAFETY: the child of a live LIST vector, with room for `len` rows (reserved above),
        // lent as long as `&mut self`.
        Ok(unsafe { VectorWriter::from_raw(ffi::duckdb_list_vector_get_child(self.raw), len) })
    }

    /// Field `index` of a STRUCT vector (member `index - 1` of a UNION, whose field 0 is the
    /// UTINYINT tag), with as many rows as this vector.
    pub fn struct_child(&mut self, index: usize) -> Result<VectorWriter<'_>> {
        self.expect(&[TypeId::Struct, TypeId::Union], "struct fields")?;
        let ty = self.logical_type();
        let count = match self.id {
            TypeId::Union => ty.union_member_count()? + 1,
            _ => ty.struct_child_count()?,
        };
        if index >= count {
            return Err(Error::out_of_range("struct field", index, count));
        }
        // SAFETY: field `index` < count of a live STRUCT vector: the same rows as the parent.
        let child = unsafe { ffi::duckdb_struct_vector_get_child(self.raw, index as ffi::idx_t) };
        // SAFETY: as above, lent as long as `&mut self`.
        Ok(unsafe { VectorWriter::from_raw(child, self.len) })
    }

    /// The child of an ARRAY vector: `len() * array size` rows, row `r`'s elements at
    /// `r * size..(r + 1) * size`.
    pub fn array_child(&mut self) -> Result<VectorWriter<'_>> {
        self.expect(&[TypeId::Array], "array child")?;
        let size = self.logical_type().array_size()?;
        // SAFETY: live ARRAY vector; its child holds `size` rows per parent row.
        let child = unsafe { ffi::duckdb_array_vector_get_child(self.raw) };
        // SAFETY: as above, lent as long as `&mut self`.
        Ok(unsafe { VectorWriter::from_raw(child, self.len * size) })
    }
}

#[cold]
#[inline(never)]
fn too_long() -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        "a string or blob longer than 4 GiB does not fit a cell",
    )
}

#[cold]
#[inline(never)]
fn row_out_of_range(row: usize, len: usize) -> Error {
    Error::out_of_range("row", row, len)
}

/// Copies `bytes` into the string heap of a string-storage vector and points row `row` at them
/// (the row's validity is not touched).
///
/// It calls `duckdb_unsafe_vector_assign_string_element_len`, the assignment without DuckDB's
/// UTF-8 check (the checked one validates every VARCHAR string again): callers only pass UTF-8
/// (`&str`) for VARCHAR. The Miri model of the C API stops the program if a VARCHAR string that
/// is not UTF-8 reaches it.
///
/// # Safety
/// `vector` is a live, writable vector of string storage with room for `row + 1` rows; for
/// VARCHAR, `bytes` is valid UTF-8.
#[inline]
pub(crate) unsafe fn assign_bytes(
    vector: ffi::duckdb_vector,
    row: usize,
    bytes: &[u8],
) -> Result<()> {
    // The C side narrows the length to 32 bits (a DuckDB string's limit).
    if u32::try_from(bytes.len()).is_err() {
        return Err(too_long());
    }
    // SAFETY: the caller's contract; the bytes are copied into the vector's string heap.
    unsafe {
        ffi::duckdb_unsafe_vector_assign_string_element_len(
            vector,
            row as ffi::idx_t,
            bytes.as_ptr().cast::<c_char>(),
            bytes.len() as ffi::idx_t,
        );
    }
    Ok(())
}
