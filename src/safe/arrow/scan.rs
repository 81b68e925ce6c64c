//! Querying an Arrow stream in place: a table function that hands DuckDB the stream's batches
//! as they are read.

use super::c_data::ArrowStream;
use super::import::ArrowImporter;
use crate::safe::connection::Connection;
use crate::safe::database::Database;
use crate::safe::error::{Error, Result};
use crate::safe::functions::{
    CallbackResult, OutputChunk, TableBind, TableFunction, TableInit, TableScan,
};
use crate::safe::read::DataChunk;
use crate::safe::types::LogicalType;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

/// An Arrow stream registered as a table function, from [`Database::register_arrow`].
///
/// Dropping it releases the stream if no query consumed it; the function stays registered
/// (DuckDB cannot unregister one) but then fails with an error saying the data is gone.
pub struct ArrowTable {
    source: Arc<Source>,
    name: String,
}

impl std::fmt::Debug for ArrowTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArrowTable")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ArrowTable {
    /// The table function's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ArrowTable {
    fn drop(&mut self) {
        self.source.lock().close();
    }
}

/// What the table function reads from: the stream, the importer for its batches and the
/// connection the importer converts them with, until the stream is consumed or the
/// [`ArrowTable`] is dropped.
///
/// The connection is the source's own: a registered function lives in the database's
/// catalog, and a connection keeps the database alive, so holding one past the data would
/// keep the database from ever closing. [`SourceState::close`] ends all three together.
struct Source {
    state: Mutex<SourceState>,
    names: Vec<String>,
    types: Vec<LogicalType>,
}

struct SourceState {
    stream: Option<ArrowStream<'static>>,
    /// Borrows `conn` (its lifetime erased): declared first so it also drops first.
    importer: Option<ArrowImporter<'static>>,
    conn: Option<Connection>,
    /// Set by the first scan: a stream can be read once.
    scanned: bool,
}

impl SourceState {
    /// Releases the stream, then the importer, then the connection it borrows.
    fn close(&mut self) {
        self.stream = None;
        self.importer = None;
        self.conn = None;
    }
}

// SAFETY: the logical types are immutable after registration and only read; the rest is
// behind the mutex.
unsafe impl Sync for Source {}
// SAFETY: as above; every field is Send or only read.
unsafe impl Send for Source {}

impl Source {
    fn lock(&self) -> std::sync::MutexGuard<'_, SourceState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Database {
    /// Registers `stream` as the table function `name()`, read in place when a query scans
    /// it: each Arrow batch becomes DuckDB vectors that share its buffers where DuckDB's
    /// converter allows, and is released once DuckDB is done with it.
    ///
    /// A stream is read once: the first query that scans the function consumes it, and the
    /// rest of the stream is released when that query ends (also if it fails midway). Later
    /// scans fail with an error. A stream that borrows a connection (one DuckDB exported)
    /// must be made independent first with [`ArrowStream::into_owned`].
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let db = Database::open_in_memory()?;
    /// let conn = db.connect()?;
    /// let stream = conn.query("SELECT range AS n, range % 3 AS m FROM range(10000)")?;
    /// let table = db.register_arrow("numbers", stream.into_arrow()?.into_owned()?)?;
    /// let (rows, sum) = conn.query_row("SELECT count(*), sum(n) FROM numbers() WHERE m = 0", (), |r| {
    ///     Ok((r.get::<i64>(0)?, r.get::<i128>(1)?))
    /// })?;
    /// assert_eq!((rows, sum), (3334, (0..10000).filter(|n| n % 3 == 0).sum::<i128>()));
    /// drop(table);
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn register_arrow(
        &self,
        name: &str,
        mut stream: ArrowStream<'static>,
    ) -> Result<ArrowTable> {
        let conn = self.connect()?;
        let schema = stream.schema()?;
        let importer = conn.arrow_importer(&schema)?;
        let types = importer.column_types()?;
        let names = schema
            .fields()?
            .into_iter()
            .map(|(name, _)| name.to_owned())
            .collect();
        // The importer borrows `conn`, which moves into the same state; `close` (and the
        // field order) drop the importer first.
        let importer = importer.erase_lifetime();
        let source = Arc::new(Source {
            state: Mutex::new(SourceState {
                stream: Some(stream),
                importer: Some(importer),
                conn: None,
                scanned: false,
            }),
            names,
            types,
        });
        let function = TableFunction::new(
            name,
            ArrowScan {
                source: source.clone(),
            },
        )
        .projection_pushdown(true);
        let registered = conn.register(function);
        source.lock().conn = Some(conn);
        if let Err(e) = registered {
            source.lock().close();
            return Err(e);
        }
        Ok(ArrowTable {
            source,
            name: name.to_owned(),
        })
    }
}

/// The table function's callbacks.
struct ArrowScan {
    source: Arc<Source>,
}

/// One scan: the columns it fills, and its hold on the stream (released when the scan ends).
struct Scan {
    source: Arc<Source>,
    projected: Vec<usize>,
}

impl Drop for Scan {
    fn drop(&mut self) {
        self.source.lock().close();
    }
}

impl TableScan for ArrowScan {
    type Bind = ();
    type Init = Scan;
    type Local = VecDeque<DataChunk>;

    fn bind(&self, bind: &mut TableBind<'_>) -> CallbackResult<()> {
        for (name, ty) in self.source.names.iter().zip(&self.source.types) {
            bind.add_result_column(name, ty)?;
        }
        Ok(())
    }

    fn init(&self, _: &(), init: &mut TableInit<'_>) -> CallbackResult<Scan> {
        let mut state = self.source.lock();
        if state.stream.is_none() {
            return Err(Error::misuse("the Arrow data of this table function is gone").into());
        }
        if state.scanned {
            return Err(Error::misuse("this Arrow stream was already read by a query").into());
        }
        state.scanned = true;
        Ok(Scan {
            source: self.source.clone(),
            projected: init.projected_columns(),
        })
    }

    fn local_init(&self, _: &(), _: &mut TableInit<'_>) -> CallbackResult<VecDeque<DataChunk>> {
        Ok(VecDeque::new())
    }

    fn scan(
        &self,
        _: &(),
        scan: &Scan,
        pending: &mut VecDeque<DataChunk>,
        out: &mut OutputChunk<'_>,
    ) -> CallbackResult {
        while pending.is_empty() {
            let mut state = self.source.lock();
            let SourceState {
                stream, importer, ..
            } = &mut *state;
            let (Some(stream), Some(importer)) = (stream.as_mut(), importer.as_ref()) else {
                return Ok(()); // the stream ended (or was dropped): an empty chunk ends the scan
            };
            match stream.next_array()? {
                // SAFETY: the stream's batches match its schema, which made the importer.
                // The chunks only reach DuckDB (referenced by the output), so they stay unflattened.
                Some(array) => pending.extend(unsafe { importer.convert(array)? }),
                None => state.close(),
            }
        }
        let Some(chunk) = pending.pop_front() else {
            return Ok(());
        };
        for (out_column, &column) in scan.projected.iter().enumerate() {
            out.reference_column(out_column, &chunk, column)?;
        }
        out.set_len(chunk.len())?;
        Ok(())
    }
}
