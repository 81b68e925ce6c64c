//! Arrow to DuckDB: Arrow batches as data chunks, appended in bulk.

use super::c_data::{ArrowArray, ArrowSchema, ArrowStream, copy_schema};
use crate as ffi;
use crate::safe::appender::{Appender, error_from_data};
use crate::safe::connection::Connection;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::handle::{Owned, kind};
use crate::safe::read::DataChunk;
use crate::safe::types::LogicalType;
use std::marker::PhantomData;
use std::ptr;

/// The most rows a chunk holds (`STANDARD_VECTOR_SIZE`): larger Arrow batches are split
/// before DuckDB sees them, so every chunk fits where a chunk is expected.
fn chunk_capacity() -> usize {
    // SAFETY: a plain getter.
    unsafe { ffi::duckdb_vector_size() as usize }
}

/// Turns Arrow batches of one schema into DuckDB data chunks, sharing the batches' buffers
/// where DuckDB's converter can (`duckdb_schema_from_arrow`, `duckdb_data_chunk_from_arrow`).
///
/// Made by [`Connection::arrow_importer`]; it uses the connection's context, so it borrows it.
pub struct ArrowImporter<'conn> {
    conn: ffi::duckdb_connection,
    converted: Owned<kind::ArrowConvertedSchema>,
    /// A copy of the schema, for the shape of an empty batch.
    schema: ArrowSchema,
    columns: usize,
    /// Whether DuckDB turns every batch of this schema into flat vectors. Dictionary-encoded
    /// and NULL-typed columns become dictionary and constant vectors, which only DuckDB can
    /// read (the C API's data accessors assume flat vectors), so chunks handed to Rust code
    /// are flattened first.
    flat: bool,
    _conn: PhantomData<&'conn Connection>,
}

// Not Send: it converts with the connection's context, which the connection itself may be
// using on its own thread at the same time (`&Connection` is not Send either).

impl Connection {
    /// An importer for Arrow batches described by `schema` (a struct schema, one child per
    /// column). The schema is only read.
    pub fn arrow_importer(&self, schema: &ArrowSchema) -> Result<ArrowImporter<'_>> {
        let format = schema.format()?;
        if format != "+s" {
            return Err(Error::new(
                ErrorKind::Arrow,
                format!("an Arrow table schema is a struct (format \"+s\"), not \"{format}\""),
            ));
        }
        let mut raw: ffi::duckdb_arrow_converted_schema = ptr::null_mut();
        // SAFETY: live connection; the schema is read, not moved (src/c_api.md, "Arrow");
        // the converted schema is ours on success.
        let error = unsafe {
            Owned::<kind::ErrorData>::from_raw(ffi::duckdb_schema_from_arrow(
                self.as_raw(),
                schema.as_raw() as *const _ as *mut _,
                &mut raw,
            ))
        };
        if let Some(e) = error_from_data(&error, "reading an Arrow schema") {
            return Err(e);
        }
        Ok(ArrowImporter {
            conn: self.as_raw(),
            // SAFETY: success: a converted schema we own.
            converted: unsafe { Owned::from_raw(raw) },
            schema: copy_schema(schema)?,
            flat: converts_flat(schema.as_raw()),
            columns: schema.as_raw().n_children.max(0) as usize,
            _conn: PhantomData,
        })
    }

    /// The batches of `stream` as data chunks of at most 2048 rows each, read lazily.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// let stream = conn.query("SELECT range AS n FROM range(3000)")?.into_arrow()?;
    /// let mut total = 0;
    /// for chunk in conn.arrow_chunks(stream)? {
    ///     total += chunk?.vector(0)?.as_slice::<i64>()?.iter().sum::<i64>();
    /// }
    /// assert_eq!(total, (0..3000).sum::<i64>());
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn arrow_chunks<'s>(&self, mut stream: ArrowStream<'s>) -> Result<ArrowChunks<'_, 's>> {
        let schema = stream.schema()?;
        Ok(ArrowChunks {
            importer: self.arrow_importer(&schema)?,
            stream,
            pending: Vec::new().into_iter(),
            for_duckdb: false,
        })
    }

    /// Appends every row of `stream` to `table` through an appender and returns how many
    /// rows were appended. The columns must match the table's, or be castable to them.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let conn = Database::open_in_memory()?.connect()?;
    /// conn.execute("CREATE TABLE t(n BIGINT, s VARCHAR)")?;
    /// let stream = conn.query("SELECT range, range::VARCHAR FROM range(5000)")?.into_arrow()?;
    /// assert_eq!(conn.append_arrow("t", stream)?, 5000);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn append_arrow(&self, table: &str, stream: ArrowStream<'_>) -> Result<u64> {
        let mut appender = self.appender(table)?;
        let rows = appender.append_arrow(self, stream)?;
        appender.close()?;
        Ok(rows)
    }
}

