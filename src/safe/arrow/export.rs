//! DuckDB to Arrow: query results, chunks and column types as Arrow C data.

use super::c_data::{ArrowArray, ArrowSchema, ArrowStream, Producer};
use crate as ffi;
use crate::safe::appender::error_from_data;
use crate::safe::cabi::c_string;
use crate::safe::connection::Connection;
use crate::safe::error::{Error, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::read::DataChunk;
use crate::safe::result::QueryResult;
use crate::safe::statement::PreparedStatement;
use crate::safe::types::LogicalType;
use crate::safe::write::Params;
use std::marker::PhantomData;

/// How DuckDB writes Arrow data (`duckdb_arrow_options`): the Arrow settings of a connection
/// (`arrow_lossless_conversion`, `produce_arrow_string_view`, `arrow_large_buffer_size`,
/// `arrow_output_list_view`, ...) as they were when the options were taken.
///
/// The options point into the connection's state, so they borrow it (`'conn`).
#[derive(Debug)]
pub struct ArrowOptions<'conn> {
    handle: Owned<kind::ArrowOptions>,
    _conn: PhantomData<&'conn ()>,
}

// SAFETY: the options are an immutable snapshot that DuckDB only reads; any thread may use
// them one at a time (`Owned` keeps them !Sync).
unsafe impl Send for ArrowOptions<'_> {}

impl<'conn> ArrowOptions<'conn> {
    /// Wraps options DuckDB handed out, or fails if it handed out none.
    ///
    /// # Safety
    /// `raw` must be null or options the caller owns, valid while `'conn` lasts.
    unsafe fn from_raw(raw: ffi::duckdb_arrow_options, what: &str) -> Result<ArrowOptions<'conn>> {
        if raw.is_null() {
            return Err(Error::misuse(format!(
                "DuckDB returned no Arrow options for {what}"
            )));
        }
        Ok(ArrowOptions {
            // SAFETY: owned by the caller, handed to us (src/c_api.md, "Arrow").
            handle: unsafe { Owned::from_raw(raw) },
            _conn: PhantomData,
        })
    }

    /// The Arrow schema of a table with these columns (a struct with one child per column).
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// use duckdb_ffi::safe::types::{LogicalType, TypeId};
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let options = conn.arrow_options()?;
    /// let types = [LogicalType::new(TypeId::BigInt)?, LogicalType::new(TypeId::Varchar)?];
    /// let schema = options.schema(&types, &["id", "name"])?;
    /// assert_eq!(schema.fields()?, [("id", "l"), ("name", "u")]);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn schema(&self, types: &[LogicalType], names: &[&str]) -> Result<ArrowSchema> {
        if types.len() != names.len() {
            return Err(Error::misuse(format!(
                "{} column types but {} names",
                types.len(),
                names.len()
            )));
        }
        let names = names
            .iter()
            .map(|n| c_string(n))
            .collect::<Result<Vec<_>>>()?;
        let name_ptrs: Vec<_> = names.iter().map(|n| n.as_ptr()).collect();
        let type_ptrs: Vec<_> = types.iter().map(LogicalType::as_raw).collect();
        // SAFETY: an all-zero schema is a released one, filled only on success.
        let mut out: ffi::ArrowSchema = unsafe { std::mem::zeroed() };
        // SAFETY: live options; `types.len()` types and names, read during the call; the
        // schema is filled (and ours) only when no error comes back (src/c_api.md, "Arrow").
        let error = unsafe {
            Owned::<kind::ErrorData>::from_raw(ffi::duckdb_to_arrow_schema(
                self.handle.get(),
                type_ptrs.as_ptr().cast_mut(),
                name_ptrs.as_ptr().cast_mut(),
                types.len() as ffi::idx_t,
                &mut out,
            ))
        };
        if let Some(e) = error_from_data(&error, "converting column types to Arrow") {
            return Err(e);
        }
        // SAFETY: success: `out` is a schema we own.
        Ok(unsafe { ArrowSchema::from_raw(out) })
    }

    /// The rows of `chunk` as one Arrow struct array (copied by DuckDB's converter into
    /// buffers the array owns; the chunk can be dropped afterwards).
    pub fn array(&self, chunk: &DataChunk) -> Result<ArrowArray> {
        // SAFETY: an all-zero array is a released one, filled only on success.
        let mut out: ffi::ArrowArray = unsafe { std::mem::zeroed() };
        // SAFETY: live options and chunk; the array is filled (and ours) only on success.
        let error = unsafe {
            Owned::<kind::ErrorData>::from_raw(ffi::duckdb_data_chunk_to_arrow(
                self.handle.get(),
                chunk.as_raw(),
                &mut out,
            ))
        };
        if let Some(e) = error_from_data(&error, "converting a chunk to Arrow") {
            return Err(e);
        }
        // SAFETY: success: `out` is an array we own.
        Ok(unsafe { ArrowArray::from_raw(out) })
    }

    /// The raw options, still owned by `self`.
    pub fn as_raw(&self) -> ffi::duckdb_arrow_options {
        self.handle.get()
    }
}

