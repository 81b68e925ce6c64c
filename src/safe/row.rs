//! Row-at-a-time reading in the style of rusqlite: [`FromSql`] converts one cell,
//! [`Row::get`] reads a column of the current row, [`QueryResult::rows`] streams rows chunk by
//! chunk, and [`Connection::query_row`] runs a query for its first row.
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

use super::chunk::{DataChunk, Vector, VectorParts, utf8};
use super::connection::Connection;
use super::datum::{
    Date, Datum, Decimal, Interval, Plan, Time, TimeNs, TimeTz, Timestamp, TimestampMs,
    TimestampNs, TimestampS, TimestampTz, TimestampTzNs, Uuid,
};
use super::error::{Error, ErrorKind, Result};
use super::params::Params;
use super::result::QueryResult;
use super::statement::PreparedStatement;
use super::types::TypeId;

/// A Rust type that one DuckDB cell converts into.
///
/// Integers read from any integer column whose value fits (`i64` from an INTEGER, `u8` from a
/// BIGINT holding 7; a value that does not fit is a [`ErrorKind::TypeMismatch`] error naming
/// it). Everything else needs its own type: `f32` FLOAT, `f64` FLOAT or DOUBLE, `bool`
/// BOOLEAN, `String` VARCHAR or ENUM, `Vec<u8>` BLOB or VARCHAR, [`Decimal`] DECIMAL,
/// [`Uuid`] UUID, the date/time types their own column type, [`Datum`] anything.
/// NULL reads as `None` into `Option<T>` and is an error into any other type.
///
/// The lifetime is the chunk's: `&'a str` and `&'a [u8]` borrow the cell without copying, so
/// they live only as long as the [`Row`] they were read from. Owned types implement it for
/// every lifetime (`T: for<'a> FromSql<'a>`).
pub trait FromSql<'a>: Sized {
    /// Converts row `row` of `vector`.
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self>;
}

#[cold]
fn null_error<T>(vector: &Vector<'_>, row: usize) -> Error {
    Error::new(
        ErrorKind::TypeMismatch,
        format!(
            "row {row} of the {} column is NULL, which cannot be read as {}; read an Option",
            vector.logical_type(),
            std::any::type_name::<T>()
        ),
    )
}

/// Checks the row and its NULL-ness; the error for NULL names `T`.
#[inline]
fn valid_row<T>(vector: &Vector<'_>, row: usize) -> Result<()> {
    if vector.is_null(row)? {
        Err(null_error::<T>(vector, row))
    } else {
        Ok(())
    }
}

impl<'a, T: FromSql<'a>> FromSql<'a> for Option<T> {
    #[inline]
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self> {
        if vector.is_null(row)? {
            Ok(None)
        } else {
            T::from_vector(vector, row).map(Some)
        }
    }
}

impl FromSql<'_> for Datum {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        vector.datum(row)
    }
}

/// Reads any integer column's row as `i128` (or `u128` for the unsigned 128-bit type).
enum Int {
    Signed(i128),
    Unsigned(u128),
}

#[inline]
fn read_integer<T>(vector: &Vector<'_>, row: usize) -> Result<Int> {
    valid_row::<T>(vector, row)?;
    // One match on the cached type id both checks the type and picks the storage.
    // SAFETY: each arm reads the storage type of the column type it matched (the id is the
    // column's own, cached by `Vector`), and `valid_row` checked `row < len`.
    Ok(unsafe {
        match vector.type_id() {
            TypeId::TinyInt => Int::Signed(vector.read_unchecked::<i8>(row).into()),
            TypeId::SmallInt => Int::Signed(vector.read_unchecked::<i16>(row).into()),
            TypeId::Integer => Int::Signed(vector.read_unchecked::<i32>(row).into()),
            TypeId::BigInt => Int::Signed(vector.read_unchecked::<i64>(row).into()),
            TypeId::HugeInt => Int::Signed(vector.read_unchecked::<i128>(row)),
            TypeId::UTinyInt => Int::Unsigned(vector.read_unchecked::<u8>(row).into()),
            TypeId::USmallInt => Int::Unsigned(vector.read_unchecked::<u16>(row).into()),
            TypeId::UInteger => Int::Unsigned(vector.read_unchecked::<u32>(row).into()),
            TypeId::UBigInt => Int::Unsigned(vector.read_unchecked::<u64>(row).into()),
            TypeId::UHugeInt => Int::Unsigned(vector.read_unchecked::<u128>(row)),
            _ => return Err(vector.mismatch_here(std::any::type_name::<T>())),
        }
    })
}

