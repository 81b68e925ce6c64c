//! [`Row`]: one row of a chunk, read cell by cell with [`FromSql`] by column position or
//! name.

use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::read::{ColumnNames, DataChunk, FromSql, Vector, VectorParts};
use crate::safe::values::Datum;

/// Names a column of a [`Row`]: by position (`usize`) or by name (`&str`). Sealed.
pub trait ColumnIndex: sealed::Sealed {
    /// The position of the column in `row`.
    #[doc(hidden)]
    fn index(&self, row: &Row<'_>) -> Result<usize>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for &str {}
}

impl ColumnIndex for usize {
    #[inline]
    fn index(&self, row: &Row<'_>) -> Result<usize> {
        let count = row.column_count();
        if *self < count {
            Ok(*self)
        } else {
            Err(Error::out_of_range("column", *self, count))
        }
    }
}

impl ColumnIndex for &str {
    fn index(&self, row: &Row<'_>) -> Result<usize> {
        let names = row.column_names();
        names.iter().position(|n| n == self).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfRange,
                format!("no column named `{self}` (columns: {names:?})"),
            )
        })
    }
}

/// One row of a result, borrowed from its chunk (see [`Rows::next`](crate::safe::Rows::next)).
///
/// A row cannot outlive the [`Rows`](crate::safe::Rows) (and so the chunk) it came from:
///
/// ```compile_fail,E0499
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// # let mut result = conn.query("SELECT 1").unwrap();
/// let mut rows = result.rows();
/// let first = rows.next().unwrap().unwrap();
/// let second = rows.next().unwrap(); // error: `first` still borrows the current chunk
/// let x: i32 = first.get(0).unwrap();
/// ```
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// # let conn = Database::open_in_memory().unwrap().connect().unwrap();
/// let mut result = conn.query("SELECT 1").unwrap();
/// let mut rows = result.rows();
/// let row = rows.next().unwrap().unwrap();
/// drop(result); // error: the row borrows the result
/// let x: i32 = row.get(0).unwrap();
/// ```
#[derive(Clone, Copy)]
pub struct Row<'a> {
    /// Keeps the chunk borrowed (and the row `!Send`) for as long as `columns` is used.
    _chunk: &'a DataChunk,
    /// The chunk's columns, looked up once per chunk by [`Rows`].
    columns: &'a [VectorParts],
    /// Rows in the chunk.
    len: usize,
    row: usize,
    /// Read only when a column is named.
    names: &'a dyn ColumnNames,
}

impl std::fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("row", &self.row)
            .field("columns", &self.columns.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Row<'a> {
    /// Row `row` of `chunk`, whose columns were looked up as `columns` and whose row count is
    /// `len` (passed in: readers cache it, as asking the chunk is a C call per row).
    ///
    /// # Safety
    /// `columns` must be the parts of `chunk`'s vectors, in order (so they stay valid while
    /// `chunk` is borrowed), `len == chunk.len()` and `row < len`.
    #[inline]
    pub(crate) unsafe fn new(
        chunk: &'a DataChunk,
        columns: &'a [VectorParts],
        len: usize,
        row: usize,
        names: &'a dyn ColumnNames,
    ) -> Row<'a> {
        Row {
            _chunk: chunk,
            columns,
            len,
            row,
            names,
        }
    }

    /// The column at position `index`, rebuilt from the per-chunk cache (no C call).
    #[inline]
    fn column(&self, index: usize) -> Result<Vector<'a>> {
        match self.columns.get(index) {
            // SAFETY: `Rows` took these parts from the vectors of `_chunk`, which holds `len`
            // rows and which this row borrows (shared, so unmodified) for 'a.
            Some(&parts) => Ok(unsafe { Vector::from_parts(parts, self.len) }),
            None => Err(Error::out_of_range("column", index, self.columns.len())),
        }
    }

    /// Converts the cell in `column` (a position or a name) to `T`.
    #[inline]
    pub fn get<T: FromSql<'a>>(&self, column: impl ColumnIndex) -> Result<T> {
        let index = column.index(self)?;
        T::from_vector(&self.column(index)?, self.row)
    }

    /// The cell in `column` as a [`Datum`].
    pub fn datum(&self, column: impl ColumnIndex) -> Result<Datum> {
        self.get(column)
    }

    /// The column's vector (the whole chunk's column, borrowed) and this row's index in it.
    pub fn vector(&self, column: impl ColumnIndex) -> Result<(Vector<'a>, usize)> {
        Ok((self.column(column.index(self)?)?, self.row))
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// The column names (read from DuckDB on the first call for this result or statement).
    pub fn column_names(&self) -> &'a [String] {
        self.names.cached_names()
    }
}
