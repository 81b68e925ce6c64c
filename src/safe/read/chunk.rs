//! [`DataChunk`]: the owner of a `duckdb_data_chunk`, which lends out its columns as
//! [`Vector`](super::Vector)s.
//!
//! Zero-copy, type-checked access to columns:
//!
//! A [`Vector`] borrows its [`DataChunk`]; every slice, `&str` and child vector read from it
//! borrows the chunk too, so none can outlive the memory it points into. Each accessor checks
//! the column's logical type once and then hands out plain memory: a slice for fixed-width
//! types, the validity bitmask as words, strings as `&str` into the chunk.
//!
//! ```
//! use duckdb_ffi::safe::Database;
//! let conn = Database::open_in_memory()?.connect()?;
//! let mut result = conn.query(
//!     "SELECT i::INTEGER AS n, CASE WHEN i % 2 = 0 THEN 'even' END AS s FROM range(4) t(i)",
//! )?;
//! let chunk = result.next_chunk()?.expect("one chunk");
//! let n = chunk.vector(0)?;
//! assert_eq!(n.as_slice::<i32>()?, &[0, 1, 2, 3]);
//! let s = chunk.vector(1)?.strings()?;
//! let texts: Vec<Option<&str>> = s.iter().collect::<Result<_, _>>()?;
//! assert_eq!(texts, [Some("even"), None, Some("even"), None]);
//! // Asking for the wrong type is an error that names both types.
//! let err = n.as_slice::<f64>().unwrap_err();
//! assert!(err.message().contains("INTEGER") && err.message().contains("f64"));
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```

use super::vector::Vector;
use crate as ffi;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::types::TypeId;

/// A chunk of rows (the owner of a `duckdb_data_chunk`): up to 2048 rows of every column.
///
/// Columns are borrowed from it as [`Vector`]s.
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 1").unwrap();
/// let chunk = result.next_chunk().unwrap().unwrap();
/// let column = chunk.vector(0).unwrap();
/// drop(chunk); // error: the vector still borrows the chunk
/// column.len();
/// ```
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 1").unwrap();
/// let chunk = result.next_chunk().unwrap().unwrap();
/// let ints: &[i32] = chunk.vector(0).unwrap().as_slice().unwrap();
/// drop(chunk); // error: the slice points into the chunk
/// println!("{}", ints[0]);
/// ```
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 'text'").unwrap();
/// let chunk = result.next_chunk().unwrap().unwrap();
/// let text: &str = chunk.vector(0).unwrap().strings().unwrap().get(0).unwrap().unwrap();
/// drop(chunk); // error: the &str points into the chunk
/// println!("{text}");
/// ```
///
/// A chunk can move to another thread but not be shared between threads:
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<duckdb_ffi::safe::DataChunk>();
/// ```
#[derive(Debug)]
pub struct DataChunk {
    handle: Owned<kind::DataChunk>,
}

// SAFETY: a chunk has no internal locking; one owner uses it (src/c_api.md, "Threads":
// Send, not Sync; `Owned` keeps it !Sync).
unsafe impl Send for DataChunk {}

impl DataChunk {
    /// Takes ownership of a chunk.
    ///
    /// # Safety
    /// `raw` must be a chunk the caller owns (from `duckdb_fetch_chunk` or
    /// `duckdb_create_data_chunk`) and that nobody else destroys.
    pub unsafe fn from_raw(raw: ffi::duckdb_data_chunk) -> DataChunk {
        // SAFETY: forwarded from the caller.
        let handle = unsafe { Owned::from_raw(raw) };
        DataChunk { handle }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        // SAFETY: live chunk.
        unsafe { ffi::duckdb_data_chunk_get_size(self.handle.get()) as usize }
    }

    /// Whether the chunk has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        // SAFETY: live chunk.
        unsafe { ffi::duckdb_data_chunk_get_column_count(self.handle.get()) as usize }
    }

    /// The column at `index`, borrowed from the chunk.
    pub fn vector(&self, index: usize) -> Result<Vector<'_>> {
        // SAFETY: a live chunk, which `Vector<'_>` borrows; no type is claimed.
        unsafe { chunk_vector(self.handle.get(), index, None) }
    }

    /// The raw chunk, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_data_chunk {
        self.handle.get()
    }

    /// Gives up ownership of the chunk (`duckdb_destroy_data_chunk`) (see the [ownership rule](crate::safe#raw-handles)):
    /// the ledger no longer counts it, and the caller must destroy it.
    pub fn into_raw(self) -> ffi::duckdb_data_chunk {
        self.handle.into_raw()
    }
}

/// Column `index` of `chunk`, bounds-checked, borrowed for `'a`; `id` is its type id when the
/// caller knows it (else DuckDB is asked).
///
/// # Safety
/// `chunk` must be a live chunk that stays alive and unchanged for `'a`, and `id`, if given,
/// the column's type id.
pub(crate) unsafe fn chunk_vector<'a>(
    chunk: ffi::duckdb_data_chunk,
    index: usize,
    id: Option<TypeId>,
) -> Result<Vector<'a>> {
    // SAFETY: live chunk (caller).
    let (count, len) = unsafe {
        (
            ffi::duckdb_data_chunk_get_column_count(chunk) as usize,
            ffi::duckdb_data_chunk_get_size(chunk) as usize,
        )
    };
    if index >= count {
        return Err(Error::out_of_range("column", index, count));
    }
    // SAFETY: index checked; the vector is borrowed from the chunk ("Getters": borrowed) for
    // as long as the caller guarantees the chunk.
    let raw = unsafe { ffi::duckdb_data_chunk_get_vector(chunk, index as ffi::idx_t) };
    if raw.is_null() {
        return Err(Error::out_of_range("column", index, count));
    }
    // SAFETY: `raw` belongs to the chunk, whose row count is `len`; a known type is the
    // vector's (caller).
    Ok(unsafe {
        match id {
            Some(id) => Vector::from_raw_typed(raw, len, id),
            None => Vector::from_raw(raw, len),
        }
    })
}