macro_rules! from_sql_int {
    ($($t:ty),*) => {$(
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                let fit = match read_integer::<$t>(vector, row)? {
                    Int::Signed(v) => <$t>::try_from(v).map_err(|_| v.to_string()),
                    Int::Unsigned(v) => <$t>::try_from(v).map_err(|_| v.to_string()),
                };
                fit.map_err(|value| {
                    Error::new(
                        ErrorKind::TypeMismatch,
                        format!(
                            "value {value} of the {} column does not fit in {}",
                            vector.logical_type(),
                            stringify!($t)
                        ),
                    )
                })
            }
        }
    )*};
}

from_sql_int!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// Types read from exactly one column type by their storage (`T: Primitive`).
macro_rules! from_sql_exact {
    ($($t:ty => $id:ident),* $(,)?) => {$(
        impl FromSql<'_> for $t {
            #[inline]
            fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
                valid_row::<$t>(vector, row)?;
                vector.expect_type(stringify!($t), &[TypeId::$id])?;
                // SAFETY: the column's storage is `$t` (type checked), row checked.
                Ok(unsafe { vector.read_unchecked::<$t>(row) })
            }
        }
    )*};
}

from_sql_exact!(
    f32 => Float,
    bool => Boolean,
    Date => Date,
    Time => Time,
    TimeNs => TimeNs,
    TimeTz => TimeTz,
    Timestamp => Timestamp,
    TimestampS => TimestampS,
    TimestampMs => TimestampMs,
    TimestampNs => TimestampNs,
    TimestampTz => TimestampTz,
    TimestampTzNs => TimestampTzNs,
    Interval => Interval,
);

impl FromSql<'_> for f64 {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<f64>(vector, row)?;
        // SAFETY: storage matches the checked type; row checked.
        unsafe {
            match vector.expect_type("f64", &[TypeId::Double, TypeId::Float])? {
                TypeId::Double => Ok(vector.read_unchecked::<f64>(row)),
                _ => Ok(f64::from(vector.read_unchecked::<f32>(row))),
            }
        }
    }
}

impl FromSql<'_> for Uuid {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Uuid>(vector, row)?;
        vector.expect_type("Uuid", &[TypeId::Uuid])?;
        // SAFETY: UUID is stored as a HUGEINT; row checked.
        Ok(Uuid::from_storage(unsafe {
            vector.read_unchecked::<i128>(row)
        }))
    }
}

impl FromSql<'_> for Decimal {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Decimal>(vector, row)?;
        vector.expect_type("Decimal", &[TypeId::Decimal])?;
        match vector.datum(row)? {
            Datum::Decimal(d) => Ok(d),
            other => Err(Error::misuse(format!("DECIMAL column produced {other:?}"))),
        }
    }
}

/// Row `row` of a column already checked to store `duckdb_string_t` (VARCHAR, BLOB).
///
/// # Safety
/// The column's type is VARCHAR or BLOB, and `valid_row` accepted `row` (in range, not NULL).
#[inline]
unsafe fn string_bytes<'a>(vector: &Vector<'a>, row: usize) -> &'a [u8] {
    // SAFETY: forwarded: duckdb_string_t storage, row in range and valid.
    unsafe { vector.string_unchecked(row) }
}

impl FromSql<'_> for String {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<String>(vector, row)?;
        match vector.expect_type("String", &[TypeId::Varchar, TypeId::Enum])? {
            // SAFETY: VARCHAR (checked above), row checked by `valid_row`.
            TypeId::Varchar => Ok(utf8(unsafe { string_bytes(vector, row) })?.to_owned()),
            _ => match Plan::new(&vector.logical_type())?.read(vector, row)? {
                Datum::Enum(s) => Ok(s),
                other => Err(Error::misuse(format!("ENUM column produced {other:?}"))),
            },
        }
    }
}

impl FromSql<'_> for Vec<u8> {
    #[inline]
    fn from_vector(vector: &Vector<'_>, row: usize) -> Result<Self> {
        valid_row::<Vec<u8>>(vector, row)?;
        vector.expect_type("Vec<u8>", &[TypeId::Blob, TypeId::Varchar])?;
        // SAFETY: BLOB or VARCHAR (checked above), row checked by `valid_row`.
        Ok(unsafe { string_bytes(vector, row) }.to_vec())
    }
}

