//! DuckDB's v2 C API (`duckdb_ffi::v2`) on the real engine, raw: what a C program would do.
//!
//! Each test destroys every v2 handle it creates exactly once, in the order the C API reference
//! (`src/c_api.md`, section "The v2 API: who owns what") requires. In the `// SAFETY:` comments,
//! `v2/NAME` abbreviates `src/main/capi/v2/NAME` in the pinned DuckDB sources.
#![allow(clippy::undocumented_unsafe_blocks)]

use crate::common::raw_v2::*;
use duckdb_ffi::PINNED_DUCKDB_VERSION;
use duckdb_ffi::v2::*;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn library_version_is_the_pinned_one() {
    let mut err = ErrorInfo::new();
    let mut version = view("");
    // SAFETY: the view borrows the static DUCKDB_VERSION string (duckdb_v2_library_version,
    // v2/capi_v2_instance.cpp).
    let version = unsafe {
        ok(duckdb_v2_library_version(&mut version, err.slot()), &err);
        owned(version)
    };
    assert_eq!(version, PINNED_DUCKDB_VERSION);
}

#[test]
fn open_connect_query_and_read_chunks() {
    let s = Session::open();
    let rows = 5000usize; // several 2048-row chunks
    let result = s.query(&format!(
        "SELECT range AS i, range::DOUBLE / 2 AS d, \
         CASE WHEN range % 3 = 0 THEN NULL ELSE 'row number ' || range END AS t \
         FROM range({rows}) ORDER BY i"
    ));
    let mut err = ErrorInfo::new();
    // The schema is known before the first step; its field names and types are borrowed from it.
    // SAFETY: the schema is owned and destroyed once; names and types are only read before that
    // (duckdb_v2_schema_get_field, v2/capi_v2_schema.cpp: both alias the schema's fields).
    unsafe {
        let mut schema = ptr::null_mut();
        ok(
            duckdb_v2_result_get_schema(result, &mut schema, err.slot()),
            &err,
        );
        let mut count = 0;
        ok(
            duckdb_v2_schema_get_count(schema, &mut count, err.slot()),
            &err,
        );
        assert_eq!(count, 3);
        let expected = [
            (
                "i",
                DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_BIGINT,
            ),
            (
                "d",
                DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_DOUBLE,
            ),
            (
                "t",
                DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_VARCHAR,
            ),
        ];
        for (index, (name, id)) in expected.into_iter().enumerate() {
            let mut field_name = view("");
            let mut field_type = ptr::null_mut();
            ok(
                duckdb_v2_schema_get_field(
                    schema,
                    index as idx_t,
                    &mut field_name,
                    &mut field_type,
                    err.slot(),
                ),
                &err,
            );
            assert_eq!(owned(field_name), name);
            let mut field_id = 0;
            ok(
                duckdb_v2_logical_type_get_id(field_type, &mut field_id, err.slot()),
                &err,
            );
            assert_eq!(field_id, id, "column {name}");
        }
        duckdb_v2_schema_destroy(&mut schema);
        assert!(schema.is_null());
    }

    let (mut seen, mut chunks, mut int_sum, mut double_sum) = (0usize, 0, 0i64, 0f64);
    let mut texts = Vec::new();
    for_each_chunk(result, |chunk| {
        // SAFETY: the vectors are borrowed from the live chunk; the column types are checked above.
        unsafe {
            let n = chunk_size(chunk);
            let ints = read::<i64>(vector(chunk, 0), n);
            let doubles = read::<f64>(vector(chunk, 1), n);
            let cells = read::<duckdb_v2_bytes>(vector(chunk, 2), n);
            for ((i, d), cell) in ints.into_iter().zip(doubles).zip(cells) {
                let i = i.unwrap();
                assert_eq!(i, seen as i64);
                int_sum += i;
                double_sum += d.unwrap();
                texts.push(cell.as_ref().map(|c| text_of(c)));
                seen += 1;
            }
            chunks += 1;
        }
    });
    assert_eq!(seen, rows);
    assert!(chunks > 1, "expected several chunks, got {chunks}");
    let n = rows as i64;
    assert_eq!(int_sum, n * (n - 1) / 2);
    assert_eq!(double_sum, (n * (n - 1) / 2) as f64 / 2.0);
    for (i, text) in texts.iter().enumerate() {
        let expected = (i % 3 != 0).then(|| format!("row number {i}"));
        assert_eq!(text, &expected, "row {i}");
    }
}

