//! [`ChunkWriter`]: builds a [`DataChunk`] from Rust data, column by column, for
//! [`Appender::append_chunk`](crate::safe::Appender::append_chunk) or any C function that
//! takes a chunk.

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::read::DataChunk;
use crate::safe::types::LogicalType;
use crate::safe::types::{TypeId, fixed_width_types};
use crate::safe::values::fixed::*;
use crate::safe::write::vector_writer::assign_bytes;
use std::ptr;

/// Rust types whose memory layout is exactly DuckDB's storage for some column types, so a
/// column of a [`ChunkWriter`] can be filled as a `&mut [T]`.
///
/// # Safety
/// For every id in `TYPES`, DuckDB stores one value of that type as exactly one `Self` (size,
/// alignment no stricter than DuckDB's, same layout), and the all-zero bit pattern is a valid
/// `Self`.
pub unsafe trait ChunkWritable: Copy + 'static {
    /// The column types stored as `Self`.
    const TYPES: &'static [TypeId];
}

/// `ChunkWritable` for the Rust type of every fixed-width type whose layout is its storage,
/// and the storage width of each column type a writer supports.
macro_rules! writable {
    ($($group:ident $v:ident $t:ident $s:ident $from:path,
        $create:ident $get:ident $getter:ident, [$($bind:ident)?] [$($append:ident)?] $layout:ident;)*) => {
        $( writable_row!($group $v $t); )*

        /// Byte width of a column's storage, for the column types a [`ChunkWriter`] supports.
        fn storage_width(id: TypeId) -> Option<usize> {
            match id {
                $( TypeId::$v => width!($group $t), )*
                TypeId::Varchar | TypeId::Blob => Some(std::mem::size_of::<ffi::duckdb_string_t>()),
                _ => None,
            }
        }
    };
}

/// A column type's storage width, if a writer fills it through its Rust type.
macro_rules! width {
    (converted $t:ident) => {
        None
    };
    ($group:ident $t:ident) => {
        Some(std::mem::size_of::<$t>())
    };
}

macro_rules! writable_row {
    // Written through its storage type, which means something else.
    (converted $v:ident $t:ident) => {};
    ($group:ident $v:ident $t:ident) => {
        // SAFETY: the type table says DuckDB stores this type as `$t` (duckdb.h's struct
        // definitions, repr(transparent)/repr(C) on the Rust side), and zero is a valid value
        // of it.
        unsafe impl ChunkWritable for $t {
            const TYPES: &'static [TypeId] = &[TypeId::$v];
        }
    };
}

fixed_width_types!(writable);

/// Builds a [`DataChunk`] from Rust data, for [`Appender::append_chunk`](crate::safe::Appender::append_chunk): fixed-width columns
/// as `&mut [T]` slices, strings and blobs one cell at a time, NULLs through the validity mask.
///
/// Supported column types: BOOLEAN, the integers, FLOAT, DOUBLE, the date/time/timestamp
/// types, INTERVAL, HUGEINT, UHUGEINT, VARCHAR and BLOB (use [`Appender::append_row`](crate::safe::Appender::append_row) with a
/// [`Value`](crate::safe::types::Value) for the others). Fresh columns are zeroed.
///
/// ```
/// use duckdb_ffi::safe::{ChunkWriter, Database};
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
/// let conn = Database::open_in_memory()?.connect()?;
/// conn.execute("CREATE TABLE t(id BIGINT, name VARCHAR)")?;
/// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::BigInt)?, LogicalType::new(TypeId::Varchar)?])?;
/// w.column_mut::<i64>(0)?[..3].copy_from_slice(&[10, 20, 30]);
/// w.set_str(1, 0, "ten")?;
/// w.set_str(1, 1, "twenty")?;
/// w.set_null(1, 2)?;
/// w.set_len(3)?;
/// let mut app = conn.appender("t")?;
/// app.append_chunk(w.chunk())?;
/// app.close()?;
/// assert_eq!(conn.execute("DELETE FROM t WHERE name IS NULL")?, 1);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// A column slice borrows the writer, so it cannot be held across another write:
///
/// ```compile_fail
/// use duckdb_ffi::safe::ChunkWriter;
/// use duckdb_ffi::safe::types::{LogicalType, TypeId};
/// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::Integer)?])?;
/// let col = w.column_mut::<i32>(0)?;
/// w.set_null(0, 1)?; // error: `w` is already mutably borrowed by `col`
/// col[0] = 1;
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Debug)]
pub struct ChunkWriter {
    chunk: DataChunk,
    types: Vec<TypeId>,
    capacity: usize,
    /// Each column's storage address when it was last zeroed: a reset that keeps the same
    /// storage (DuckDB reuses its buffers) needs no zeroing again, as it holds valid values.
    zeroed: Vec<usize>,
    /// Each column's vector, borrowed from `chunk`: `duckdb_data_chunk_get_vector` returns the
    /// address of the chunk's own `Vector` object, which neither a reset nor a size change
    /// moves (the chunk's column list is fixed at creation), so it is fetched once.
    vectors: Vec<ffi::duckdb_vector>,
}

