//! Row-at-a-time reading in the style of rusqlite: [`QueryResult::rows`] streams rows chunk by
//! chunk, and [`Connection::query_row`] runs a query for its first row; [`Row::get`] reads a
//! column of the current row with [`FromSql`].
//!
//! Rows are a convenience over the chunk API. [`Rows`] looks each column's vector, data,
//! validity and type id up once per chunk, so each [`Row::get`] is a bounds check, a type-id
//! comparison, a validity bit and a load. For bulk reading, take the chunk's vectors as slices
//! ([`Vector::as_slice`]).
//!
//! ```
//! use duckdb_ffi::safe::Database;
//! let conn = Database::open_in_memory()?.connect()?;
//! conn.execute_batch("CREATE TABLE t(id INTEGER, name VARCHAR); INSERT INTO t VALUES (1, 'a'), (2, NULL);")?;
//! let mut result = conn.query("SELECT id, name FROM t ORDER BY id")?;
//! let mut rows = result.rows();
//! let mut seen = Vec::new();
//! while let Some(row) = rows.next()? {
//!     let id: i64 = row.get(0)?;
//!     let name: Option<String> = row.get("name")?;
//!     seen.push((id, name));
//! }
//! assert_eq!(seen, [(1, Some("a".to_string())), (2, None)]);
//!
//! let n: i64 = conn.query_row("SELECT count(*) FROM t WHERE id > ?", [0], |row| row.get(0))?;
//! assert_eq!(n, 2);
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```

mod row;

pub use row::{ColumnIndex, Row};

use crate::safe::connection::Connection;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::read::{ColumnNames, DataChunk, VectorParts};
use crate::safe::result::QueryResult;
use crate::safe::statement::PreparedStatement;
use crate::safe::write::Params;

/// Streams a result's rows (from [`QueryResult::rows`]), fetching one chunk at a time.
///
/// `next` lends each [`Row`] until the following call, so no row outlives its chunk; it is a
/// "lending" iterator and so not a std `Iterator`. [`Rows::map`] collects converted rows.
///
/// Each chunk's columns (vector, data, validity, type id) are looked up once when the chunk
/// is fetched; every [`Row::get`] still checks its cell's type, NULL-ness and position:
///
/// ```
/// use duckdb_ffi::safe::{Database, ErrorKind};
/// let conn = Database::open_in_memory()?.connect()?;
/// let sql = "SELECT CASE WHEN i % 10 = 0 THEN NULL ELSE i END::BIGINT AS i, \
///            i::DOUBLE / 4 AS d, 'r' || i::VARCHAR AS s, NULL::VARCHAR AS z FROM range(7000) t(i)";
/// // The same sums computed by SQL, to check every chunk was read from its own columns.
/// let want: (i64, f64, i64, i64) = conn.query_row(
///     &format!("SELECT sum(i)::BIGINT, sum(d), sum(strlen(s))::BIGINT, count(*) FROM ({sql})"),
///     [0i64; 0],
///     |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
/// )?;
/// let mut result = conn.query(sql)?;
/// let mut rows = result.rows();
/// let mut got = (0i64, 0f64, 0i64, 0i64);
/// while let Some(row) = rows.next()? {
///     got.0 += row.get::<Option<i64>>("i")?.unwrap_or(0);
///     got.1 += row.get::<f64>(1)?;
///     let s: &str = row.get(2)?;
///     assert_eq!(s.as_bytes(), row.get::<&[u8]>("s")?);
///     got.2 += s.len() as i64;
///     got.3 += 1;
///     // The checks stay per cell.
///     let wrong = row.get::<f64>(0).unwrap_err();
///     assert!(wrong.kind() == ErrorKind::TypeMismatch && wrong.message().contains("BIGINT"));
///     assert_eq!(row.get::<&str>(1).unwrap_err().kind(), ErrorKind::TypeMismatch);
///     assert_eq!(row.get::<&str>(3).unwrap_err().kind(), ErrorKind::TypeMismatch); // NULL
///     assert_eq!(row.get::<Option<&str>>("z")?, None);
///     assert_eq!(row.get::<i64>(4).unwrap_err().kind(), ErrorKind::OutOfRange);
/// }
/// assert_eq!(got, want);
/// assert!(got.3 > 2 * 2048, "several chunks");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
///
/// A result (and so its rows) cannot outlive its connection, and neither results nor
/// connections can be shared between threads:
///
/// ```compile_fail,E0505
/// # use duckdb_ffi::safe::Database;
/// let db = Database::open_in_memory().unwrap();
/// let conn = db.connect().unwrap();
/// let result = conn.query("SELECT 1").unwrap();
/// drop(conn); // error: the result borrows the connection
/// result.column_count();
/// ```
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<duckdb_ffi::safe::QueryResult<'static>>();
/// ```
///
/// ```compile_fail,E0277
/// fn shared<T: Sync>() {}
/// shared::<duckdb_ffi::safe::Connection>();
/// ```
///
/// ```compile_fail,E0277
/// fn sent<T: Send>() {}
/// sent::<duckdb_ffi::safe::Row<'static>>();
/// ```
#[derive(Debug)]
pub struct Rows<'r, 'conn> {
    result: &'r mut QueryResult<'conn>,
    chunk: Option<DataChunk>,
    /// The current chunk's columns, looked up once when the chunk is fetched.
    columns: Vec<VectorParts>,
    /// The current chunk's row count (0 when there is none).
    chunk_len: usize,
    next_row: usize,
    done: bool,
}

