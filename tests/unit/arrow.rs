//! Unit tests of the Arrow layer (`safe::arrow`): who releases each Arrow C struct, and when.
//!
//! Like `tests`, they run on the real engine (`cargo test --lib`) and under Miri against the
//! model of the C API, whose Arrow schemas and arrays are heap memory that only their release
//! callback frees (a missed release is a Miri leak, a second one stops the program), and whose
//! `duckdb_data_chunk_from_arrow` moves the array out and reads it in place until the chunk is
//! destroyed (a release while the chunk lives is a use after free). Every test also checks
//! that the ledger's Arrow kinds return to where they started.

use crate::safe::arrow::{ArrowArray, ArrowSchema, ArrowStream, Producer};

use super::*;
use crate as ffi;
use std::ffi::{CString, c_char, c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use ledger::HandleKind::{
    ArrowArray as ArrayKind, ArrowConvertedSchema as ConvertedKind, ArrowOptions as OptionsKind,
    ArrowSchema as SchemaKind, ArrowStream as StreamKind,
};

fn live(kind: ledger::HandleKind) -> u64 {
    ledger::snapshot().live(kind)
}

/// Live counts of every Arrow kind: schemas, arrays, streams, options, converted schemas.
fn arrow_live() -> [u64; 5] {
    [
        SchemaKind,
        ArrayKind,
        StreamKind,
        OptionsKind,
        ConvertedKind,
    ]
    .map(live)
}

/// The error of a call that must fail (the Arrow types have no `Debug` for `unwrap_err`).
#[track_caller]
fn err_of<T>(result: Result<T>) -> Error {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn open() -> (Database, Connection) {
    let db = Database::open_in_memory().expect("in-memory database");
    let conn = conn_of(&db);
    (db, conn)
}

/// Every batch of `stream`, read to the end.
fn batches(stream: &mut ArrowStream<'_>) -> Vec<ArrowArray> {
    stream
        .map(|a| a.expect("a batch"))
        .collect::<Vec<ArrowArray>>()
}

/// The BIGINT first column of every chunk, concatenated.
fn first_bigints(chunks: impl IntoIterator<Item = Result<DataChunk>>) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for chunk in chunks {
        let chunk = chunk.expect("a chunk");
        assert!(chunk.len() <= 2048, "a chunk of {} rows", chunk.len());
        out.extend(chunk.vector(0).unwrap().values::<i64>().unwrap().iter());
    }
    out
}

fn range_values() -> Vec<Option<i64>> {
    (0..5000).map(Some).collect()
}

// --- export ----------------------------------------------------------------------------------

#[test]
fn a_result_exported_as_a_stream_reads_fully_with_its_values() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let mut stream = conn.query(sql::MIXED).unwrap().into_arrow().unwrap();
    assert_eq!(live(StreamKind), 1);
    let schema = stream.schema().unwrap();
    assert_eq!(
        schema.fields().unwrap(),
        [("i", "i"), ("d", "g"), ("s", "u"), ("b", "l"), ("f", "b")]
    );
    let arrays = batches(&mut stream);
    assert_eq!(arrays.iter().map(ArrowArray::len).sum::<usize>(), 5);
    assert!(arrays.iter().all(|a| a.child_count() == 5));
    assert!(stream.next_array().unwrap().is_none(), "stays at its end");
    drop(stream);
    assert_eq!(live(StreamKind), 0);
    // The arrays outlive their stream and the result; read them back through DuckDB.
    // SAFETY: the batches of the stream that gave `schema`.
    let stream = unsafe { ArrowStream::from_arrays(schema, arrays) };
    let chunks: Vec<DataChunk> = conn
        .arrow_chunks(stream)
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    assert_eq!(chunks.len(), 1);
    let chunk = &chunks[0];
    let ints: Vec<Option<i32>> = chunk.vector(0).unwrap().values().unwrap().iter().collect();
    assert_eq!(ints, [Some(1), None, Some(-3), Some(2147483647), Some(4)]);
    let doubles: Vec<Option<f64>> = chunk.vector(1).unwrap().values().unwrap().iter().collect();
    assert_eq!(
        doubles,
        [Some(2.5), None, Some(-0.25), Some(1e300), Some(0.0)]
    );
    let strings = chunk.vector(2).unwrap().strings().unwrap();
    let strings: Vec<Option<String>> = strings
        .iter()
        .map(|s| s.unwrap().map(str::to_owned))
        .collect();
    assert_eq!(
        strings,
        [
            Some("short".to_owned()),
            None,
            Some("twelve bytes".to_owned()),
            Some("thirteen byte".to_owned()),
            Some("a string that is clearly longer than twelve bytes".to_owned()),
        ]
    );
    let bigints: Vec<Option<i64>> = chunk.vector(3).unwrap().values().unwrap().iter().collect();
    assert_eq!(
        bigints,
        [Some(10000000000), None, Some(-7), Some(i64::MAX), Some(0)]
    );
    drop(chunks);
    assert_eq!(arrow_live(), [0; 5]);
}