#[test]
fn errors_come_back_as_owned_info_handles() {
    let s = Session::open();

    // A syntax error surfaces from the iterator step that reaches the statement
    // (duckdb_v2_statement_iterator_next, v2/capi_v2_statement.cpp), as an info the caller owns.
    let err = s.failure("SELEC 1");
    assert_eq!(err.code(), DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_QUERY_PARSER);
    let (text, raw) = (err.text(), err.raw_text());
    assert!(text.contains("syntax error"), "text: {text}");
    // The full text is "<Type> Error: " followed by the raw body (ErrorData::ConstructFinalMessage).
    assert_eq!(text, format!("Parser Error: {raw}"));
    drop(err); // duckdb_v2_error_info_destroy, once

    // A catalog error surfaces from statement_execute.
    let err = s.failure("SELECT * FROM no_such_table");
    assert_eq!(err.code(), DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_DATABASE_CATALOG);
    assert!(err.text().contains("no_such_table"), "text: {}", err.text());
    drop(err);

    // One slot across several failures holds one info: a failure overwrites the info already in
    // the slot instead of allocating another (WithErrorHandler, capi_v2_internal.hpp), and a
    // success leaves it untouched.
    let mut err = ErrorInfo::new();
    let mut iterator = ptr::null_mut();
    // SAFETY: the slot and the iterator are destroyed once; out-parameters are locals.
    unsafe {
        let bad = c"SELECT 1";
        assert_eq!(
            duckdb_v2_parse_sql(ptr::null_mut(), bad.as_ptr(), &mut iterator, err.slot()),
            DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_INVALID
        );
        let first = err.0;
        assert!(!first.is_null());
        assert!(err.text().contains("conn"), "text: {}", err.text());
        let mut version = view("");
        assert_eq!(duckdb_v2_library_version(&mut version, err.slot()), OK);
        assert_eq!(err.0, first, "success leaves the slot alone");
        let mut out: duckdb_v2_factory_handle = ptr::null_mut();
        let missing = view("no_such_db");
        assert_eq!(
            duckdb_v2_instance_set_default(s.instance, &missing, err.slot()),
            DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_INVALID
        );
        assert_eq!(err.0, first, "the second failure reused the info");
        assert!(err.text().contains("no_such_db"), "text: {}", err.text());
        assert!(iterator.is_null() && out.is_null());
        // Without a slot a failure reports its code only, and allocates nothing.
        assert_eq!(
            duckdb_v2_connection_get_factory(ptr::null_mut(), &mut out, ptr::null_mut()),
            DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_INVALID
        );
    }
    drop(err);

    // Destroy functions are NULL-safe and NULL the slot: a second destroy is a no-op.
    let mut info: duckdb_v2_error_info_handle = ptr::null_mut();
    // SAFETY: destroying NULL handles and NULL slots is documented as a no-op and implemented so
    // (duckdb_v2_error_info_destroy, v2/capi_v2_error.cpp; the other destroys likewise).
    unsafe {
        assert_eq!(duckdb_v2_error_info_destroy(&mut info), OK);
        assert_eq!(duckdb_v2_error_info_destroy(ptr::null_mut()), OK);
        let mut result: duckdb_v2_result_handle = ptr::null_mut();
        assert_eq!(duckdb_v2_result_destroy(&mut result), OK);
        let mut chunk: duckdb_v2_data_chunk_handle = ptr::null_mut();
        assert_eq!(duckdb_v2_data_chunk_destroy(&mut chunk), OK);
    }
}

