//! [`Vector`]: one column of a chunk, borrowed from it, with its validity mask and typed
//! values.

use crate as ffi;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::types::LogicalType;
use crate::safe::types::TypeId;
use std::marker::PhantomData;

/// One column of a [`DataChunk`](crate::safe::DataChunk) (or a child of a nested column), borrowed from it: a
/// `duckdb_vector` is never destroyed.
///
/// Accessors check the column's logical type once and return [`ErrorKind::TypeMismatch`],
/// naming both types, when asked for the wrong one; rows past the end are
/// [`ErrorKind::OutOfRange`]. Data under NULL rows is never interpreted: check
/// [`validity`](Self::validity) (the typed accessors return `None` for NULL).
#[derive(Debug, Clone, Copy)]
pub struct Vector<'chunk> {
    pub(super) raw: ffi::duckdb_vector,
    pub(super) len: usize,
    /// What every accessor needs, fetched once when the vector is borrowed (the type id costs
    /// an owned logical type: a C++ allocation and two ledger updates).
    pub(super) parts: VectorParts,
    _chunk: PhantomData<&'chunk ()>,
}

/// The per-vector facts [`Vector`] caches: its data and validity pointers and its type id.
///
/// A vector's type never changes, and its data and validity pointers only change through
/// `duckdb_data_chunk_reset`, `duckdb_vector_ensure_validity_writable` or a list reserve, none
/// of which the safe layer can call while a `Vector<'chunk>` (a shared borrow of the chunk)
/// exists; [`Validity`] and the slices of [`Vector::as_slice`] rely on the same fact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VectorParts {
    pub(super) raw: ffi::duckdb_vector,
    data: *const u8,
    validity: *const u64,
    id: TypeId,
}

// SAFETY: plain pointers into a chunk, which may move between threads (src/c_api.md,
// "Threads": chunks and vectors are Send). They are only dereferenced through a `Vector`
// rebuilt by the unsafe `Vector::from_parts`, whose contract requires the chunk to be alive;
// this lets `Rows` (which caches them next to its chunk) stay `Send` like the chunk itself.
unsafe impl Send for VectorParts {}

impl VectorParts {
    /// Reads the facts of a live vector.
    ///
    /// # Safety
    /// `raw` must be a live, non-null vector.
    unsafe fn fetch(raw: ffi::duckdb_vector) -> VectorParts {
        // SAFETY: live vector (caller); the column type is owned ("Getters: owned") and
        // destroyed by `LogicalType`'s `Owned` at the end of this statement.
        let id = unsafe { LogicalType::from_raw(ffi::duckdb_vector_get_column_type(raw)) }.id();
        // SAFETY: forwarded.
        unsafe { VectorParts::fetch_typed(raw, id) }
    }

    /// Reads the facts of a live vector whose type id the caller knows (a callback's declared
    /// parameter), without asking DuckDB for the type.
    ///
    /// # Safety
    /// `raw` must be a live, non-null vector of type `id`.
    unsafe fn fetch_typed(raw: ffi::duckdb_vector, id: TypeId) -> VectorParts {
        // SAFETY: live vector (caller). The data and validity pointers are borrowed from the
        // chunk ("Getters: borrowed": validity may be NULL = all valid).
        unsafe {
            VectorParts {
                raw,
                data: ffi::duckdb_vector_get_data(raw).cast_const().cast(),
                validity: ffi::duckdb_vector_get_validity(raw).cast_const(),
                id,
            }
        }
    }
}