#[test]
fn a_streaming_export_dropped_half_read_or_unread_releases_everything() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    {
        let mut stream = conn.query_arrow(sql::RANGE).unwrap();
        let first = stream.next_array().unwrap().expect("a first batch");
        assert_eq!(first.len(), 2048);
        assert_eq!(live(ArrayKind), 1);
        drop(stream); // half read: the rest of the result goes with it
        assert_eq!(live(StreamKind), 0);
        assert_eq!(first.len(), 2048, "a batch outlives its stream");
    }
    drop(conn.query_arrow(sql::RANGE).unwrap()); // unread
    drop(conn.query(sql::RANGE).unwrap().into_arrow().unwrap()); // materialised, unread
    {
        let mut stream = conn.query(sql::RANGE).unwrap().into_arrow().unwrap();
        let _schema = stream.schema().unwrap();
        let _first = stream.next_array().unwrap();
    } // materialised, half read
    assert_eq!(arrow_live(), [0; 5]);
    // The connection is free again.
    assert_eq!(
        conn.query_row(sql::ANSWER, (), |r| r.get::<i32>(0))
            .unwrap(),
        42
    );
}

#[test]
fn options_convert_types_and_chunks() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let options = conn.arrow_options().unwrap();
    assert_eq!(live(OptionsKind), 1);
    let types = [
        LogicalType::new(TypeId::BigInt).unwrap(),
        LogicalType::new(TypeId::Varchar).unwrap(),
    ];
    let schema = options.schema(&types, &["n", "s"]).unwrap();
    assert_eq!(schema.fields().unwrap(), [("n", "l"), ("s", "u")]);
    assert_eq!(schema.format().unwrap(), "+s");
    let mismatch = err_of(options.schema(&types, &["n"]));
    assert_eq!(mismatch.kind(), ErrorKind::Misuse);
    let mut result = conn.query(sql::RANGE).unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    let array = options.array(&chunk).unwrap();
    drop(chunk);
    assert_eq!((array.len(), array.child_count()), (2048, 1));
    drop((array, schema, options, result));
    assert_eq!(arrow_live(), [0; 5]);
}

// --- split -----------------------------------------------------------------------------------

/// The first batch of RANGE (rows 0..2048) and its schema.
fn range_batch(conn: &Connection) -> (ArrowSchema, ArrowArray) {
    let mut stream = conn.query(sql::RANGE).unwrap().into_arrow().unwrap();
    let schema = stream.schema().unwrap();
    let array = stream.next_array().unwrap().unwrap();
    (schema, array)
}