#[test]
fn environment_refuses_to_go_while_an_instance_lives() {
    let mut err = ErrorInfo::new();
    let (mut env, mut instance, mut conn) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    // SAFETY: each handle is destroyed once, children first; the refused environment destroy
    // leaves the handle as it was (duckdb_v2_environment_destroy, v2/capi_v2_environment.cpp).
    unsafe {
        ok(duckdb_v2_environment_create(&mut env, err.slot()), &err);
        ok(
            duckdb_v2_instance_create(env, &mut instance, err.slot()),
            &err,
        );
        ok(
            duckdb_v2_connection_create(instance, &mut conn, err.slot()),
            &err,
        );
        let mut count = 0;
        ok(
            duckdb_v2_environment_get_instance_count(env, &mut count, err.slot()),
            &err,
        );
        assert_eq!(count, 1);
        assert_eq!(
            duckdb_v2_environment_destroy(&mut env),
            DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_RESOURCE_IN_USE
        );
        assert!(!env.is_null());
        // The instance handle may go before its connection: the connection keeps the database
        // (duckdb_v2_instance_destroy only releases the handle's reference).
        assert_eq!(duckdb_v2_instance_destroy(&mut instance), OK);
        assert!(instance.is_null());
        ok(
            duckdb_v2_environment_get_instance_count(env, &mut count, err.slot()),
            &err,
        );
        assert_eq!(count, 0);
        assert_eq!(duckdb_v2_connection_destroy(&mut conn), OK);
        assert_eq!(duckdb_v2_environment_destroy(&mut env), OK);
        assert!(env.is_null());
    }
}