impl<'conn> QueryResult<'conn> {
    /// Streams the remaining rows. See [`Rows`].
    pub fn rows(&mut self) -> Rows<'_, 'conn> {
        Rows {
            result: self,
            chunk: None,
            columns: Vec::new(),
            chunk_len: 0,
            next_row: 0,
            done: false,
        }
    }
}

/// Looks up each column of `chunk` once, for the [`Row`]s read from it.
fn column_parts(chunk: &DataChunk) -> Result<Vec<VectorParts>> {
    (0..chunk.column_count())
        .map(|c| chunk.vector(c).map(|v| v.parts()))
        .collect()
}

impl<'r, 'conn> Rows<'r, 'conn> {
    /// The next row, `None` at the end. A fetch error is returned once, then `None`.
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        if self.chunk.is_none() || self.next_row >= self.chunk_len {
            self.advance()?;
        }
        let row = self.next_row;
        self.next_row += 1;
        match &self.chunk {
            // SAFETY: `columns` and `chunk_len` are `chunk`'s vectors and row count (`advance`
            // sets all three) and `row < chunk_len` (or `advance` would have ended the rows).
            Some(chunk) => Ok(Some(unsafe {
                Row::new(chunk, &self.columns, self.chunk_len, row, &*self.result)
            })),
            None => Ok(None),
        }
    }

    /// Fetches chunks until one has a row to read, or the end (then `chunk` is `None`).
    #[cold]
    fn advance(&mut self) -> Result<()> {
        loop {
            if self.done {
                return Ok(());
            }
            if self.chunk.is_some() && self.next_row < self.chunk_len {
                break;
            }
            self.next_row = 0;
            self.chunk_len = 0;
            self.columns.clear();
            self.chunk = None;
            match self.result.next_chunk() {
                Ok(Some(chunk)) => match column_parts(&chunk) {
                    Ok(columns) => {
                        self.columns = columns;
                        self.chunk_len = chunk.len();
                        self.chunk = Some(chunk);
                    }
                    Err(e) => {
                        self.done = true;
                        return Err(e);
                    }
                },
                Ok(None) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Converts every remaining row with `f`, stopping at the first error.
    pub fn map<T>(mut self, mut f: impl FnMut(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(row) = self.next()? {
            out.push(f(&row)?);
        }
        Ok(out)
    }

    /// The column names.
    pub fn column_names(&self) -> &[String] {
        self.result.cached_names()
    }
}

impl Connection {
    /// Runs `sql` with `params` and converts its first row with `f`.
    ///
    /// A query that returns no rows is an [`ErrorKind::OutOfRange`] error; rows after the first
    /// are ignored. To run the same SQL many times, prepare it once and call
    /// [`PreparedStatement::query_row`].
    pub fn query_row<T, P: Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare(sql)?.query_row(params, f)
    }
}

impl PreparedStatement<'_> {
    /// Binds `params`, runs the statement and converts its first row with `f`.
    ///
    /// A statement that returns no rows is an [`ErrorKind::OutOfRange`] error; rows after the
    /// first are ignored and never materialised: the statement runs as a streaming query of
    /// which only the first chunk is fetched, so side effects of computing later rows of a
    /// `SELECT` (`nextval`) may not happen. Writing statements (`INSERT ... RETURNING`) still
    /// complete and commit in full.
    ///
    /// ```
    /// use duckdb_ffi::safe::{Database, ErrorKind};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let mut stmt = conn.prepare("SELECT ?::BIGINT * 2 WHERE ? > 0")?;
    /// assert_eq!(stmt.query_row((21, 1), |row| row.get::<i64>(0))?, 42);
    /// let none = stmt.query_row((21, 0), |row| row.get::<i64>(0)).unwrap_err();
    /// assert_eq!(none.kind(), ErrorKind::OutOfRange);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn query_row<T, P: Params>(
        &mut self,
        params: P,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.bind_all(params)?;
        // The streaming result is destroyed before `f` runs: while it is open, any other SQL
        // on the connection fails with `ResourceInUse`, and `f` may want to run some. The
        // chunk is owned and outlives it.
        let chunk = {
            let mut result = self.query_bound_streaming()?;
            let mut chunk = None;
            while let Some(next) = result.next_chunk()? {
                if !next.is_empty() {
                    chunk = Some(next);
                    break;
                }
            }
            chunk
        };
        let chunk =
            chunk.ok_or_else(|| Error::new(ErrorKind::OutOfRange, "the query returned no rows"))?;
        let columns = column_parts(&chunk)?;
        // SAFETY: `columns` are the parts of `chunk`'s vectors, and the chunk is not empty.
        // Names come from the statement (which reads them once): it outlives the call.
        f(&unsafe { Row::new(&chunk, &columns, chunk.len(), 0, &*self) })
    }
}