#[test]
fn split_parts_share_the_original_until_the_last_is_dropped() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let (schema, array) = range_batch(&conn);
    let importer = conn.arrow_importer(&schema).unwrap();
    // Drop orders: front to back, back to front, middle first.
    let orders: [&[usize]; 3] = [&[0, 1, 2, 3, 4], &[4, 3, 2, 1, 0], &[2, 0, 4, 1, 3]];
    let mut array = Some(array);
    for order in orders {
        let original = array.take().unwrap_or_else(|| range_batch(&conn).1);
        let parts = original.split(500).unwrap();
        assert_eq!(
            parts.iter().map(ArrowArray::len).collect::<Vec<_>>(),
            [500, 500, 500, 500, 48]
        );
        assert_eq!(live(ArrayKind), 6, "five parts and the shared original");
        for part in &parts {
            let raw = part.as_raw();
            assert_eq!((raw.n_buffers, raw.n_children, raw.null_count), (1, 1, 0));
            // SAFETY: a live part has `n_buffers` buffer pointers, which a consumer may read.
            let validity = unsafe { *raw.buffers };
            assert!(validity.is_null(), "a table's rows are never null");
        }
        let mut parts: Vec<Option<ArrowArray>> = parts.into_iter().map(Some).collect();
        for (dropped, &i) in order.iter().enumerate() {
            let part = parts[i].take().unwrap();
            // Each part reads its own window of the original's buffers.
            // SAFETY: a part of a batch the importer's schema describes.
            let chunks = unsafe { importer.chunks(part) }.unwrap();
            let values = first_bigints(chunks.into_iter().map(Ok));
            let start = i as i64 * 500;
            let expected: Vec<Option<i64>> = (start..(start + 500).min(2048)).map(Some).collect();
            assert_eq!(values, expected, "part {i}");
            let left = 4 - dropped as u64;
            let original_left = u64::from(left > 0);
            assert_eq!(live(ArrayKind), left + original_left);
        }
    }
    // A batch that fits is returned as it is; parts of 0 rows are refused.
    let (_, array) = range_batch(&conn);
    let whole = array.split(4096).unwrap();
    assert_eq!(whole.len(), 1);
    let array = whole.into_iter().next().unwrap();
    assert_eq!(err_of(array.split(0)).kind(), ErrorKind::Misuse);
    drop((importer, schema));
    assert_eq!(arrow_live(), [0; 5]);
}

// --- import ----------------------------------------------------------------------------------

#[test]
fn imported_chunks_keep_the_array_until_they_are_dropped() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let mut stream = conn.query(sql::MIXED).unwrap().into_arrow().unwrap();
    let schema = stream.schema().unwrap();
    let array = stream.next_array().unwrap().unwrap();
    drop(stream);
    let importer = conn.arrow_importer(&schema).unwrap();
    assert_eq!(live(ConvertedKind), 1);
    assert_eq!(importer.column_count(), 5);
    let types: Vec<TypeId> = importer
        .column_types()
        .unwrap()
        .iter()
        .map(LogicalType::id)
        .collect();
    assert_eq!(
        types,
        [
            TypeId::Integer,
            TypeId::Double,
            TypeId::Varchar,
            TypeId::BigInt,
            TypeId::Boolean
        ]
    );
    // SAFETY: a batch of the schema that made the importer.
    let chunks = unsafe { importer.chunks(array) }.unwrap();
    assert_eq!(live(ArrayKind), 0, "DuckDB took the array");
    drop((importer, schema));
    // The chunk still reads the array's strings (long ones in place).
    let strings = chunks[0].vector(2).unwrap().strings().unwrap();
    assert_eq!(
        strings.get(4).unwrap(),
        Some("a string that is clearly longer than twelve bytes")
    );
    let flags: Vec<Option<bool>> = chunks[0]
        .vector(4)
        .unwrap()
        .values()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(flags, [Some(true), None, Some(false), Some(true), None]);
    drop(chunks);
    assert_eq!(arrow_live(), [0; 5]);
}

#[test]
fn a_batch_of_the_wrong_shape_is_refused_and_released() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let (schema, _) = range_batch(&conn);
    let importer = conn.arrow_importer(&schema).unwrap();
    let mut stream = conn.query(sql::MIXED).unwrap().into_arrow().unwrap();
    let mixed = stream.next_array().unwrap().unwrap();
    // SAFETY: refused before DuckDB sees it (5 columns, the schema has 1).
    let err = err_of(unsafe { importer.chunks(mixed) });
    assert_eq!(err.kind(), ErrorKind::Arrow);
    assert_eq!(live(ArrayKind), 0, "the refused batch was released");
    // A schema that is not a table, and one with a type DuckDB cannot read.
    let not_a_table = foreign_schema("l", &[]);
    assert_eq!(
        err_of(conn.arrow_importer(&not_a_table)).kind(),
        ErrorKind::Arrow
    );
    let unknown = foreign_schema("+s", &[("x", "xyz")]);
    let err = err_of(conn.arrow_importer(&unknown));
    assert!(err.message().contains("xyz"), "{err}");
    drop((stream, importer, schema, not_a_table, unknown));
    assert_eq!(arrow_live(), [0; 5]);
}