impl ArrowImporter<'_> {
    /// The same importer with its borrow of the connection erased, for a holder that ends
    /// the borrow itself (see `ArrowTable`).
    pub(crate) fn erase_lifetime(self) -> ArrowImporter<'static> {
        ArrowImporter {
            conn: self.conn,
            converted: self.converted,
            schema: self.schema,
            columns: self.columns,
            flat: self.flat,
            _conn: PhantomData,
        }
    }

    /// Number of columns the schema describes.
    pub fn column_count(&self) -> usize {
        self.columns
    }

    /// The DuckDB types the columns become.
    pub fn column_types(&self) -> Result<Vec<LogicalType>> {
        let empty = empty_batch(&self.schema);
        // SAFETY: the empty batch has the schema's shape and no rows; every buffer it names
        // is zeroed memory large enough for the one offset or view DuckDB may read.
        let chunk = unsafe { self.chunk(empty)? };
        Ok((0..chunk.column_count())
            .map(|c| {
                // SAFETY: live chunk, c < column count; the type is handed to the caller
                // (src/c_api.md, "Getters"). Only the type is read, never the data.
                unsafe {
                    let vector = ffi::duckdb_data_chunk_get_vector(chunk.as_raw(), c as ffi::idx_t);
                    LogicalType::from_raw(ffi::duckdb_vector_get_column_type(vector))
                }
            })
            .collect())
    }

    /// The rows of `array` as data chunks of at most 2048 rows each. DuckDB takes the array
    /// (it is released when no chunk refers to its buffers any more, on failure too).
    ///
    /// # Safety
    /// `array` must be a batch that the importer's schema describes (the Arrow interface
    /// trusts that pairing; a mismatch makes DuckDB read the buffers as the wrong types). A
    /// stream's batches always match its schema: prefer [`Connection::arrow_chunks`].
    pub unsafe fn chunks(&self, array: ArrowArray) -> Result<Vec<DataChunk>> {
        // SAFETY: forwarded from the caller.
        let chunks = unsafe { self.convert(array)? };
        if self.flat {
            return Ok(chunks);
        }
        chunks.iter().map(flatten).collect()
    }

    /// As [`chunks`](Self::chunks), but the chunks may hold dictionary or constant vectors:
    /// for DuckDB only (the appender, a scan's output), never for the safe readers.
    ///
    /// # Safety
    /// As [`chunks`](Self::chunks).
    pub(crate) unsafe fn convert(&self, array: ArrowArray) -> Result<Vec<DataChunk>> {
        if array.is_released() {
            return Err(Error::misuse("the Arrow array is released"));
        }
        if array.child_count() != self.columns {
            return Err(Error::new(
                ErrorKind::Arrow,
                format!(
                    "the Arrow batch has {} columns, its schema {}",
                    array.child_count(),
                    self.columns
                ),
            ));
        }
        if array.is_empty() {
            // One empty chunk keeps the column types visible; DuckDB still takes the array.
            // SAFETY: forwarded from the caller.
            return Ok(vec![unsafe { self.chunk(array)? }]);
        }
        array
            .split(chunk_capacity())?
            .into_iter()
            // SAFETY: each part is a window of the caller's batch, so the schema describes it.
            .map(|part| unsafe { self.chunk(part) })
            .collect()
    }

    /// One batch of at most 2048 rows as one chunk.
    ///
    /// # Safety
    /// As [`chunks`](Self::chunks), and the batch fits in a chunk.
    unsafe fn chunk(&self, mut array: ArrowArray) -> Result<DataChunk> {
        let mut out: ffi::duckdb_data_chunk = ptr::null_mut();
        // SAFETY: live connection (borrowed for `'conn`) and converted schema; the array's
        // shape was checked and its types are the caller's promise. Past its argument
        // checks, which these arguments pass, DuckDB moves the array out (leaving `release`
        // null) before anything can fail, so our copy releases nothing ("Arrow").
        let error = unsafe {
            Owned::<kind::ErrorData>::from_raw(ffi::duckdb_data_chunk_from_arrow(
                self.conn,
                array.as_mut_ptr(),
                self.converted.get(),
                &mut out,
            ))
        };
        debug_assert!(array.is_released(), "DuckDB did not take the Arrow array");
        drop(array);
        if let Some(e) = error_from_data(&error, "reading an Arrow batch") {
            return Err(e);
        }
        // SAFETY: success: a chunk we own.
        Ok(unsafe { DataChunk::from_raw(out) })
    }
}