impl<'chunk> Vector<'chunk> {
    /// # Safety
    /// `raw` must be non-null, stay valid for `'chunk` and hold at least `len` rows.
    pub(crate) unsafe fn from_raw(raw: ffi::duckdb_vector, len: usize) -> Vector<'chunk> {
        // SAFETY: forwarded: `raw` is live and non-null.
        let parts = unsafe { VectorParts::fetch(raw) };
        Vector {
            raw,
            len,
            parts,
            _chunk: PhantomData,
        }
    }

    /// A vector whose type id the caller knows.
    ///
    /// # Safety
    /// As [`from_raw`](Self::from_raw), and the vector's type id is `id`.
    pub(crate) unsafe fn from_raw_typed(
        raw: ffi::duckdb_vector,
        len: usize,
        id: TypeId,
    ) -> Vector<'chunk> {
        Vector {
            raw,
            len,
            // SAFETY: forwarded.
            parts: unsafe { VectorParts::fetch_typed(raw, id) },
            _chunk: PhantomData,
        }
    }

    /// The facts this vector cached, for a reader (such as [`Rows`](super::Rows)) that keeps
    /// them across rows of the same chunk.
    pub(crate) fn parts(&self) -> VectorParts {
        self.parts
    }

    /// Rebuilds a vector from facts cached by [`parts`](Self::parts).
    ///
    /// # Safety
    /// `parts` must come from a vector of a chunk that stays alive and unmodified for
    /// `'chunk`, and that holds at least `len` rows.
    pub(crate) unsafe fn from_parts(parts: VectorParts, len: usize) -> Vector<'chunk> {
        Vector {
            raw: parts.raw,
            len,
            parts,
            _chunk: PhantomData,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The column's logical type.
    pub fn logical_type(&self) -> LogicalType {
        // SAFETY: live vector; the returned type is owned ("Getters": owned).
        unsafe { LogicalType::from_raw(ffi::duckdb_vector_get_column_type(self.raw)) }
    }

    /// The column's type id (cached when the vector was borrowed: no C call). Every typed
    /// accessor checks it, so asking for the wrong type stays an error:
    ///
    /// ```
    /// use duckdb_ffi::safe::{Database, ErrorKind};
    /// use duckdb_ffi::safe::types::TypeId;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let mut result = conn.query("SELECT 1::SMALLINT AS a, 2.5::DECIMAL(4,1) AS d, 'x' AS s")?;
    /// let chunk = result.next_chunk()?.expect("one chunk");
    /// let (a, d, s) = (chunk.vector(0)?, chunk.vector(1)?, chunk.vector(2)?);
    /// assert_eq!(a.type_id(), TypeId::SmallInt);
    /// assert_eq!(a.type_id(), a.logical_type().id());
    /// assert_eq!(a.as_slice::<i16>()?, &[1]);
    /// let err = a.as_slice::<i32>().unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    /// assert!(err.message().contains("SMALLINT"), "{}", err.message());
    /// // DECIMAL(4,1) is stored as SMALLINT: readable as i16, not as i32.
    /// assert_eq!(d.values::<i16>()?.get(0)?, Some(25));
    /// assert!(d.values::<i32>().is_err());
    /// assert!(s.as_slice::<i64>().is_err());
    /// assert_eq!(a.strings().unwrap_err().kind(), ErrorKind::TypeMismatch);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    #[inline]
    pub fn type_id(&self) -> TypeId {
        self.parts.id
    }

    /// Whether row `row` is NULL. Out-of-range rows are an error.
    #[inline]
    pub fn is_null(&self, row: usize) -> Result<bool> {
        self.check_row(row)?;
        Ok(!self.is_valid_in_range(row))
    }

    /// Whether row `row` (already checked `< len`) is valid, straight from the cached mask.
    #[inline]
    pub(crate) fn is_valid_in_range(&self, row: usize) -> bool {
        debug_assert!(row < self.len);
        let mask = self.parts.validity;
        // SAFETY: `row < len` (caller); the mask, when present, has one bit per row of the
        // vector's capacity (>= len) and is borrowed from the chunk for 'chunk (see
        // `VectorParts`).
        mask.is_null() || unsafe { *mask.add(row / 64) } >> (row % 64) & 1 == 1
    }

    /// The NULL bitmask, borrowed from the chunk.
    #[inline]
    pub fn validity(&self) -> Validity<'chunk> {
        let mask = self.parts.validity;
        let words = if mask.is_null() {
            None
        } else {
            // SAFETY: the mask (fetched with "Getters": borrowed, may be null = all valid) has
            // one bit per row of the vector's capacity (>= len), so ceil(len / 64) words are
            // readable; the chunk outlives 'chunk.
            Some(unsafe { std::slice::from_raw_parts(mask, self.len.div_ceil(64)) })
        };
        Validity {
            words,
            len: self.len,
        }
    }

    /// The raw vector, borrowed from its chunk.
    pub fn as_raw(&self) -> ffi::duckdb_vector {
        self.raw
    }

    #[inline]
    pub(crate) fn check_row(&self, row: usize) -> Result<()> {
        if row < self.len {
            Ok(())
        } else {
            Err(Error::out_of_range("row", row, self.len))
        }
    }

    /// An error naming the column's type and the requested one.
    pub(crate) fn mismatch(ty: &LogicalType, wanted: &str) -> Error {
        Error::new(
            ErrorKind::TypeMismatch,
            format!("column has type {ty}, cannot be read as {wanted}"),
        )
    }

    /// Checks that the column has one of `expected` types.
    /// Uses the cached type id; the logical type is only fetched to word an error.
    #[inline]
    pub(crate) fn expect_type(&self, wanted: &str, expected: &[TypeId]) -> Result<TypeId> {
        let actual = self.parts.id;
        if expected.contains(&actual) {
            return Ok(actual);
        }
        Err(self.mismatch_here(wanted))
    }

    /// A [`mismatch`](Self::mismatch) error for this column (cold: fetches the logical type).
    #[cold]
    pub(crate) fn mismatch_here(&self, wanted: &str) -> Error {
        Self::mismatch(&self.logical_type(), wanted)
    }

    #[inline]
    pub(super) fn data(&self) -> *const u8 {
        self.parts.data
    }
}

/// A column's NULL bitmask, borrowed from its chunk: bit `row % 64` of word `row / 64` is set
/// when the row is valid. DuckDB leaves the mask out (here: `words()` is `None`) when every row
/// is valid.
#[derive(Debug, Clone, Copy)]
pub struct Validity<'chunk> {
    words: Option<&'chunk [u64]>,
    pub(super) len: usize,
}

impl<'chunk> Validity<'chunk> {
    /// Whether `row` holds a value (is not NULL). Rows past the end are reported as not valid.
    #[inline]
    pub fn is_valid(&self, row: usize) -> bool {
        if row >= self.len {
            return false;
        }
        match self.words {
            None => true,
            // SAFETY: `words` has `len.div_ceil(64)` words (built only by `Vector::validity`)
            // and `row < len` (checked above), so `row / 64` is in bounds.
            Some(words) => (unsafe { *words.get_unchecked(row / 64) }) >> (row % 64) & 1 == 1,
        }
    }

    /// Whether every row is valid.
    pub fn all_valid(&self) -> bool {
        self.null_count() == 0
    }

    /// Number of NULL rows.
    pub fn null_count(&self) -> usize {
        match self.words {
            None => 0,
            Some(words) => {
                let full = self.len / 64;
                let mut valid: usize = words[..full].iter().map(|w| w.count_ones() as usize).sum();
                if self.len % 64 != 0 {
                    valid += (words[full] & ((1u64 << (self.len % 64)) - 1)).count_ones() as usize;
                }
                self.len - valid
            }
        }
    }

    /// The mask words (`ceil(len / 64)` of them), or `None` when all rows are valid. Bits past
    /// `len` in the last word are unspecified.
    pub fn words(&self) -> Option<&'chunk [u64]> {
        self.words
    }

    /// Number of rows the mask covers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mask covers no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
