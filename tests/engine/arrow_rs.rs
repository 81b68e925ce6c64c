//! The arrow-rs conversions (cargo features `arrow-59`, `arrow-60`) on the real engine: query
//! results read as record batches and compared value by value through arrow-rs's arrays;
//! batches built in arrow-rs (more rows than a chunk holds, a dictionary column, nulls)
//! appended to a table and scanned in place, compared by DuckDB in SQL; pairs and schemas
//! round-tripped. The same tests run once per enabled version. Every test ends with no live
//! handle, Arrow structs included (`common::ledger_guard`).

use crate::common;

/// The tests, written once against the module of one arrow-rs version.
macro_rules! arrow_rs_tests {
    ($version:ident) => {
        mod $version {
            use super::common;
            use duckdb_ffi::safe::arrow::$version::arrow_array::types::Int32Type;
            use duckdb_ffi::safe::arrow::$version::arrow_array::{
                Array, ArrayRef, Decimal128Array, DictionaryArray, Float64Array, Int32Array,
                Int64Array, ListArray, RecordBatch, RecordBatchIterator, RecordBatchReader,
                StringArray, StructArray, TimestampMicrosecondArray,
            };
            use duckdb_ffi::safe::arrow::$version::arrow_schema::{
                DataType, Field, Schema, TimeUnit,
            };
            use duckdb_ffi::safe::arrow::$version::{self as arrow_rs};
            use duckdb_ffi::safe::ledger::{self, HandleKind};
            use duckdb_ffi::safe::{Connection, Database, ErrorKind};
            use std::collections::HashMap;
            use std::sync::Arc;

            fn downcast<T: 'static>(array: &ArrayRef) -> &T {
                array
                    .as_any()
                    .downcast_ref::<T>()
                    .unwrap_or_else(|| panic!("a {} column", array.data_type()))
            }

            fn no_live_arrow() {
                let snapshot = ledger::snapshot();
                for kind in [
                    HandleKind::ArrowSchema,
                    HandleKind::ArrowArray,
                    HandleKind::ArrowStream,
                ] {
                    assert_eq!(snapshot.live(kind), 0, "{kind:?} still live");
                }
            }

            fn query_one<T: for<'a> duckdb_ffi::safe::types::FromSql<'a>>(
                conn: &Connection,
                sql: &str,
            ) -> T {
                conn.query_row(sql, (), |r| r.get::<T>(0))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }

            #[test]
            fn query_of_many_types_reads_as_record_batches() {
                let _ledger = common::ledger_guard();
                let batches = {
                    let db = Database::open_in_memory().unwrap();
                    let conn = db.connect().unwrap();
                    arrow_rs::query_batches(
                        &conn,
                        "SELECT * FROM (VALUES
                          (1::INTEGER, 10000000000::BIGINT, 1.5::DOUBLE, 'one',
                           [1, 2]::INTEGER[], {'a': 7, 'b': 'x'},
                           TIMESTAMP '2024-02-29 12:34:56.789', 12.345::DECIMAL(18,3)),
                          (NULL, -1, NULL, NULL, NULL, NULL, NULL, NULL),
                          (3, NULL, -0.25, 'three with ünïcode', []::INTEGER[],
                           {'a': NULL, 'b': 'y'}, TIMESTAMP '1969-12-31 23:59:59',
                           -0.001::DECIMAL(18,3))
                        ) AS t(i, b, d, s, l, st, ts, dec)",
                    )
                    .unwrap()
                    // The connection and database end here: the batches own their buffers.
                };
                assert_eq!(batches.len(), 1);
                let batch = &batches[0];
                assert_eq!(batch.num_rows(), 3);
                let schema = batch.schema();
                let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                assert_eq!(names, ["i", "b", "d", "s", "l", "st", "ts", "dec"]);

                let i = downcast::<Int32Array>(batch.column(0));
                assert_eq!(i.iter().collect::<Vec<_>>(), [Some(1), None, Some(3)]);
                let b = downcast::<Int64Array>(batch.column(1));
                assert_eq!(
                    b.iter().collect::<Vec<_>>(),
                    [Some(10_000_000_000), Some(-1), None]
                );
                let d = downcast::<Float64Array>(batch.column(2));
                assert_eq!(d.iter().collect::<Vec<_>>(), [Some(1.5), None, Some(-0.25)]);
                let s = downcast::<StringArray>(batch.column(3));
                assert_eq!(
                    s.iter().collect::<Vec<_>>(),
                    [Some("one"), None, Some("three with ünïcode")]
                );

                let l = downcast::<ListArray>(batch.column(4));
                assert!(l.is_valid(0) && l.is_null(1) && l.is_valid(2));
                let first = l.value(0);
                assert_eq!(downcast::<Int32Array>(&first).values(), &[1, 2]);
                assert_eq!(l.value(2).len(), 0);

                let st = downcast::<StructArray>(batch.column(5));
                assert!(st.is_null(1));
                let a = downcast::<Int32Array>(st.column_by_name("a").unwrap());
                assert_eq!((a.value(0), a.is_null(2)), (7, true));
                let sb = downcast::<StringArray>(st.column_by_name("b").unwrap());
                assert_eq!((sb.value(0), sb.value(2)), ("x", "y"));

                assert_eq!(
                    batch.column(6).data_type(),
                    &DataType::Timestamp(TimeUnit::Microsecond, None)
                );
                let ts = downcast::<TimestampMicrosecondArray>(batch.column(6));
                assert_eq!(ts.value(0), 1_709_210_096_789_000);
                assert!(ts.is_null(1));
                assert_eq!(ts.value(2), -1_000_000);

                assert_eq!(batch.column(7).data_type(), &DataType::Decimal128(18, 3));
                let dec = downcast::<Decimal128Array>(batch.column(7));
                assert_eq!(
                    dec.iter().collect::<Vec<_>>(),
                    [Some(12_345), None, Some(-1)]
                );
                drop(batches);
                no_live_arrow();
            }

            #[test]
            fn a_long_result_streams_chunk_by_chunk() {
                let _ledger = common::ledger_guard();
                let db = Database::open_in_memory().unwrap();
                let conn = db.connect().unwrap();
                let stream = conn
                    .query_arrow("SELECT range AS n FROM range(5000)")
                    .unwrap();
                let reader = arrow_rs::reader(stream).unwrap();
                assert_eq!(reader.schema().field(0).data_type(), &DataType::Int64);
                let mut sizes = Vec::new();
                let mut sum = 0i64;
                for batch in reader {
                    let batch = batch.unwrap();
                    sizes.push(batch.num_rows());
                    sum += downcast::<Int64Array>(batch.column(0))
                        .values()
                        .iter()
                        .sum::<i64>();
                }
                assert_eq!(sizes, [2048, 2048, 904]);
                assert_eq!(sum, (0..5000).sum::<i64>());
                // The stream was released with the reader: the connection is free again.
                assert_eq!(query_one::<i64>(&conn, "SELECT 42"), 42);
                no_live_arrow();
            }

            /// A reader of a query may move to another thread, like the stream it reads.
            #[test]
            fn readers_and_streams_are_send() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                let reader =
                    arrow_rs::reader(conn.query_arrow("SELECT 1 AS one").unwrap()).unwrap();
                let rows = std::thread::scope(|s| {
                    s.spawn(move || reader.map(|b| b.unwrap().num_rows()).sum::<usize>())
                        .join()
                        .unwrap()
                });
                assert_eq!(rows, 1);
            }

            #[test]
            fn a_failing_query_is_an_error() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                let error = arrow_rs::query_batches(&conn, "SELECT * FROM missing").unwrap_err();
                assert!(error.to_string().contains("missing"), "{error}");
            }

            /// 5000 rows (more than a chunk, so the import splits it) with nulls and a
            /// dictionary column, and a second small batch.
            fn arrow_rs_batches() -> (Arc<Schema>, Vec<RecordBatch>) {
                let rows = 5000;
                let id = Int64Array::from_iter_values(0..rows as i64);
                let name = StringArray::from_iter(
                    (0..rows).map(|i| (i % 7 != 0).then(|| format!("name {i}"))),
                );
                let keys = Int32Array::from_iter(
                    (0..rows).map(|i| (i % 5 != 4).then_some((i % 3) as i32)),
                );
                let values = StringArray::from(vec!["red", "green", "blue"]);
                let colour = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values)).unwrap();
                let x = Float64Array::from_iter_values((0..rows).map(|i| i as f64 / 4.0));
                let schema = Arc::new(Schema::new(vec![
                    Field::new("id", DataType::Int64, false),
                    Field::new("name", DataType::Utf8, true),
                    Field::new(
                        "colour",
                        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                        true,
                    ),
                    Field::new("x", DataType::Float64, false),
                ]));
                let big = RecordBatch::try_new(
                    schema.clone(),
                    vec![Arc::new(id), Arc::new(name), Arc::new(colour), Arc::new(x)],
                )
                .unwrap();
                // A window of the big batch: offsets into shared buffers go across too.
                let small = big.slice(10, 100);
                (schema, vec![big, small])
            }

            /// What DuckDB must compute over `arrow_rs_batches` in `table`.
            fn check_table(conn: &Connection, table: &str) {
                let stats = format!(
                    "SELECT count(*), sum(id), count(name), count(colour),
                            count(*) FILTER (colour = 'blue'), sum(x),
                            max(name) FILTER (id = 12)
                     FROM {table}"
                );
                let got = conn
                    .query_row(&stats, (), |r| {
                        Ok((
                            r.get::<i64>(0)?,
                            r.get::<i128>(1)?,
                            r.get::<i64>(2)?,
                            r.get::<i64>(3)?,
                            r.get::<i64>(4)?,
                            r.get::<f64>(5)?,
                            r.get::<String>(6)?,
                        ))
                    })
                    .unwrap();
                let all = (0..5000).chain(10..110);
                let expected = (
                    5100,
                    all.clone().map(i128::from).sum::<i128>(),
                    all.clone().filter(|i| i % 7 != 0).count() as i64,
                    all.clone().filter(|i| i % 5 != 4).count() as i64,
                    all.clone().filter(|i| i % 5 != 4 && i % 3 == 2).count() as i64,
                    all.map(|i| i as f64 / 4.0).sum::<f64>(),
                    "name 12".to_owned(),
                );
                assert_eq!(got, expected, "{table}");
            }

            #[test]
            fn record_batches_append_to_a_table() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                conn.execute("CREATE TABLE t(id BIGINT, name VARCHAR, colour VARCHAR, x DOUBLE)")
                    .unwrap();
                let (schema, batches) = arrow_rs_batches();
                let stream = arrow_rs::stream_from_batches(schema, batches);
                assert_eq!(conn.append_arrow("t", stream).unwrap(), 5100);
                check_table(&conn, "t");
                no_live_arrow();
            }

            #[test]
            fn a_record_batch_reader_is_scanned_in_place() {
                let _ledger = common::ledger_guard();
                let db = Database::open_in_memory().unwrap();
                let conn = db.connect().unwrap();
                let (schema, batches) = arrow_rs_batches();
                let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
                let table = db
                    .register_arrow("batches", arrow_rs::stream(reader))
                    .unwrap();
                conn.execute("CREATE TABLE copy AS SELECT * FROM batches()")
                    .unwrap();
                drop(table);
                // The dictionary column arrives as DuckDB's ENUM or VARCHAR, equal either way.
                check_table(&conn, "copy");
                no_live_arrow();
            }

            #[test]
            fn a_borrowing_reader_gives_a_borrowing_stream() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                let (schema, batches) = arrow_rs_batches();
                // The reader borrows `batches`; so does the stream made from it.
                let reader =
                    RecordBatchIterator::new(batches.iter().map(|b| Ok(b.clone())), schema.clone());
                conn.execute("CREATE TABLE t(id BIGINT, name VARCHAR, colour VARCHAR, x DOUBLE)")
                    .unwrap();
                assert_eq!(
                    conn.append_arrow("t", arrow_rs::stream(reader)).unwrap(),
                    5100
                );
                check_table(&conn, "t");
                assert_eq!(batches[0].num_rows(), 5000);
            }

            #[test]
            fn a_batch_that_does_not_match_its_reader_is_refused() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                conn.execute("CREATE TABLE t(n BIGINT)").unwrap();
                let announced = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, true)]));
                let wrong = RecordBatch::try_from_iter([(
                    "n",
                    Arc::new(StringArray::from(vec!["not", "numbers"])) as ArrayRef,
                )])
                .unwrap();
                let reader = RecordBatchIterator::new([Ok(wrong)], announced);
                let error = conn
                    .append_arrow("t", arrow_rs::stream(reader))
                    .unwrap_err();
                assert_eq!(error.kind(), ErrorKind::Arrow, "{error}");
                assert!(error.to_string().contains("reader's schema"), "{error}");
                assert_eq!(query_one::<i64>(&conn, "SELECT count(*) FROM t"), 0);
                no_live_arrow();
            }

            #[test]
            fn a_reader_error_reaches_the_consumer() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                conn.execute("CREATE TABLE t(n BIGINT)").unwrap();
                let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64, true)]));
                let good = RecordBatch::try_new(
                    schema.clone(),
                    vec![Arc::new(Int64Array::from(vec![1, 2]))],
                )
                .unwrap();
                let failing = duckdb_ffi::safe::Error::new(ErrorKind::Arrow, "the source broke");
                let reader = RecordBatchIterator::new([Ok(good), Err(failing.into())], schema);
                let error = conn
                    .append_arrow("t", arrow_rs::stream(reader))
                    .unwrap_err();
                assert!(error.to_string().contains("the source broke"), "{error}");
                no_live_arrow();
            }

            #[test]
            fn a_batch_and_its_schema_round_trip_through_the_c_structs() {
                let _ledger = common::ledger_guard();
                let (_, batches) = arrow_rs_batches();
                let metadata = HashMap::from([("origin".to_owned(), "test".to_owned())]);
                let schema = Arc::new(batches[1].schema().as_ref().clone().with_metadata(metadata));
                let batch = batches[1].clone().with_schema(schema.clone()).unwrap();

                let (c_schema, c_array) = arrow_rs::batch_to_c(batch.clone()).unwrap();
                assert_eq!(c_schema.format().unwrap(), "+s");
                assert_eq!(c_array.len(), 100);
                assert_eq!(ledger::snapshot().live(HandleKind::ArrowArray), 1);
                assert_eq!(arrow_rs::schema_from_c(&c_schema).unwrap(), *schema);
                // SAFETY: the pair came from one batch.
                let back = unsafe { arrow_rs::batch_from_c(&c_schema, c_array) }.unwrap();
                assert_eq!(back, batch);
                assert_eq!(back.schema().metadata()["origin"], "test");
                drop(c_schema);
                // The imported batch keeps the array alive; it is no longer the ledger's.
                assert_eq!(ledger::snapshot().live(HandleKind::ArrowArray), 0);
                drop((back, batches));
                no_live_arrow();
            }

            #[test]
            fn an_arrow_rs_reader_round_trips_through_a_c_stream() {
                let _ledger = common::ledger_guard();
                let (schema, batches) = arrow_rs_batches();
                let reader = RecordBatchIterator::new(batches.clone().into_iter().map(Ok), schema);
                let stream = arrow_rs::stream(reader);
                assert_eq!(ledger::snapshot().live(HandleKind::ArrowStream), 1);
                // A stream that borrows nothing hands out arrow-rs's own reader.
                let back = arrow_rs::reader(stream).unwrap().into_inner();
                assert_eq!(ledger::snapshot().live(HandleKind::ArrowStream), 0);
                let back: Vec<RecordBatch> = back.map(Result::unwrap).collect();
                assert_eq!(back, batches);
                no_live_arrow();
            }

            #[test]
            fn duckdb_arrays_convert_one_by_one() {
                let _ledger = common::ledger_guard();
                let conn = Database::open_in_memory().unwrap().connect().unwrap();
                let mut stream = conn
                    .query("SELECT range::INTEGER AS n, range::VARCHAR AS s FROM range(3)")
                    .unwrap()
                    .into_arrow()
                    .unwrap();
                let schema = stream.schema().unwrap();
                let array = stream.next_array().unwrap().unwrap();
                // SAFETY: the array came from the stream that gave the schema.
                let batch = unsafe { arrow_rs::batch_from_c(&schema, array) }.unwrap();
                assert_eq!(downcast::<Int32Array>(batch.column(0)).values(), &[0, 1, 2]);
                assert_eq!(downcast::<StringArray>(batch.column(1)).value(2), "2");
                let released = arrow_rs::reader(stream).map(|r| r.count()).unwrap();
                assert_eq!(released, 0);
                drop((schema, batch));
                no_live_arrow();
            }
        }
    };
}

#[cfg(feature = "arrow-59")]
arrow_rs_tests!(arrow_59);
#[cfg(feature = "arrow-60")]
arrow_rs_tests!(arrow_60);