/// How many foreign batches were released, and how many foreign schemas.
static BATCHES_RELEASED: AtomicUsize = AtomicUsize::new(0);
static SCHEMAS_RELEASED: AtomicUsize = AtomicUsize::new(0);

/// A schema made by "another Arrow library": a root of `format` with `(name, format)`
/// children, released by freeing one box.
fn foreign_schema(format: &str, children: &[(&str, &str)]) -> ArrowSchema {
    struct Owned {
        strings: Vec<CString>,
        children: Vec<ffi::ArrowSchema>,
        child_ptrs: Vec<*mut ffi::ArrowSchema>,
    }
    unsafe extern "C" fn release_child(schema: *mut ffi::ArrowSchema) {
        // SAFETY: called with the child it belongs to; the root owns its memory.
        unsafe { (*schema).release = None };
    }
    unsafe extern "C" fn release(schema: *mut ffi::ArrowSchema) {
        // SAFETY: the box `foreign_schema` made, taken back once (release is nulled).
        unsafe {
            drop(Box::from_raw((*schema).private_data.cast::<Owned>()));
            (*schema).release = None;
        }
        SCHEMAS_RELEASED.fetch_add(1, Ordering::SeqCst);
    }
    let mut strings = vec![CString::new(format).unwrap()];
    for (name, format) in children {
        strings.push(CString::new(*name).unwrap());
        strings.push(CString::new(*format).unwrap());
    }
    let owned = Box::into_raw(Box::new(Owned {
        strings,
        children: Vec::new(),
        child_ptrs: Vec::new(),
    }));
    // SAFETY: the box just made; pointers into it are taken once it is in place.
    let o = unsafe { &mut *owned };
    o.children = (0..children.len())
        .map(|i| ffi::ArrowSchema {
            format: o.strings[2 + 2 * i].as_ptr(),
            name: o.strings[1 + 2 * i].as_ptr(),
            metadata: ptr::null(),
            flags: 2,
            n_children: 0,
            children: ptr::null_mut(),
            dictionary: ptr::null_mut(),
            release: Some(release_child),
            private_data: ptr::null_mut(),
        })
        .collect();
    o.child_ptrs = o.children.iter_mut().map(|c| c as *mut _).collect();
    let raw = ffi::ArrowSchema {
        format: o.strings[0].as_ptr(),
        name: ptr::null(),
        metadata: ptr::null(),
        flags: 0,
        n_children: children.len() as i64,
        children: o.child_ptrs.as_mut_ptr(),
        dictionary: ptr::null_mut(),
        release: Some(release),
        private_data: owned.cast(),
    };
    // SAFETY: a valid schema whose release frees what this function made.
    unsafe { ArrowSchema::from_raw(raw) }
}

/// A one-row table batch of one large-string column (Arrow `U`) whose only string claims
/// 5 GB: DuckDB takes it, then fails converting it ("Strings over 4GB").
fn oversized_string_batch() -> ArrowArray {
    struct Owned {
        offsets: [i64; 2],
        data: [u8; 8],
        child_buffers: [*const c_void; 3],
        root_buffers: [*const c_void; 1],
        child: ffi::ArrowArray,
        child_ptr: [*mut ffi::ArrowArray; 1],
    }
    unsafe extern "C" fn release_child(array: *mut ffi::ArrowArray) {
        // SAFETY: called with the child it belongs to; the root owns its memory.
        unsafe { (*array).release = None };
    }
    unsafe extern "C" fn release(array: *mut ffi::ArrowArray) {
        // SAFETY: the box `oversized_string_batch` made, taken back once (release is nulled).
        unsafe {
            let mut owned = Box::from_raw((*array).private_data.cast::<Owned>());
            if let Some(release) = owned.child.release {
                release(&mut owned.child);
            }
            (*array).release = None;
        }
        BATCHES_RELEASED.fetch_add(1, Ordering::SeqCst);
    }
    let owned = Box::into_raw(Box::new(Owned {
        offsets: [0, 5 << 30],
        data: *b"12345678",
        child_buffers: [ptr::null(); 3],
        root_buffers: [ptr::null()],
        // SAFETY: all-zero is a released array, filled below.
        child: unsafe { std::mem::zeroed() },
        child_ptr: [ptr::null_mut()],
    }));
    // SAFETY: the box just made; pointers into it are taken once it is in place.
    let o = unsafe { &mut *owned };
    o.child_buffers = [
        ptr::null(),
        o.offsets.as_ptr().cast(),
        o.data.as_ptr().cast(),
    ];
    o.child = ffi::ArrowArray {
        length: 1,
        null_count: 0,
        offset: 0,
        n_buffers: 3,
        n_children: 0,
        buffers: o.child_buffers.as_mut_ptr(),
        children: ptr::null_mut(),
        dictionary: ptr::null_mut(),
        release: Some(release_child),
        private_data: ptr::null_mut(),
    };
    o.child_ptr = [&mut o.child];
    let raw = ffi::ArrowArray {
        length: 1,
        null_count: 0,
        offset: 0,
        n_buffers: 1,
        n_children: 1,
        buffers: o.root_buffers.as_mut_ptr(),
        children: o.child_ptr.as_mut_ptr(),
        dictionary: ptr::null_mut(),
        release: Some(release),
        private_data: owned.cast(),
    };
    // SAFETY: a valid array whose release frees what this function made.
    unsafe { ArrowArray::from_raw(raw) }
}