/// The batches of an Arrow stream as data chunks, from [`Connection::arrow_chunks`].
pub struct ArrowChunks<'conn, 's> {
    importer: ArrowImporter<'conn>,
    stream: ArrowStream<'s>,
    pending: std::vec::IntoIter<DataChunk>,
    /// Chunks go only to DuckDB (the appender), so they need not be flattened.
    for_duckdb: bool,
}

impl Iterator for ArrowChunks<'_, '_> {
    type Item = Result<DataChunk>;

    fn next(&mut self) -> Option<Result<DataChunk>> {
        loop {
            if let Some(chunk) = self.pending.next() {
                return Some(Ok(chunk));
            }
            let array = match self.stream.next_array() {
                Ok(Some(array)) => array,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            };
            if array.is_empty() {
                continue;
            }
            // SAFETY: a stream's batches match the schema it gave, which made the importer.
            let chunks = unsafe {
                if self.for_duckdb {
                    self.importer.convert(array)
                } else {
                    self.importer.chunks(array)
                }
            };
            match chunks {
                Ok(chunks) => self.pending = chunks.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl Appender<'_> {
    /// Appends every row of `stream` (its columns must match the appender's, or be castable)
    /// and returns how many rows were appended. `conn` is the appender's connection, whose
    /// context reads the batches.
    pub fn append_arrow(&mut self, conn: &Connection, stream: ArrowStream<'_>) -> Result<u64> {
        let mut rows = 0;
        let mut chunks = conn.arrow_chunks(stream)?;
        chunks.for_duckdb = true;
        for chunk in chunks {
            let chunk = chunk?;
            self.append_chunk(&chunk)?;
            rows += chunk.len() as u64;
        }
        Ok(rows)
    }
}

/// Whether DuckDB converts every batch of `schema` to flat vectors: no node is
/// dictionary-encoded or of the NULL type (format `"n"`).
fn converts_flat(schema: &ffi::ArrowSchema) -> bool {
    if !schema.dictionary.is_null()
        || (!schema.format.is_null() && {
            // SAFETY: a live schema's format is a NUL-terminated string.
            unsafe { std::ffi::CStr::from_ptr(schema.format) }.to_bytes() == b"n"
        })
    {
        return false;
    }
    (0..schema.n_children.max(0) as usize).all(|i| {
        // SAFETY: a live schema has `n_children` valid children.
        converts_flat(unsafe { &**schema.children.add(i) })
    })
}

/// A flat copy of `chunk` (same types and rows) that the safe readers can read.
fn flatten(chunk: &DataChunk) -> Result<DataChunk> {
    let columns = chunk.column_count();
    let rows = chunk.len();
    let types: Vec<LogicalType> = (0..columns)
        .map(|c| {
            // SAFETY: live chunk, c < column count; the type is ours ("Getters").
            unsafe {
                let vector = ffi::duckdb_data_chunk_get_vector(chunk.as_raw(), c as ffi::idx_t);
                LogicalType::from_raw(ffi::duckdb_vector_get_column_type(vector))
            }
        })
        .collect();
    let mut raw_types: Vec<_> = types.iter().map(LogicalType::as_raw).collect();
    // SAFETY: valid types, read during the call; the new chunk (room for a vector's worth of
    // rows, and `rows` fits, since every chunk here was split to that size) is ours.
    let flat = unsafe {
        DataChunk::from_raw(ffi::duckdb_create_data_chunk(
            raw_types.as_mut_ptr(),
            columns as ffi::idx_t,
        ))
    };
    // SAFETY: a new selection vector we own, with room for `rows` entries.
    let sel: Owned<kind::SelectionVector> =
        unsafe { Owned::from_raw(ffi::duckdb_create_selection_vector(rows as ffi::idx_t)) };
    // SAFETY: the selection's data has `rows` entries, all written here.
    unsafe {
        let data = ffi::duckdb_selection_vector_get_data_ptr(sel.get());
        for i in 0..rows {
            *data.add(i) = i as ffi::sel_t;
        }
    }
    for c in 0..columns {
        // SAFETY: live chunks of the same types, c < column count; copying `rows` rows
        // through the identity selection writes flat vectors into room for them.
        unsafe {
            let from = ffi::duckdb_data_chunk_get_vector(chunk.as_raw(), c as ffi::idx_t);
            let to = ffi::duckdb_data_chunk_get_vector(flat.as_raw(), c as ffi::idx_t);
            ffi::duckdb_vector_copy_sel(from, to, sel.get(), rows as ffi::idx_t, 0, 0);
        }
    }
    // SAFETY: live chunk; `rows` rows were written.
    unsafe { ffi::duckdb_data_chunk_set_size(flat.as_raw(), rows as ffi::idx_t) };
    Ok(flat)
}

/// Zeroed memory that stands in for every buffer of an empty batch: DuckDB may read the first
/// offset (or view) of a buffer even when there are no rows.
static ZEROS: [u64; 4] = [0; 4];

/// The private data of an empty batch: every node below the root, and their child lists.
struct Empty {
    /// Each from `Box::into_raw`, freed on drop. Kept raw: the tree points to the nodes, and
    /// moving a `Box` would assert unique access to its node, invalidating those pointers.
    nodes: Vec<*mut ffi::ArrowArray>,
    child_lists: Vec<Vec<*mut ffi::ArrowArray>>,
    /// The buffer list every node shares, from `Box::into_raw` (freed on drop), raw for the
    /// same reason.
    buffers: *mut [*const std::ffi::c_void; 4],
}

impl Drop for Empty {
    fn drop(&mut self) {
        for &node in &self.nodes {
            // SAFETY: made by `Box::into_raw` in `empty_node`, freed once, here; the tree that
            // points to it is being released.
            drop(unsafe { Box::from_raw(node) });
        }
        // SAFETY: made by `Box::into_raw` in `empty_batch`, freed once, here.
        drop(unsafe { Box::from_raw(self.buffers) });
    }
}

/// A batch with no rows shaped like `schema` (children and dictionaries included).
fn empty_batch(schema: &ArrowSchema) -> ArrowArray {
    let mut empty = Box::new(Empty {
        nodes: Vec::new(),
        child_lists: Vec::new(),
        buffers: Box::into_raw(Box::new([ZEROS.as_ptr().cast(); 4])),
    });
    let mut raw = empty_node(schema.as_raw(), &mut empty);
    raw.release = Some(release_empty);
    raw.private_data = Box::into_raw(empty).cast();
    // SAFETY: a valid batch whose release frees exactly what this function made.
    unsafe { ArrowArray::from_raw(raw) }
}

/// One node of an empty batch; its children and dictionary are kept in `empty`.
fn empty_node(schema: &ffi::ArrowSchema, empty: &mut Empty) -> ffi::ArrowArray {
    let mut children = Vec::new();
    for i in 0..schema.n_children.max(0) as usize {
        // SAFETY: a live schema has `n_children` valid children.
        let child = empty_node(unsafe { &**schema.children.add(i) }, empty);
        let node = Box::into_raw(Box::new(child));
        children.push(node);
        empty.nodes.push(node);
    }
    let dictionary = if schema.dictionary.is_null() {
        ptr::null_mut()
    } else {
        // SAFETY: a non-null dictionary is a valid schema.
        let node = Box::into_raw(Box::new(empty_node(unsafe { &*schema.dictionary }, empty)));
        empty.nodes.push(node);
        node
    };
    let n_children = children.len() as i64;
    let children_ptr = if children.is_empty() {
        ptr::null_mut()
    } else {
        let list = children.as_mut_ptr();
        empty.child_lists.push(children);
        list
    };
    ffi::ArrowArray {
        length: 0,
        null_count: 0,
        offset: 0,
        n_buffers: 3,
        n_children,
        buffers: empty.buffers.cast(),
        children: children_ptr,
        dictionary,
        release: Some(release_empty_child),
        private_data: ptr::null_mut(),
    }
}

unsafe extern "C" fn release_empty_child(array: *mut ffi::ArrowArray) {
    // SAFETY: called with the node it belongs to; the root owns the memory.
    unsafe { (*array).release = None };
}

unsafe extern "C" fn release_empty(array: *mut ffi::ArrowArray) {
    // SAFETY: `private_data` is the box `empty_batch` made, taken back once.
    unsafe {
        drop(Box::from_raw((*array).private_data.cast::<Empty>()));
        (*array).release = None;
        (*array).private_data = ptr::null_mut();
    }
}

// SAFETY: the pointers in `Empty` point into its own boxes or to immutable statics.
unsafe impl Send for Empty {}