/// A VARCHAR cell borrowed from the chunk (UTF-8 checked), without copying.
impl<'a> FromSql<'a> for &'a str {
    #[inline]
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self> {
        valid_row::<&str>(vector, row)?;
        vector.expect_type("&str", &[TypeId::Varchar])?;
        // SAFETY: VARCHAR (checked above), row checked by `valid_row`.
        utf8(unsafe { string_bytes(vector, row) })
    }
}

/// A BLOB (or VARCHAR) cell borrowed from the chunk, without copying.
impl<'a> FromSql<'a> for &'a [u8] {
    #[inline]
    fn from_vector(vector: &Vector<'a>, row: usize) -> Result<Self> {
        valid_row::<&[u8]>(vector, row)?;
        vector.expect_type("&[u8]", &[TypeId::Blob, TypeId::Varchar])?;
        // SAFETY: BLOB or VARCHAR (checked above), row checked by `valid_row`.
        Ok(unsafe { string_bytes(vector, row) })
    }
}

/// Names a column of a [`Row`]: by position (`usize`) or by name (`&str`).
pub trait ColumnIndex {
    /// The position of the column among `names`.
    fn index(&self, names: &[String]) -> Result<usize>;
}

impl ColumnIndex for usize {
    #[inline]
    fn index(&self, names: &[String]) -> Result<usize> {
        if *self < names.len() {
            Ok(*self)
        } else {
            Err(Error::out_of_range("column", *self, names.len()))
        }
    }
}

impl ColumnIndex for &str {
    fn index(&self, names: &[String]) -> Result<usize> {
        names.iter().position(|n| n == self).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfRange,
                format!("no column named `{self}` (columns: {names:?})"),
            )
        })
    }
}

/// One row of a result, borrowed from its chunk (see [`Rows::next`]).
///
/// A row cannot outlive the [`Rows`] (and so the chunk) it came from:
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
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Keeps the chunk borrowed (and the row `!Send`) for as long as `columns` is used.
    _chunk: &'a DataChunk,
    /// The chunk's columns, looked up once per chunk by [`Rows`].
    columns: &'a [VectorParts],
    /// Rows in the chunk.
    len: usize,
    row: usize,
    names: &'a [String],
}

impl<'a> Row<'a> {
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
        let index = column.index(self.names)?;
        T::from_vector(&self.column(index)?, self.row)
    }

    /// The cell in `column` as a [`Datum`].
    pub fn datum(&self, column: impl ColumnIndex) -> Result<Datum> {
        self.get(column)
    }

    /// The column's vector (the whole chunk's column, borrowed) and this row's index in it.
    pub fn vector(&self, column: impl ColumnIndex) -> Result<(Vector<'a>, usize)> {
        Ok((self.column(column.index(self.names)?)?, self.row))
    }

    /// Number of columns.
    pub fn column_count(&self) -> usize {
        self.names.len()
    }

    /// The column names.
    pub fn column_names(&self) -> &'a [String] {
        self.names
    }
}

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
    names: Vec<String>,
    done: bool,
}

impl<'conn> QueryResult<'conn> {
    /// Streams the remaining rows. See [`Rows`].
    pub fn rows(&mut self) -> Rows<'_, 'conn> {
        let names = self.owned_column_names();
        Rows {
            result: self,
            chunk: None,
            columns: Vec::new(),
            chunk_len: 0,
            next_row: 0,
            names,
            done: false,
        }
    }
}

impl QueryResult<'_> {
    /// Copies of the column names, which rows keep for by-name lookups.
    fn owned_column_names(&self) -> Vec<String> {
        (0..self.column_count())
            .map(|c| self.column_name(c).unwrap_or("").to_owned())
            .collect()
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
            Some(chunk) => Ok(Some(Row {
                _chunk: chunk,
                columns: &self.columns,
                len: self.chunk_len,
                row,
                names: &self.names,
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
        &self.names
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
        let (chunk, names) = {
            let mut result = self.query_bound_streaming()?;
            let names = result.owned_column_names();
            let mut chunk = None;
            while let Some(next) = result.next_chunk()? {
                if !next.is_empty() {
                    chunk = Some(next);
                    break;
                }
            }
            (chunk, names)
        };
        let chunk =
            chunk.ok_or_else(|| Error::new(ErrorKind::OutOfRange, "the query returned no rows"))?;
        let columns = column_parts(&chunk)?;
        f(&Row {
            _chunk: &chunk,
            columns: &columns,
            len: chunk.len(),
            row: 0,
            names: &names,
        })
    }
}