#[test]
fn a_batch_that_fails_after_duckdb_took_it_is_released_once() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let schema = foreign_schema("+s", &[("s", "U")]);
    let importer = conn.arrow_importer(&schema).unwrap();
    assert_eq!(
        importer
            .column_types()
            .unwrap()
            .iter()
            .map(LogicalType::id)
            .collect::<Vec<_>>(),
        [TypeId::Varchar]
    );
    let before = BATCHES_RELEASED.load(Ordering::SeqCst);
    // SAFETY: the batch matches the schema (one large-string column).
    let err = err_of(unsafe { importer.chunks(oversized_string_batch()) });
    assert!(err.message().contains("4GB"), "{err}");
    assert_eq!(
        BATCHES_RELEASED.load(Ordering::SeqCst) - before,
        1,
        "DuckDB released the batch it took, once"
    );
    let schemas_before = SCHEMAS_RELEASED.load(Ordering::SeqCst);
    drop((importer, schema));
    assert_eq!(SCHEMAS_RELEASED.load(Ordering::SeqCst) - schemas_before, 1);
    assert_eq!(arrow_live(), [0; 5]);
}

// --- streams ---------------------------------------------------------------------------------

#[test]
fn a_stream_from_arrays_is_read_or_dropped() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let mut source = conn.query(sql::RANGE).unwrap().into_arrow().unwrap();
    let schema = source.schema().unwrap();
    let arrays = batches(&mut source);
    drop(source);
    assert_eq!(arrays.len(), 3);
    // Read through DuckDB, in chunks.
    // SAFETY: the batches of the stream that gave `schema`.
    let mut stream = unsafe { ArrowStream::from_arrays(schema, arrays) };
    let copy = stream.schema().unwrap();
    assert_eq!(copy.fields().unwrap(), [("n", "l")]);
    assert_eq!(
        first_bigints(conn.arrow_chunks(stream).unwrap()),
        range_values()
    );
    // Dropped unread: every array it holds is released.
    let (_, array) = range_batch(&conn);
    // SAFETY: a batch of the same query, which `copy` describes.
    let stream = unsafe { ArrowStream::from_arrays(copy, [array]) };
    assert_eq!((live(StreamKind), live(ArrayKind)), (1, 1));
    drop(stream);
    assert_eq!(arrow_live(), [0; 5]);
}

/// The private data of a stream made in C style by "another Arrow library": it serves its
/// batches, then either ends or fails with `EIO`.
struct ForeignStream {
    schema: Option<ArrowSchema>,
    batches: std::vec::IntoIter<ArrowArray>,
    fail_at_end: bool,
    message: CString,
}

unsafe extern "C" fn foreign_get_schema(
    stream: *mut ffi::v2::ArrowArrayStream,
    out: *mut ffi::ArrowSchema,
) -> c_int {
    // SAFETY: the stream's own private data; `out` is the caller's to fill.
    unsafe {
        let state = &mut *(*stream).private_data.cast::<ForeignStream>();
        match state.schema.take() {
            Some(schema) => {
                out.write(schema.into_raw());
                0
            }
            None => 22, // EINVAL: this producer hands out its schema once
        }
    }
}