#[test]
fn scalar_function_registered_and_called_from_sql() {
    let drops = Arc::new(AtomicUsize::new(0));
    {
        let s = Session::open();
        register_times_k(&s, 3, &drops);
        assert_eq!(
            drops.load(Ordering::SeqCst),
            0,
            "the catalog keeps the user data"
        );
        assert_eq!(s.execute("CREATE TABLE t(x BIGINT)"), 0);
        assert_eq!(
            s.execute("INSERT INTO t SELECT CASE WHEN range % 4 = 0 THEN NULL ELSE range END FROM range(3000)"),
            3000
        );
        let values = bigints(&s, "SELECT times_k(x) FROM t ORDER BY rowid");
        assert_eq!(values.len(), 3000);
        for (i, v) in values.iter().enumerate() {
            let expected = (i % 4 != 0).then_some(i as i64 * 3);
            assert_eq!(*v, expected, "row {i}");
        }
        // `range` passes its column as a SEQUENCE vector, which the callback flattens to read.
        let values = bigints(&s, "SELECT times_k(range) FROM range(3000)");
        let expected: Vec<_> = (0..3000).map(|i| Some(i * 3)).collect();
        assert_eq!(values, expected);
        // An error reported through the callback's slot fails the query with that code and text.
        let err = s.failure("SELECT times_k(range - 5) FROM range(10)");
        assert_eq!(
            err.code(),
            DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_INPUT_OUT_OF_RANGE
        );
        assert!(
            err.text().contains("times_k takes no negative input"),
            "text: {}",
            err.text()
        );
    }
    // The registered function (and its user data) went with the database.
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// A cast DATE -> INTEGER (days since 1970-01-01), which DuckDB does not have built in.
/// Dates before 1970 fail a CAST with TYPE_CONVERSION and become NULL under TRY_CAST.
unsafe extern "C" fn date_to_days(
    info: duckdb_v2_cast_function_exec_info_handle,
    _context: duckdb_v2_context_handle,
    err: *mut duckdb_v2_error_info_handle,
) {
    // SAFETY: as in `times_k` (CV2CastExec, v2/capi_v2_func_cast.cpp): `info`, `err` and both
    // vectors live for this call; DATE is stored as int32 days, the output is INTEGER.
    unsafe {
        let mut count = 0;
        let mut mode = DUCKDB_V2_CAST_MODE_DUCKDB_V2_CAST_MODE_NORMAL;
        let mut input = ptr::null_mut();
        let mut output = ptr::null_mut();
        let mut out = ptr::null_mut();
        if duckdb_v2_cast_function_exec_get_row_count(info, &mut count, err) != OK
            || duckdb_v2_cast_function_exec_get_mode(info, &mut mode, err) != OK
            || duckdb_v2_cast_function_exec_get_input(info, &mut input, err) != OK
            || duckdb_v2_cast_function_exec_get_output(info, &mut output, err) != OK
            || duckdb_v2_vector_set_size(output, count, err) != OK
            || duckdb_v2_vector_get_data_mutable(output, &mut out, err) != OK
        {
            return;
        }
        let Some(dates) = try_read::<i32>(input, count as usize, err) else {
            return;
        };
        let out = out.cast::<i32>();
        for (row, days) in dates.into_iter().enumerate() {
            match days {
                Some(days) if days >= 0 => *out.add(row) = days,
                Some(_) if mode == DUCKDB_V2_CAST_MODE_DUCKDB_V2_CAST_MODE_NORMAL => {
                    duckdb_v2_error_info_set_code(
                        *err,
                        DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_TYPE_CONVERSION,
                    );
                    let text = view("date_to_days: date before 1970");
                    duckdb_v2_error_info_set_text(*err, &text);
                    return;
                }
                _ => {
                    if duckdb_v2_vector_set_null(output, row as idx_t, err) != OK {
                        return;
                    }
                }
            }
        }
    }
}

#[test]
fn cast_function_registered_and_called_from_sql() {
    let s = Session::open();
    let sql = "SELECT CAST(CASE WHEN range % 5 = 0 THEN NULL ELSE DATE '1970-01-01' + range::INTEGER END \
               AS INTEGER)::BIGINT FROM range(3000)";
    // Without the cast, DuckDB has no DATE -> INTEGER conversion.
    let err = s.failure(sql);
    assert_eq!(err.code(), DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_TYPE_CONVERSION);
    drop(err);

    let mut err = ErrorInfo::new();
    // SAFETY: the function and the two types are owned here and destroyed once; registration
    // copies the cast into the database's cast set (duckdb_v2_connection_register_cast_function,
    // v2/capi_v2_func_cast.cpp), so the builder is destroyed right after.
    unsafe {
        let factory = s.factory();
        let mut function = ptr::null_mut();
        ok(
            duckdb_v2_cast_function_create(factory, &mut function, err.slot()),
            &err,
        );
        let mut date = logical_type(
            factory,
            DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_DATE,
        );
        let mut integer = logical_type(
            factory,
            DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_INTEGER,
        );
        ok(
            duckdb_v2_cast_function_set_source_type(function, date, err.slot()),
            &err,
        );
        ok(
            duckdb_v2_cast_function_set_target_type(function, integer, err.slot()),
            &err,
        );
        duckdb_v2_logical_type_destroy(&mut date);
        duckdb_v2_logical_type_destroy(&mut integer);
        ok(
            duckdb_v2_cast_function_set_exec_callback(function, Some(date_to_days), err.slot()),
            &err,
        );
        let code = duckdb_v2_connection_register_cast_function(s.conn, function, err.slot());
        duckdb_v2_cast_function_destroy(&mut function);
        ok(code, &err);
    }

    let values = bigints(&s, sql);
    assert_eq!(values.len(), 3000);
    for (i, v) in values.iter().enumerate() {
        assert_eq!(*v, (i % 5 != 0).then_some(i as i64), "row {i}");
    }
    // TRY_CAST runs the callback in TRY mode: dates before 1970 become NULL.
    let values = bigints(
        &s,
        "SELECT TRY_CAST(DATE '1970-01-01' + (range::INTEGER - 2) AS INTEGER)::BIGINT FROM range(5)",
    );
    assert_eq!(values, [None, None, Some(0), Some(1), Some(2)]);
    // CAST runs it in NORMAL mode: the callback's error fails the query.
    let err =
        s.failure("SELECT CAST(DATE '1970-01-01' + (range::INTEGER - 2) AS INTEGER) FROM range(5)");
    assert_eq!(err.code(), DUCKDB_V2_ERROR_DUCKDB_V2_ERROR_TYPE_CONVERSION);
    assert!(
        err.text().contains("date before 1970"),
        "text: {}",
        err.text()
    );
}

/// Writes `text` into a VARCHAR cell: inline when short, else copied into the vector's arena.
///
/// # Safety
/// `cell` must be a cell of the live VARCHAR `vector`.
unsafe fn write_text(vector: duckdb_v2_vector_handle, cell: *mut duckdb_v2_bytes, text: &str) {
    let mut err = ErrorInfo::new();
    let len = text.len();
    // SAFETY: the arena is borrowed from the vector and lives as long as it
    // (duckdb_v2_vector_get_arena, v2/capi_v2_vector.cpp); unused inline bytes are zeroed, as
    // DuckDB compares the inline part bytewise.
    unsafe {
        let mut bytes: duckdb_v2_bytes = std::mem::zeroed();
        if len <= DUCKDB_V2_BYTES_INLINE_LENGTH as usize {
            bytes.value.inlined.length = len as u32;
            ptr::copy_nonoverlapping(
                text.as_ptr(),
                bytes.value.inlined.inlined.as_mut_ptr().cast(),
                len,
            );
        } else {
            let mut arena = ptr::null_mut();
            let mut memory = ptr::null_mut();
            ok(
                duckdb_v2_vector_get_arena(vector, &mut arena, err.slot()),
                &err,
            );
            ok(
                duckdb_v2_arena_allocate(arena, len as idx_t, &mut memory, err.slot()),
                &err,
            );
            ptr::copy_nonoverlapping(text.as_ptr(), memory, len);
            bytes.value.pointer.length = len as u32;
            ptr::copy_nonoverlapping(
                text.as_ptr(),
                bytes.value.pointer.prefix.as_mut_ptr().cast(),
                4,
            );
            bytes.value.pointer.ptr = memory.cast();
        }
        cell.write(bytes);
    }
}

#[test]
fn column_data_collection_append_scan_and_query() {
    let s = Session::open();
    let factory = s.factory();
    let text = |i: usize| {
        if i % 2 == 0 {
            format!("n{i}")
        } else {
            format!("a longer string for row {i}")
        }
    };
    let (chunks, per_chunk) = (3usize, 1000usize);
    let mut err = ErrorInfo::new();
    // SAFETY: every handle below is owned here and destroyed once: the types after the chunk and
    // the collection copied them, the chunk after the appends copied it
    // (duckdb_v2_column_data_collection_append, v2/capi_v2_column_data_collection.cpp), the scan
    // states and the scan chunk before the collection, and the collection before the session.
    // Vectors and arenas are borrowed from the chunk they belong to.
    unsafe {
        let mut types = [
            logical_type(
                factory,
                DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_BIGINT,
            ),
            logical_type(
                factory,
                DUCKDB_V2_LOGICAL_TYPE_ID_DUCKDB_V2_LOGICAL_TYPE_ID_VARCHAR,
            ),
        ];
        let mut collection = ptr::null_mut();
        ok(
            duckdb_v2_column_data_collection_create(
                factory,
                types.as_ptr(),
                2,
                &mut collection,
                err.slot(),
            ),
            &err,
        );
        let mut chunk = ptr::null_mut();
        ok(
            duckdb_v2_data_chunk_create(factory, types.as_ptr(), 2, &mut chunk, err.slot()),
            &err,
        );
        let mut scan_chunk = ptr::null_mut();
        ok(
            duckdb_v2_data_chunk_create(factory, types.as_ptr(), 2, &mut scan_chunk, err.slot()),
            &err,
        );
        for ty in &mut types {
            duckdb_v2_logical_type_destroy(ty);
        }

        // Append: fill the chunk, append (a copy), clear, refill.
        let mut append = ptr::null_mut();
        ok(
            duckdb_v2_column_data_collection_append_state_create(
                collection,
                &mut append,
                err.slot(),
            ),
            &err,
        );
        for c in 0..chunks {
            ok(duckdb_v2_data_chunk_clear(chunk, err.slot()), &err);
            let (numbers, strings) = (vector(chunk, 0), vector(chunk, 1));
            ok(
                duckdb_v2_vector_set_size(numbers, per_chunk as idx_t, err.slot()),
                &err,
            );
            ok(
                duckdb_v2_vector_set_size(strings, per_chunk as idx_t, err.slot()),
                &err,
            );
            let (mut n, mut t) = (ptr::null_mut(), ptr::null_mut());
            ok(
                duckdb_v2_vector_get_data_mutable(numbers, &mut n, err.slot()),
                &err,
            );
            ok(
                duckdb_v2_vector_get_data_mutable(strings, &mut t, err.slot()),
                &err,
            );
            for row in 0..per_chunk {
                let i = c * per_chunk + row;
                *n.cast::<i64>().add(row) = i as i64;
                write_text(strings, t.cast::<duckdb_v2_bytes>().add(row), &text(i));
            }
            assert_eq!(chunk_size(chunk), per_chunk);
            ok(
                duckdb_v2_column_data_collection_append(collection, append, chunk, err.slot()),
                &err,
            );
        }
        duckdb_v2_column_data_collection_append_state_destroy(&mut append);
        duckdb_v2_data_chunk_destroy(&mut chunk);
        let mut rows = 0;
        ok(
            duckdb_v2_column_data_collection_row_count(collection, &mut rows, err.slot()),
            &err,
        );
        assert_eq!(rows as usize, chunks * per_chunk);

        // Scan back: the scanned chunk's data is valid until the next scan call.
        let mut next = 0usize;
        scan_collection(collection, scan_chunk, |scanned| {
            let n = chunk_size(scanned);
            let numbers = read::<i64>(vector(scanned, 0), n);
            let strings = read::<duckdb_v2_bytes>(vector(scanned, 1), n);
            for (number, string) in numbers.into_iter().zip(strings) {
                assert_eq!(number, Some(next as i64));
                assert_eq!(text_of(string.as_ref().unwrap()), text(next));
                next += 1;
            }
        });
        assert_eq!(next, chunks * per_chunk);
        duckdb_v2_data_chunk_destroy(&mut scan_chunk);

        // SQL reads the collection through a statement it is bound to; the collection stays
        // borrowed while the statement and its result live (duckdb_v2_statement_add_collection).
        let mut statement =
            s.parse("SELECT count(*), sum(n)::BIGINT, sum(length(s))::BIGINT FROM c");
        let name = view("c");
        let names = [view("n"), view("s")];
        ok(
            duckdb_v2_statement_add_collection(
                statement,
                &name,
                collection,
                names.as_ptr(),
                2,
                err.slot(),
            ),
            &err,
        );
        let mut result = ptr::null_mut();
        ok(
            duckdb_v2_statement_execute(
                s.conn,
                statement,
                ptr::null(),
                ptr::null(),
                0,
                &mut result,
                err.slot(),
            ),
            &err,
        );
        let total = (chunks * per_chunk) as i64;
        let text_bytes: i64 = (0..chunks * per_chunk).map(|i| text(i).len() as i64).sum();
        let mut seen = false;
        for_each_chunk(result, |chunk| {
            assert_eq!(read::<i64>(vector(chunk, 0), 1), [Some(total)]);
            assert_eq!(
                read::<i64>(vector(chunk, 1), 1),
                [Some(total * (total - 1) / 2)]
            );
            assert_eq!(read::<i64>(vector(chunk, 2), 1), [Some(text_bytes)]);
            seen = true;
        });
        assert!(seen);
        duckdb_v2_sql_statement_destroy(&mut statement);

        duckdb_v2_column_data_collection_destroy(&mut collection);
        assert!(collection.is_null());
    }
}
