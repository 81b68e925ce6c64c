//! The arrow-rs conversions, written once and instantiated per supported arrow-rs major
//! version (features `arrow-59`, `arrow-60`) as `safe::arrow::arrow_59`, `safe::arrow::arrow_60`.
//!
//! Each arrow-rs major version is a different crate to the compiler (its `RecordBatch` is not
//! the other's), so the code cannot be generic over them; one macro body keeps a single copy.
//! Everything goes through arrow-rs's own FFI module (`arrow_array::ffi`, `ffi_stream`): the C
//! structs it makes have the layout of this crate's, and moving one across is a bitwise move
//! that leaves the source released, as the Arrow C data interface moves data. No buffer is
//! copied here.

/// Expands to one `pub mod $module` for the arrow-rs major version whose `arrow-array` and
/// `arrow-schema` crates are `$array` and `$schema` (renamed dependencies), under `$feature`.
/// `$reader` is that version's name for its `RecordBatchReader` over a C stream.
macro_rules! arrow_rs_module {
    (
        $(#[$doc:meta])*
        mod $module:ident {
            feature: $feature:literal,
            arrow_array: $array:ident,
            arrow_schema: $schema:ident,
            stream_reader: $reader:ident $(,)?
        }
    ) => {
        #[cfg(feature = $feature)]
        pub mod $module {
            $(#![$doc])*
            //! [`RecordBatch`] and [`RecordBatchReader`] to and from this crate's Arrow C structs,
            //! through arrow-rs's own FFI module, without copying buffers.
            //!
            //! - Out: [`reader`] turns an [`ArrowStream`] (a query's, from
            //!   [`Connection::query_arrow`](crate::safe::Connection::query_arrow) or
            //!   [`QueryResult::into_arrow`](crate::safe::QueryResult::into_arrow)) into
            //!   [`RecordBatches`], a `RecordBatchReader`; [`query_batches`] collects a query.
            //! - In: [`stream`] and [`stream_from_batches`] serve arrow-rs data as an
            //!   [`ArrowStream`] for [`Connection::append_arrow`] or
            //!   [`Database::register_arrow`](crate::safe::Database::register_arrow).
            //! - Pairs: [`batch_to_c`] and [`batch_from_c`], [`schema_to_c`] and
            //!   [`schema_from_c`].
            //!
            //! Lifetimes: a stream of a query borrows its connection, so [`RecordBatches`]
            //! carries that borrow, and [`stream`] of a borrowing reader borrows as long. The
            //! batches own their buffers and outlive both.
            //!
            //! `From` conversions between [`ArrowError`] and this crate's [`Error`] let `?`
            //! mix the two.
            //!
            //! ```
            #![doc = concat!(
                "use duckdb_ffi::safe::arrow::",
                stringify!($module),
                "::{self as arrow_rs, arrow_array};"
            )]
            //! use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};
            //! use duckdb_ffi::safe::Database;
            //! use std::sync::Arc;
            //!
            //! let db = Database::open_in_memory()?;
            //! let conn = db.connect()?;
            //! let ids: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 3]));
            //! let names: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), None, Some("c")]));
            //! let batch = RecordBatch::try_from_iter([("id", ids), ("name", names)])?;
            //! conn.execute("CREATE TABLE people(id INTEGER, name VARCHAR)")?;
            //! let stream = arrow_rs::stream_from_batches(batch.schema(), vec![batch]);
            //! assert_eq!(conn.append_arrow("people", stream)?, 3);
            //!
            //! let sql = "SELECT sum(id) AS s, count(name) AS c FROM people";
            //! let batches = arrow_rs::query_batches(&conn, sql)?;
            //! assert_eq!(batches[0].num_rows(), 1);
            //! assert_eq!(batches[0].schema().field(0).name(), "s");
            //! # Ok::<(), duckdb_ffi::safe::Error>(())
            //! ```
            //!
            //! A reader of a query cannot outlive its connection:
            //!
            //! ```compile_fail
            #![doc = concat!("use duckdb_ffi::safe::arrow::", stringify!($module), " as arrow_rs;")]
            //! use duckdb_ffi::safe::Database;
            //! let db = Database::open_in_memory()?;
            //! let reader = {
            //!     let conn = db.connect()?;
            //!     arrow_rs::reader(conn.query_arrow("SELECT 1")?)?
            //! }; // error: `conn` does not live long enough
            //! assert_eq!(reader.count(), 1);
            //! # Ok::<(), duckdb_ffi::safe::Error>(())
            //! ```

            /// The `arrow-array` crate these conversions speak (with its `ffi` feature).
            pub use ::$array as arrow_array;
            /// The `arrow-schema` crate these conversions speak.
            pub use ::$schema as arrow_schema;

            use super::c_data::Producer;
            use super::{ArrowArray, ArrowSchema, ArrowStream};
            use crate::safe::connection::Connection;
            use crate::safe::error::{Error, ErrorKind, Result};
            use ::$array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi};
            use ::$array::ffi_stream::{$reader as StreamReader, FFI_ArrowArrayStream};
            use ::$array::{Array, RecordBatch, RecordBatchOptions, RecordBatchReader, StructArray};
            use ::$schema::{ArrowError, DataType, Schema, SchemaRef};
            use std::marker::PhantomData;
            use std::sync::Arc;

            impl From<ArrowError> for Error {
                /// An arrow-rs error as an [`ErrorKind::Arrow`] error; one that wraps an
                /// error of this crate (see the reverse conversion) is unwrapped.
                fn from(error: ArrowError) -> Error {
                    if let ArrowError::ExternalError(inner) = &error {
                        if let Some(ours) = inner.downcast_ref::<Error>() {
                            return ours.clone();
                        }
                    }
                    Error::new(ErrorKind::Arrow, format!("arrow-rs: {error}"))
                }
            }

            impl From<Error> for ArrowError {
                /// This crate's error as `ArrowError::ExternalError`.
                fn from(error: Error) -> ArrowError {
                    ArrowError::ExternalError(Box::new(error))
                }
            }

            /// The record batches of an [`ArrowStream`], read through arrow-rs's C stream
            /// reader: an `Iterator` of `Result<RecordBatch, ArrowError>` and a
            /// [`RecordBatchReader`].
            ///
            /// It keeps the stream's lifetime `'a`: a stream of a query result borrows the
            /// connection (and a streaming one keeps it busy), and its `release` destroys
            /// the result, so the reader must not outlive the connection. The wrapper lets
            /// the borrow checker see that; arrow-rs's own reader type, which has no
            /// lifetime, is only handed out for a `'static` stream
            /// ([`into_inner`](RecordBatches::into_inner)). The batches themselves are
            /// independent of the stream: each owns its buffers and may outlive the
            /// connection and the database.
            pub struct RecordBatches<'a> {
                inner: StreamReader,
                _borrow: PhantomData<&'a ()>,
            }

            impl std::fmt::Debug for RecordBatches<'_> {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct("RecordBatches")
                        .field("schema", &self.inner.schema())
                        .finish_non_exhaustive()
                }
            }

            impl Iterator for RecordBatches<'_> {
                type Item = std::result::Result<RecordBatch, ArrowError>;

                fn next(&mut self) -> Option<Self::Item> {
                    self.inner.next()
                }
            }

            impl RecordBatchReader for RecordBatches<'_> {
                fn schema(&self) -> SchemaRef {
                    self.inner.schema()
                }
            }

            impl RecordBatches<'static> {
                /// arrow-rs's reader itself, for a stream that borrows nothing (for
                /// example one made by [`stream`] from a `'static` reader).
                pub fn into_inner(self) -> StreamReader {
                    self.inner
                }
            }

            /// Reads `stream` as arrow-rs record batches (the stream's schema must be a
            /// struct, as a query result's is). The stream is moved into arrow-rs's reader;
            /// each batch is imported without copying its buffers.
            pub fn reader<'a>(stream: ArrowStream<'a>) -> Result<RecordBatches<'a>> {
                if stream.is_released() {
                    return Err(Error::misuse("the Arrow stream is released"));
                }
                let mut raw = stream.into_raw();
                // SAFETY: `FFI_ArrowArrayStream` is the C `ArrowArrayStream`, as is `raw`;
                // `raw` is an unreleased stream nobody else releases (`into_raw` gave it up),
                // and `from_raw` moves it out, leaving the local released. What the stream
                // borrows lives for `'a`, which the returned reader carries.
                let ffi = unsafe {
                    FFI_ArrowArrayStream::from_raw(
                        (&mut raw as *mut crate::v2::ArrowArrayStream).cast(),
                    )
                };
                Ok(RecordBatches {
                    inner: StreamReader::try_new(ffi)?,
                    _borrow: PhantomData,
                })
            }

            /// Runs `sql` and collects its rows as arrow-rs record batches (one per DuckDB
            /// chunk, up to 2048 rows each), under the connection's Arrow settings. For a
            /// large result, iterate [`reader`] over
            /// [`Connection::query_arrow`](crate::safe::Connection::query_arrow) instead.
            pub fn query_batches(conn: &Connection, sql: &str) -> Result<Vec<RecordBatch>> {
                let batches = reader(conn.query_arrow(sql)?)?;
                batches.map(|batch| batch.map_err(Error::from)).collect()
            }

            /// Serves an arrow-rs [`RecordBatchReader`] as an [`ArrowStream`], for
            /// [`append_arrow`](crate::safe::Connection::append_arrow),
            /// [`register_arrow`](crate::safe::Database::register_arrow) or any consumer
            /// of the C stream interface. Batches are exported without copying; a reader
            /// that borrows (`'a`) gives a stream that borrows as long.
            ///
            /// Every batch is checked against the reader's schema (column count and types)
            /// before it is handed on, since a consumer trusts the pairing; a mismatch ends
            /// the stream with an error.
            pub fn stream<'a, R>(reader: R) -> ArrowStream<'a>
            where
                R: RecordBatchReader + Send + 'a,
            {
                let schema = reader.schema();
                ArrowStream::produce(ReaderProducer { reader, schema })
            }

            /// [`stream`] over batches already in memory, all of `schema`.
            pub fn stream_from_batches(
                schema: SchemaRef,
                batches: Vec<RecordBatch>,
            ) -> ArrowStream<'static> {
                let batches = batches.into_iter().map(Ok);
                stream(::$array::RecordBatchIterator::new(batches, schema))
            }

            /// Exports an arrow-rs schema as an [`ArrowSchema`] (a struct with one child per
            /// field; the schema's metadata included).
            pub fn schema_to_c(schema: &Schema) -> Result<ArrowSchema> {
                let mut ffi = FFI_ArrowSchema::try_from(schema)?;
                // SAFETY: `FFI_ArrowSchema` is the C `ArrowSchema`, as is this crate's; `ffi`
                // is a valid schema we own, and `move_from` leaves it released, so its drop
                // releases nothing.
                Ok(unsafe { ArrowSchema::move_from((&mut ffi as *mut FFI_ArrowSchema).cast()) })
            }

            /// Imports an [`ArrowSchema`] (only read) as an arrow-rs schema.
            pub fn schema_from_c(schema: &ArrowSchema) -> Result<Schema> {
                schema.format()?; // fails on a released schema
                Ok(Schema::try_from(ffi_schema(schema))?)
            }

            /// `schema` seen as arrow-rs's struct, borrowed (not moved).
            fn ffi_schema(schema: &ArrowSchema) -> &FFI_ArrowSchema {
                let raw: *const crate::ArrowSchema = schema.as_raw();
                // SAFETY: `FFI_ArrowSchema` is the C `ArrowSchema`, as is this crate's; the
                // reference borrows `schema`, so the struct outlives it and stays ours.
                unsafe { &*raw.cast::<FFI_ArrowSchema>() }
            }

            /// Exports an arrow-rs record batch as a schema and a struct array, sharing the
            /// batch's buffers (they are freed when the array is released).
            pub fn batch_to_c(batch: RecordBatch) -> Result<(ArrowSchema, ArrowArray)> {
                let schema = schema_to_c(&batch.schema())?;
                Ok((schema, array_to_c(batch)))
            }

            /// The batch as a struct array (its buffers shared, not copied).
            fn array_to_c(batch: RecordBatch) -> ArrowArray {
                let mut ffi = FFI_ArrowArray::new(&StructArray::from(batch).into_data());
                // SAFETY: `FFI_ArrowArray` is the C `ArrowArray`, as is this crate's; `ffi`
                // is a valid array we own, and `move_from` leaves it released, so its drop
                // releases nothing.
                unsafe { ArrowArray::move_from((&mut ffi as *mut FFI_ArrowArray).cast()) }
            }

            /// Imports a struct array and its schema as an arrow-rs record batch, sharing the
            /// array's buffers (the array is released when the batch's last buffer is
            /// dropped). The schema is only read.
            ///
            /// # Safety
            /// `schema` must describe `array` (the Arrow C data interface trusts that
            /// pairing: a mismatch makes arrow-rs read the buffers as the wrong types). The
            /// arrays a stream yields always match the schema it gives, and so does a pair
            /// from [`batch_to_c`].
            pub unsafe fn batch_from_c(
                schema: &ArrowSchema,
                array: ArrowArray,
            ) -> Result<RecordBatch> {
                let arrow_schema = Arc::new(schema_from_c(schema)?);
                if array.is_released() {
                    return Err(Error::misuse("the Arrow array is released"));
                }
                let rows = array.len();
                let mut raw = array.into_raw();
                // SAFETY: the same C struct (see `array_to_c`); `raw` is unreleased and ours
                // (`into_raw`), and `from_raw` moves it out, leaving the local released.
                let ffi = unsafe {
                    FFI_ArrowArray::from_raw((&mut raw as *mut crate::ArrowArray).cast())
                };
                // SAFETY: that `schema` (live, checked above) describes the array is the
                // caller's promise.
                let data = unsafe { from_ffi(ffi, ffi_schema(schema)) }?;
                if !matches!(data.data_type(), DataType::Struct(_)) {
                    return Err(Error::new(
                        ErrorKind::Arrow,
                        "a record batch is a struct array (format \"+s\")",
                    ));
                }
                let columns = StructArray::from(data);
                if columns.null_count() != 0 {
                    return Err(Error::new(
                        ErrorKind::Arrow,
                        "a struct array with null rows is not a record batch",
                    ));
                }
                let (_, columns, _) = columns.into_parts();
                let options = RecordBatchOptions::new().with_row_count(Some(rows));
                Ok(RecordBatch::try_new_with_options(arrow_schema, columns, &options)?)
            }

            /// Serves a `RecordBatchReader` through the C stream interface.
            struct ReaderProducer<R> {
                reader: R,
                schema: SchemaRef,
            }

            impl<R: RecordBatchReader> Producer for ReaderProducer<R> {
                fn schema(&mut self) -> Result<ArrowSchema> {
                    schema_to_c(&self.schema)
                }

                fn next(&mut self) -> Result<Option<ArrowArray>> {
                    let Some(batch) = self.reader.next() else {
                        return Ok(None);
                    };
                    let batch = batch?;
                    check_batch(&self.schema, &batch)?;
                    Ok(Some(array_to_c(batch)))
                }
            }

            /// Fails unless `batch` has the columns `schema` announced: a consumer reads the
            /// batch's buffers as the announced types.
            fn check_batch(schema: &Schema, batch: &RecordBatch) -> Result<()> {
                let fields = schema.fields();
                if batch.num_columns() != fields.len() {
                    return Err(Error::new(
                        ErrorKind::Arrow,
                        format!(
                            "a record batch has {} columns, its reader's schema {}",
                            batch.num_columns(),
                            fields.len()
                        ),
                    ));
                }
                for (field, column) in fields.iter().zip(batch.columns()) {
                    if !field.data_type().equals_datatype(column.data_type()) {
                        return Err(Error::new(
                            ErrorKind::Arrow,
                            format!(
                                "column \"{}\" of a record batch is {}, \
                                 its reader's schema says {}",
                                field.name(),
                                column.data_type(),
                                field.data_type()
                            ),
                        ));
                    }
                }
                Ok(())
            }
        }
    };
}

pub(super) use arrow_rs_module;