unsafe extern "C" fn foreign_get_next(
    stream: *mut ffi::v2::ArrowArrayStream,
    out: *mut ffi::ArrowArray,
) -> c_int {
    // SAFETY: as in `foreign_get_schema`.
    unsafe {
        let state = &mut *(*stream).private_data.cast::<ForeignStream>();
        match state.batches.next() {
            Some(array) => out.write(array.into_raw()),
            None if state.fail_at_end => return 5, // EIO
            None => out.write(std::mem::zeroed()),
        }
        0
    }
}

unsafe extern "C" fn foreign_last_error(stream: *mut ffi::v2::ArrowArrayStream) -> *const c_char {
    // SAFETY: as in `foreign_get_schema`.
    unsafe {
        (*(*stream).private_data.cast::<ForeignStream>())
            .message
            .as_ptr()
    }
}

unsafe extern "C" fn foreign_release(stream: *mut ffi::v2::ArrowArrayStream) {
    // SAFETY: the box `foreign_stream` made, taken back once (release is nulled).
    unsafe {
        drop(Box::from_raw(
            (*stream).private_data.cast::<ForeignStream>(),
        ));
        (*stream).release = None;
    }
}

fn foreign_stream(
    schema: ArrowSchema,
    batches: Vec<ArrowArray>,
    fail_at_end: bool,
) -> ArrowStream<'static> {
    let state = Box::new(ForeignStream {
        schema: Some(schema),
        batches: batches.into_iter(),
        fail_at_end,
        message: CString::new("the disk is on fire").unwrap(),
    });
    let raw = ffi::v2::ArrowArrayStream {
        get_schema: Some(foreign_get_schema),
        get_next: Some(foreign_get_next),
        get_last_error: Some(foreign_last_error),
        release: Some(foreign_release),
        private_data: Box::into_raw(state).cast(),
    };
    // SAFETY: a valid stream whose release frees what `foreign_stream` made.
    unsafe { ArrowStream::from_raw(raw) }
}

#[test]
fn a_foreign_stream_that_fails_midway_is_released() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let (schema, array) = range_batch(&conn);
    let stream = foreign_stream(schema, vec![array], true);
    let mut chunks = conn.arrow_chunks(stream).unwrap();
    let first = chunks.next().expect("a chunk").unwrap();
    assert_eq!(first.len(), 2048);
    let err = err_of(chunks.next().expect("the failure"));
    assert_eq!(err.kind(), ErrorKind::Arrow);
    assert!(err.message().contains("the disk is on fire"), "{err}");
    drop(chunks);
    drop(first);
    // A schema asked for twice: the producer's error, not a crash.
    let (schema, _) = range_batch(&conn);
    let mut stream = foreign_stream(schema, Vec::new(), false);
    let given = stream.schema().unwrap();
    assert!(err_of(stream.schema()).message().contains("disk"));
    assert!(stream.next_array().unwrap().is_none());
    drop((stream, given));
    assert_eq!(arrow_live(), [0; 5]);
}

/// A Rust producer that serves one batch and then panics.
struct Panicking {
    schema: Option<ArrowSchema>,
    batch: Option<ArrowArray>,
}

impl Producer for Panicking {
    fn schema(&mut self) -> Result<ArrowSchema> {
        self.schema
            .take()
            .ok_or_else(|| Error::misuse("one schema only"))
    }
    fn next(&mut self) -> Result<Option<ArrowArray>> {
        match self.batch.take() {
            Some(batch) => Ok(Some(batch)),
            None => panic!("the producer broke"),
        }
    }
}

#[test]
fn a_producer_that_panics_fails_the_read_and_is_released() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let (schema, array) = range_batch(&conn);
    let stream = ArrowStream::produce(Panicking {
        schema: Some(schema),
        batch: Some(array),
    });
    let mut chunks = conn.arrow_chunks(stream).unwrap();
    assert_eq!(chunks.next().unwrap().unwrap().len(), 2048);
    let err = err_of(chunks.next().unwrap());
    assert!(err.message().contains("panicked"), "{err}");
    drop(chunks);
    assert_eq!(arrow_live(), [0; 5]);
}