impl Connection {
    /// The connection's current Arrow settings, for [`ArrowOptions::schema`] and
    /// [`ArrowOptions::array`].
    pub fn arrow_options(&self) -> Result<ArrowOptions<'_>> {
        let mut raw: ffi::duckdb_arrow_options = std::ptr::null_mut();
        // SAFETY: live connection; the options are handed to the caller ("Arrow").
        unsafe {
            ffi::duckdb_connection_get_arrow_options(self.as_raw(), &mut raw);
            ArrowOptions::from_raw(raw, "the connection")
        }
    }

    /// Runs `sql` as a *streaming* query and returns its rows as an Arrow stream: chunks are
    /// computed as the stream is read, so memory stays bounded however many rows there are.
    ///
    /// While the stream is open, DuckDB refuses other statements on this connection
    /// (`ResourceInUse`); drop the stream first. The Arrow settings are the connection's at
    /// the time of the call.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let mut stream = conn.query_arrow("SELECT range AS n FROM range(5000)")?;
    /// assert_eq!(stream.schema()?.fields()?, [("n", "l")]);
    /// let rows: usize = stream.map(|a| a.map(|a| a.len())).sum::<Result<_, _>>()?;
    /// assert_eq!(rows, 5000);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn query_arrow(&self, sql: &str) -> Result<ArrowStream<'_>> {
        let mut statement = self.prepare(sql)?;
        let result = statement.query_bound_streaming()?;
        let options = result.arrow_options()?;
        Ok(ArrowStream::produce(ResultProducer {
            result,
            options,
            _statement: Some(statement),
        }))
    }
}

impl<'conn> PreparedStatement<'conn> {
    /// Binds `params`, runs the statement as a streaming query, and returns its rows as an
    /// Arrow stream (see [`Connection::query_arrow`]).
    /// The stream borrows the statement, which must outlive it.
    pub fn query_arrow<P: Params>(&mut self, params: P) -> Result<ArrowStream<'_>> {
        self.bind_all(params)?;
        let result = self.query_bound_streaming()?;
        result.into_arrow()
    }
}

impl<'conn> QueryResult<'conn> {
    /// The result's columns as an Arrow schema, under the result's Arrow settings.
    pub fn arrow_schema(&self) -> Result<ArrowSchema> {
        let options = self.arrow_options()?;
        result_schema(self, &options)
    }

    /// The Arrow settings the result was produced under.
    pub fn arrow_options(&self) -> Result<ArrowOptions<'conn>> {
        // SAFETY: live result; the options are handed to the caller ("Arrow").
        unsafe {
            let raw = ffi::duckdb_result_get_arrow_options(self.as_raw());
            ArrowOptions::from_raw(raw, "the result")
        }
    }

    /// The remaining rows as an Arrow stream yielding one array per chunk, under the result's
    /// Arrow settings. The stream owns the result; it is destroyed when the stream is
    /// released.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let result = conn.query("SELECT 'a' AS s, 1.5::DOUBLE AS d")?;
    /// let mut stream = result.into_arrow()?;
    /// assert_eq!(stream.schema()?.fields()?, [("s", "u"), ("d", "g")]);
    /// let batch = stream.next_array()?.expect("one batch");
    /// assert_eq!((batch.len(), batch.child_count()), (1, 2));
    /// assert!(stream.next_array()?.is_none());
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn into_arrow(self) -> Result<ArrowStream<'conn>> {
        let options = self.arrow_options()?;
        Ok(ArrowStream::produce(ResultProducer {
            result: self,
            options,
            _statement: None,
        }))
    }
}

/// The schema of `result`'s columns under `options`.
fn result_schema(result: &QueryResult<'_>, options: &ArrowOptions<'_>) -> Result<ArrowSchema> {
    let count = result.column_count();
    let types = (0..count)
        .map(|c| result.column_type(c))
        .collect::<Result<Vec<_>>>()?;
    let names = result.column_names()?;
    options.schema(&types, &names)
}

/// Serves a query result through the Arrow stream interface.
struct ResultProducer<'conn> {
    result: QueryResult<'conn>,
    options: ArrowOptions<'conn>,
    /// The statement a streaming result runs, kept until the result is gone (fields drop in
    /// order).
    _statement: Option<PreparedStatement<'conn>>,
}

impl Producer for ResultProducer<'_> {
    fn schema(&mut self) -> Result<ArrowSchema> {
        result_schema(&self.result, &self.options)
    }

    fn next(&mut self) -> Result<Option<ArrowArray>> {
        match self.result.next_chunk()? {
            Some(chunk) => self.options.array(&chunk).map(Some),
            None => Ok(None),
        }
    }
}