// SAFETY: the writer owns its chunk (Send, see `DataChunk`); the cached vector pointers only
// point into that chunk and move with it, and are used through `&self`/`&mut self` of the one
// owner. Not Sync (raw pointers), like the chunk.
unsafe impl Send for ChunkWriter {}

impl ChunkWriter {
    /// A chunk with one column per type, no rows, and room for
    /// [`capacity`](Self::capacity) rows.
    pub fn new(types: &[LogicalType]) -> Result<ChunkWriter> {
        let ids: Vec<TypeId> = types.iter().map(LogicalType::id).collect();
        if let Some((i, id)) = ids
            .iter()
            .enumerate()
            .find(|(_, id)| storage_width(**id).is_none())
        {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "column {i} has type {id:?}, which a ChunkWriter cannot fill; append such values with Appender::append_row"
                ),
            ));
        }
        let mut raw_types: Vec<ffi::duckdb_logical_type> =
            types.iter().map(LogicalType::as_raw).collect();
        // SAFETY: live types, read (copied) by the call; a non-null array even when empty.
        let raw = unsafe {
            ffi::duckdb_create_data_chunk(
                if raw_types.is_empty() {
                    ptr::NonNull::dangling().as_ptr()
                } else {
                    raw_types.as_mut_ptr()
                },
                raw_types.len() as ffi::idx_t,
            )
        };
        if raw.is_null() {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                "DuckDB could not create a data chunk of these types",
            ));
        }
        // SAFETY: a fresh chunk we own ("data_chunk" row).
        let chunk = unsafe { DataChunk::from_raw(raw) };
        // SAFETY: no preconditions.
        let capacity = unsafe { ffi::duckdb_vector_size() } as usize;
        let zeroed = vec![0; ids.len()];
        let vectors = (0..ids.len())
            .map(|column| {
                // SAFETY: column < the chunk's column count; the vector is borrowed from the
                // chunk ("Getters": borrowed) and lives as long as it (see `vectors`).
                unsafe { ffi::duckdb_data_chunk_get_vector(chunk.as_raw(), column as ffi::idx_t) }
            })
            .collect();
        let mut writer = ChunkWriter {
            chunk,
            types: ids,
            capacity,
            zeroed,
            vectors,
        };
        writer.zero_new_storage();
        Ok(writer)
    }

    /// Zeroes each column's storage that was not zeroed (or written through a slice) before,
    /// so slices over it only ever hold valid values.
    fn zero_new_storage(&mut self) {
        for column in 0..self.types.len() {
            let width = storage_width(self.types[column]).unwrap_or(0);
            let data = self.raw_data(column);
            // String cells are re-zeroed on every reset: after it they point into the freed
            // string heap, and a row appended without a new string would read freed memory.
            let strings = matches!(self.types[column], TypeId::Varchar | TypeId::Blob);
            if data as usize == self.zeroed[column] && !strings {
                continue;
            }
            // SAFETY: a flat vector of a fresh (or reset) chunk has room for `capacity` values
            // of `width` bytes; a zeroed string_t is the empty string.
            unsafe { ptr::write_bytes(data, 0, width * self.capacity) };
            self.zeroed[column] = data as usize;
        }
    }

    /// The vector of `column` (< column_count, checked by callers), borrowed from our chunk.
    #[inline]
    fn raw_vector(&self, column: usize) -> ffi::duckdb_vector {
        self.vectors[column]
    }

    fn raw_data(&self, column: usize) -> *mut u8 {
        // SAFETY: a vector of our chunk; the data pointer lives as long as the chunk is not reset.
        unsafe { ffi::duckdb_vector_get_data(self.raw_vector(column)).cast() }
    }

    fn check_cell(&self, column: usize, row: usize) -> Result<TypeId> {
        let id = *self
            .types
            .get(column)
            .ok_or_else(|| Error::out_of_range("column", column, self.types.len()))?;
        if row >= self.capacity {
            return Err(Error::out_of_range("row", row, self.capacity));
        }
        Ok(id)
    }

    /// Rows a chunk can hold (DuckDB's vector size, 2048 by default).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        self.types.len()
    }

    /// The row count (what [`Appender::append_chunk`](crate::safe::Appender::append_chunk) appends).
    pub fn len(&self) -> usize {
        self.chunk.len()
    }

    /// Whether the row count is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets the row count; at most [`capacity`](Self::capacity).
    pub fn set_len(&mut self, rows: usize) -> Result<()> {
        if rows > self.capacity {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!(
                    "{rows} rows do not fit in a chunk of {} rows",
                    self.capacity
                ),
            ));
        }
        // SAFETY: live chunk; rows <= capacity.
        unsafe { ffi::duckdb_data_chunk_set_size(self.chunk.as_raw(), rows as ffi::idx_t) };
        Ok(())
    }

    /// The storage of a fixed-width column, all [`capacity`](Self::capacity) rows of it.
    /// `T` must be the column type's storage ([`ChunkWritable`]).
    pub fn column_mut<T: ChunkWritable>(&mut self, column: usize) -> Result<&mut [T]> {
        let id = self.check_cell(column, 0)?;
        if !T::TYPES.contains(&id) {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!(
                    "column {column} has type {id:?}, not writable as {}",
                    std::any::type_name::<T>()
                ),
            ));
        }
        let data = self.raw_data(column);
        if data.is_null() || data.align_offset(std::mem::align_of::<T>()) != 0 {
            return Err(Error::misuse(format!(
                "column {column}'s storage is not aligned for {}",
                std::any::type_name::<T>()
            )));
        }
        // SAFETY: the column's flat storage holds `capacity` values of exactly `T`'s layout
        // (ChunkWritable's contract, type checked above), zero-initialised or written with
        // valid `T`s since; it lives as long as the chunk, which `&mut self` borrows exclusively.
        Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<T>(), self.capacity) })
    }

    /// Marks a cell NULL.
    pub fn set_null(&mut self, column: usize, row: usize) -> Result<()> {
        self.check_cell(column, row)?;
        let vector = self.raw_vector(column);
        // SAFETY: live vector; after ensure_validity_writable the mask is non-null and has a
        // bit for every row below capacity.
        unsafe {
            ffi::duckdb_vector_ensure_validity_writable(vector);
            ffi::duckdb_validity_set_row_invalid(
                ffi::duckdb_vector_get_validity(vector),
                row as ffi::idx_t,
            );
        }
        Ok(())
    }

    /// Marks a cell valid again (cells are valid unless set NULL).
    pub fn set_valid(&mut self, column: usize, row: usize) -> Result<()> {
        self.check_cell(column, row)?;
        // SAFETY: live vector; a null mask means all rows are valid already.
        unsafe {
            let validity = ffi::duckdb_vector_get_validity(self.raw_vector(column));
            if !validity.is_null() {
                ffi::duckdb_validity_set_row_valid(validity, row as ffi::idx_t);
            }
        }
        Ok(())
    }

    /// Checks that `column` has type `want` (VARCHAR or BLOB) and returns its vector.
    fn string_column(&self, column: usize, want: TypeId) -> Result<ffi::duckdb_vector> {
        let id = self.check_cell(column, 0)?;
        if id != want {
            return Err(Error::new(
                ErrorKind::TypeMismatch,
                format!("column {column} has type {id:?}, not {want:?}"),
            ));
        }
        Ok(self.raw_vector(column))
    }

    /// Writes `bytes` into cell `row` of `vector` and marks the cell valid.
    ///
    /// # Safety
    /// `vector` is a VARCHAR or BLOB vector of this writer's chunk, `row < capacity`, and
    /// `validity` is null or the vector's current validity mask; for VARCHAR, `bytes` is valid
    /// UTF-8.
    #[inline]
    unsafe fn write_string(
        vector: ffi::duckdb_vector,
        validity: *mut u64,
        row: usize,
        bytes: &[u8],
    ) -> Result<()> {
        // SAFETY: (the caller's contract) live VARCHAR/BLOB vector with room for the row;
        // VARCHAR input is UTF-8.
        unsafe { assign_bytes(vector, row, bytes)? };
        if !validity.is_null() {
            // SAFETY: a non-null mask has a bit for every row below capacity (flat vector of
            // a chunk created with `capacity` rows); plain u64 words.
            unsafe { *validity.add(row / 64) |= 1 << (row % 64) };
        }
        Ok(())
    }

    fn assign(&mut self, column: usize, row: usize, bytes: &[u8], want: TypeId) -> Result<()> {
        let vector = self.string_column(column, want)?;
        if row >= self.capacity {
            return Err(Error::out_of_range("row", row, self.capacity));
        }
        // SAFETY: live vector of our chunk.
        let validity = unsafe { ffi::duckdb_vector_get_validity(vector) };
        // SAFETY: `vector` is this chunk's `want` vector (checked), row < capacity, `validity`
        // is its current mask; VARCHAR input is `&str` (see `set_str`).
        unsafe { Self::write_string(vector, validity, row, bytes) }
    }

    /// Writes a string into a VARCHAR cell (copied into the chunk).
    pub fn set_str(&mut self, column: usize, row: usize, text: &str) -> Result<()> {
        self.assign(column, row, text.as_bytes(), TypeId::Varchar)
    }

    /// Writes bytes into a BLOB cell (copied into the chunk).
    pub fn set_blob(&mut self, column: usize, row: usize, bytes: &[u8]) -> Result<()> {
        self.assign(column, row, bytes, TypeId::Blob)
    }

    fn assign_many<B: AsRef<[u8]>>(
        &mut self,
        column: usize,
        first_row: usize,
        items: impl IntoIterator<Item = B>,
        want: TypeId,
    ) -> Result<usize> {
        let vector = self.string_column(column, want)?;
        // SAFETY: live vector of our chunk; the mask stays the same until a reset or
        // `ensure_validity_writable`, neither of which happens in this loop.
        let validity = unsafe { ffi::duckdb_vector_get_validity(vector) };
        let mut row = first_row;
        for item in items {
            if row >= self.capacity {
                return Err(Error::new(
                    ErrorKind::OutOfRange,
                    format!(
                        "more than {} values from row {first_row} do not fit in a chunk of {} rows",
                        self.capacity.saturating_sub(first_row),
                        self.capacity
                    ),
                ));
            }
            // SAFETY: `vector` is this chunk's `want` vector (checked once above), row <
            // capacity (checked), `validity` its current mask; VARCHAR items are `&str`
            // (`set_strs` is the only VARCHAR caller).
            unsafe { Self::write_string(vector, validity, row, item.as_ref())? };
            row += 1;
        }
        Ok(row - first_row)
    }

    /// Writes strings into consecutive VARCHAR cells from `first_row` on, and returns how many
    /// were written. The column is checked once, not per cell; the first string that does not
    /// fit (past [`capacity`](Self::capacity)) is an error, and the cells before it are written.
    ///
    /// ```
    /// use duckdb_ffi::safe::ChunkWriter;
    /// use duckdb_ffi::safe::types::{LogicalType, TypeId};
    /// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::Varchar)?])?;
    /// assert_eq!(w.set_strs(0, 0, ["a", "bb", "ccc"])?, 3);
    /// w.set_len(3)?;
    /// let v = w.chunk().vector(0)?;
    /// let texts: Vec<_> = v.strings()?.iter().collect::<Result<_, _>>()?;
    /// assert_eq!(texts, [Some("a"), Some("bb"), Some("ccc")]);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn set_strs<S: AsRef<str>>(
        &mut self,
        column: usize,
        first_row: usize,
        texts: impl IntoIterator<Item = S>,
    ) -> Result<usize> {
        self.assign_many(
            column,
            first_row,
            texts.into_iter().map(StrBytes),
            TypeId::Varchar,
        )
    }

    /// Writes byte strings into consecutive BLOB cells from `first_row` on, and returns how
    /// many were written (as [`set_strs`](Self::set_strs) does for VARCHAR).
    pub fn set_blobs<B: AsRef<[u8]>>(
        &mut self,
        column: usize,
        first_row: usize,
        blobs: impl IntoIterator<Item = B>,
    ) -> Result<usize> {
        self.assign_many(column, first_row, blobs, TypeId::Blob)
    }

    /// The validity mask of `column`, writable: bit `row % 64` of word `row / 64` is 1 when the
    /// cell is valid and 0 when it is NULL; one bit for each of the [`capacity`](Self::capacity)
    /// rows. Every bit starts at 1 after a [`reset`](Self::reset). Use it to set many NULLs at
    /// once instead of calling [`set_null`](Self::set_null) per cell.
    ///
    /// ```
    /// use duckdb_ffi::safe::ChunkWriter;
    /// use duckdb_ffi::safe::types::{LogicalType, TypeId};
    /// let mut w = ChunkWriter::new(&[LogicalType::new(TypeId::Integer)?])?;
    /// w.validity_mut(0)?[0] = !0b1010; // rows 1 and 3 are NULL
    /// w.set_len(4)?;
    /// let v = w.chunk().vector(0)?;
    /// assert_eq!((0..4).map(|r| v.is_null(r)).collect::<Result<Vec<_>, _>>()?, [false, true, false, true]);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn validity_mut(&mut self, column: usize) -> Result<&mut [u64]> {
        self.check_cell(column, 0)?;
        let vector = self.raw_vector(column);
        // SAFETY: live vector of our chunk; after ensure_validity_writable the mask is
        // non-null and owned by the vector.
        let mask = unsafe {
            ffi::duckdb_vector_ensure_validity_writable(vector);
            ffi::duckdb_vector_get_validity(vector)
        };
        if mask.is_null() {
            return Err(Error::misuse(format!(
                "column {column} has no writable validity mask"
            )));
        }
        // SAFETY: the mask of a flat vector with room for `capacity` rows holds
        // ceil(capacity / 64) words; any bit pattern is valid; it lives until the chunk is
        // reset or dropped, which `&mut self` prevents while the slice lives.
        Ok(unsafe { std::slice::from_raw_parts_mut(mask, self.capacity.div_ceil(64)) })
    }

    /// Empties the chunk for reuse (`duckdb_data_chunk_reset`): no rows, every cell valid,
    /// strings freed and VARCHAR/BLOB cells empty. Fixed-width columns keep their old contents
    /// when DuckDB reuses the same storage (it normally does); new storage is zeroed.
    pub fn reset(&mut self) {
        // SAFETY: live chunk; slices into it are not alive (`&mut self`).
        unsafe { ffi::duckdb_data_chunk_reset(self.chunk.as_raw()) };
        self.zero_new_storage();
    }

    /// The chunk, for [`Appender::append_chunk`](crate::safe::Appender::append_chunk).
    pub fn chunk(&self) -> &DataChunk {
        &self.chunk
    }

    /// The chunk, owned.
    pub fn into_chunk(self) -> DataChunk {
        self.chunk
    }
}

/// A `&str` seen as its bytes (for [`ChunkWriter::set_strs`], which only takes UTF-8).
struct StrBytes<S>(S);

impl<S: AsRef<str>> AsRef<[u8]> for StrBytes<S> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref().as_bytes()
    }
}

/// Read access to the chunk being built (`appender.append_chunk(&writer)` works too).
impl std::ops::Deref for ChunkWriter {
    type Target = DataChunk;

    fn deref(&self) -> &DataChunk {
        &self.chunk
    }
}