#[test]
fn append_arrow_loads_a_stream_from_another_database() {
    let _guard = ledger_guard();
    let (_db, source) = open();
    source.execute(sql::CREATE_T).unwrap();
    source.execute(sql::INSERT_T).unwrap();
    let stream = source.query(sql::READ_T).unwrap().into_arrow().unwrap();
    let (_db2, target) = open();
    target.execute(sql::CREATE_T).unwrap();
    assert_eq!(target.append_arrow("t", stream).unwrap(), 2);
    let rows: Vec<(i32, String)> = target
        .query(sql::READ_T)
        .unwrap()
        .rows()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(rows, [(1, "one".to_owned()), (2, "two".to_owned())]);
    assert_eq!(arrow_live(), [0; 5]);
}

// --- raw round trips -------------------------------------------------------------------------

#[test]
fn into_raw_from_raw_and_move_from_hand_over_one_release() {
    let _guard = ledger_guard();
    let (_db, conn) = open();
    let (schema, array) = range_batch(&conn);
    // into_raw: no longer counted, the receiver releases it.
    let raw_schema = schema.into_raw();
    assert_eq!(live(SchemaKind), 0);
    // SAFETY: the struct `into_raw` gave up, owned by nobody else.
    let schema = unsafe { ArrowSchema::from_raw(raw_schema) };
    assert_eq!(live(SchemaKind), 1);
    assert_eq!(schema.fields().unwrap(), [("n", "l")]);
    // move_from: the source is left released.
    let mut slot = array.into_raw();
    // SAFETY: a valid array nobody else releases; moved out of `slot`.
    let array = unsafe { ArrowArray::move_from(&mut slot) };
    assert!(slot.release.is_none(), "the source is marked released");
    assert_eq!(array.len(), 2048);
    // SAFETY: a released struct: dropping it releases nothing, and it is not counted.
    let empty = unsafe { ArrowArray::from_raw(slot) };
    assert!(empty.is_released());
    assert_eq!(live(ArrayKind), 1);
    drop(empty);
    // A stream's raw struct, released by hand as a foreign consumer would.
    // SAFETY: `array` is described by `schema` (both made for the same columns above).
    let stream = unsafe { ArrowStream::from_arrays(schema, [array]) };
    let mut raw = stream.into_raw();
    assert_eq!((live(StreamKind), live(ArrayKind)), (0, 1));
    // SAFETY: the stream `into_raw` gave up: its release runs once, here.
    unsafe { (raw.release.unwrap())(&mut raw) };
    assert!(raw.release.is_none());
    assert_eq!(arrow_live(), [0; 5]);
    // The released split original, as a value: splitting it is refused.
    // SAFETY: a released struct.
    let released = unsafe { ArrowArray::from_raw(raw_array_released()) };
    assert_eq!(err_of(released.split(1)).kind(), ErrorKind::Misuse);
    // SAFETY: a released struct.
    let mut released_stream = unsafe { ArrowStream::from_raw(raw) };
    assert_eq!(
        err_of(released_stream.next_array()).kind(),
        ErrorKind::Misuse
    );
}

fn raw_array_released() -> ffi::ArrowArray {
    // SAFETY: all-zero is a released array.
    unsafe { std::mem::zeroed() }
}

// --- injected bugs: Miri must fail (run by tests/miri_must_fail.sh) ---------------------------

#[cfg(miri)]
mod miri_must_fail {
    use super::*;

    /// An array handed out with `into_raw` and never released: the model's buffers leak.
    #[test]
    #[ignore = "must fail under Miri: leak"]
    fn forget_to_release_an_array() {
        let (_db, conn) = open();
        let (_schema, array) = range_batch(&conn);
        let raw = array.into_raw();
        assert!(raw.release.is_some());
    }

    /// An array released twice, the second time through a stale copy of the struct: the
    /// model finds its private data already gone and stops the program.
    #[test]
    #[ignore = "must fail under Miri: double release"]
    fn release_an_array_twice() {
        let (_db, conn) = open();
        let (_schema, array) = range_batch(&conn);
        let mut raw = array.into_raw();
        let mut copy = raw;
        // SAFETY: deliberately unsound: the same array released twice.
        unsafe {
            (raw.release.unwrap())(&mut raw);
            (copy.release.unwrap())(&mut copy);
        }
    }
}
