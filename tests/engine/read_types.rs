//! Reading every column type through the safe layer, on the real engine: zero-copy slices,
//! validity, strings, nested vectors, `Datum`, rows, and the errors for misuse. Every test
//! ends with no live handle (`common::ledger_guard`).

use crate::common;

use duckdb_ffi::safe::types::{
    Date, Datum, Decimal, FromSql, Interval, LogicalType, Time, TimeTz, Timestamp, TimestampMs,
    TimestampNs, TimestampS, TypeId, Uuid,
};
use duckdb_ffi::safe::{Connection, DataChunk, Database, EngineError, ErrorKind, Primitive};
use std::fmt::Debug;

fn connect() -> Connection {
    Database::open_in_memory().unwrap().connect().unwrap()
}

/// Runs `sql` and returns its only chunk (asserting there is exactly one).
fn single_chunk(conn: &Connection, sql: &str) -> DataChunk {
    let mut result = conn.query(sql).unwrap();
    let chunk = result.next_chunk().unwrap().expect("one chunk");
    assert!(
        result.next_chunk().unwrap().is_none(),
        "more than one chunk for {sql}"
    );
    chunk
}

/// Five rows of `expr` cast to `ty`, with NULL in the first, middle and last rows and the
/// value at rows 1 and 3 (`i` is the row number).
fn nulls_around(ty: &str, expr: &str) -> String {
    format!(
        "SELECT CASE WHEN i IN (0, 2, 4) THEN NULL ELSE ({expr})::{ty} END AS v FROM range(5) t(i) ORDER BY i"
    )
}

const NULL_PATTERN: [bool; 5] = [false, true, false, true, false];

/// Checks one fixed-width type through every read path: slice, values, rows and Datum.
fn check_fixed<T>(conn: &Connection, ty: &str, expr: &str, expected: [T; 2])
where
    T: Primitive + for<'a> FromSql<'a> + PartialEq + Debug,
{
    let chunk = single_chunk(conn, &nulls_around(ty, expr));
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.len(), 5);
    let validity = v.validity();
    assert_eq!(
        (0..5).map(|r| validity.is_valid(r)).collect::<Vec<_>>(),
        NULL_PATTERN,
        "{ty}"
    );
    assert_eq!(validity.null_count(), 3);
    assert!(!validity.is_valid(5), "rows past the end are not valid");

    // Zero copy where the layout allows it (i128 needs 16-byte alignment: else a clear error).
    match v.as_slice::<T>() {
        Ok(slice) => {
            assert_eq!(slice.len(), 5);
            assert_eq!([slice[1], slice[3]], expected, "{ty} slice");
        }
        // Not 16-byte aligned (i128), or bytes that are no valid bool under NULL rows.
        Err(e) => assert!(
            e.kind() == ErrorKind::Misuse
                || e.kind() == ErrorKind::TypeMismatch && e.message().contains("not a valid"),
            "{ty}: {e}"
        ),
    }
    let values = v.values::<T>().unwrap();
    let all: Vec<Option<T>> = values.iter().collect();
    assert_eq!(
        all,
        vec![None, Some(expected[0]), None, Some(expected[1]), None],
        "{ty} values"
    );
    assert_eq!(values.get(5).unwrap_err().kind(), ErrorKind::OutOfRange);

    // Rows: Option<T> sees the NULLs, T alone refuses them.
    let mut result = conn.query(&nulls_around(ty, expr)).unwrap();
    let got: Vec<Option<T>> = result.rows().map(|row| row.get(0)).unwrap();
    assert_eq!(
        got,
        vec![None, Some(expected[0]), None, Some(expected[1]), None]
    );
    let mut result = conn.query(&nulls_around(ty, expr)).unwrap();
    let mut rows = result.rows();
    let first = rows.next().unwrap().unwrap();
    let err = first.get::<T>(0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert!(err.message().contains("NULL"), "{err}");
    drop(rows);
    drop(result);

    // Datum agrees with the engine's own text rendering of the value.
    let datums = v.datums().unwrap();
    assert_eq!(datums[0], Datum::Null);
    assert_eq!(datums[4], Datum::Null);
    let text = single_chunk(
        conn,
        &format!("SELECT ({expr})::{ty}::VARCHAR FROM range(1, 4, 2) t(i) ORDER BY i"),
    );
    let texts: Vec<&str> = text
        .vector(0)
        .unwrap()
        .strings()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().unwrap())
        .collect();
    assert_eq!(
        [datums[1].to_string(), datums[3].to_string()],
        [texts[0], texts[1]],
        "{ty} Display"
    );
}

#[test]
fn integers_and_floats_read_as_slices_values_rows_and_datums() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    check_fixed::<i8>(&conn, "TINYINT", "(i % 4) * -40", [-40, -120]);
    check_fixed::<i16>(&conn, "SMALLINT", "(i % 4) * -10000", [-10000, -30000]);
    check_fixed::<i32>(
        &conn,
        "INTEGER",
        "(i % 4) * 1000000000 - 2000000000",
        [-1_000_000_000, 1_000_000_000],
    );
    check_fixed::<i64>(
        &conn,
        "BIGINT",
        "((i % 4) - 2) * 4000000000000000000",
        [-4_000_000_000_000_000_000, 4_000_000_000_000_000_000],
    );
    check_fixed::<u8>(&conn, "UTINYINT", "(i % 4) * 80", [80, 240]);
    check_fixed::<u16>(&conn, "USMALLINT", "(i % 4) * 20000", [20000, 60000]);
    check_fixed::<u32>(
        &conn,
        "UINTEGER",
        "(i % 4) * 1000000000",
        [1_000_000_000, 3_000_000_000],
    );
    check_fixed::<u64>(
        &conn,
        "UBIGINT",
        "(i % 4)::UBIGINT * 6000000000000000000",
        [6_000_000_000_000_000_000, 18_000_000_000_000_000_000],
    );
    check_fixed::<i128>(
        &conn,
        "HUGEINT",
        "((i - 2) % 2)::HUGEINT * 170141183460469231731687303715884105727",
        [-i128::MAX, i128::MAX],
    );
    check_fixed::<u128>(
        &conn,
        "UHUGEINT",
        "(i // 2)::UHUGEINT * 340282366920938463463374607431768211454",
        [0, u128::MAX - 1],
    );
    check_fixed::<f32>(&conn, "FLOAT", "i * 0.5", [0.5, 1.5]);
    check_fixed::<f64>(&conn, "DOUBLE", "i * -0.25", [-0.25, -0.75]);
}

#[test]
fn booleans_never_become_invalid_rust_bools() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    check_fixed::<bool>(&conn, "BOOLEAN", "i = 1", [true, false]);
    let chunk = single_chunk(&conn, &nulls_around("BOOLEAN", "i = 1"));
    let bytes = chunk.vector(0).unwrap().bool_bytes().unwrap();
    assert_eq!((bytes[1] != 0, bytes[3] != 0), (true, false));
    // Without NULLs every byte is 0 or 1, and a real &[bool] is handed out.
    let chunk = single_chunk(&conn, "SELECT i % 3 = 0 FROM range(5) t(i) ORDER BY i");
    assert_eq!(
        chunk.vector(0).unwrap().as_slice::<bool>().unwrap(),
        [true, false, false, true, false]
    );
    assert_eq!(
        chunk
            .vector(0)
            .unwrap()
            .as_slice::<u8>()
            .unwrap_err()
            .kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn dates_times_timestamps_and_intervals_have_documented_units() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    // 2024-02-29 is 19 782 days after 1970-01-01; 1969-12-31 is day -1.
    check_fixed::<Date>(
        &conn,
        "DATE",
        "DATE '2024-02-29' - CAST((i // 2) * 19783 AS INTEGER)",
        [Date { days: 19_782 }, Date { days: -1 }],
    );
    check_fixed::<Time>(
        &conn,
        "TIME",
        "TIME '01:02:03.5' + INTERVAL 1 HOUR * ((i // 2) * 22)",
        [
            Time {
                micros: 3_723_500_000,
            },
            Time {
                micros: 3_723_500_000 + 2 * 11 * 3_600_000_000,
            },
        ],
    );
    let ts = "TIMESTAMP '2001-09-09 01:46:40.123456' + INTERVAL 1 DAY * (i // 2 * 2)";
    check_fixed::<Timestamp>(
        &conn,
        "TIMESTAMP",
        ts,
        [
            Timestamp {
                micros: 1_000_000_000_123_456,
            },
            Timestamp {
                micros: 1_000_000_000_123_456 + 2 * 86_400_000_000,
            },
        ],
    );
    check_fixed::<TimestampS>(
        &conn,
        "TIMESTAMP_S",
        ts,
        [
            TimestampS {
                seconds: 1_000_000_000,
            },
            TimestampS {
                seconds: 1_000_172_800,
            },
        ],
    );
    check_fixed::<TimestampMs>(
        &conn,
        "TIMESTAMP_MS",
        ts,
        [
            TimestampMs {
                millis: 1_000_000_000_123,
            },
            TimestampMs {
                millis: 1_000_172_800_123,
            },
        ],
    );
    check_fixed::<TimestampNs>(
        &conn,
        "TIMESTAMP_NS",
        ts,
        [
            TimestampNs {
                nanos: 1_000_000_000_123_456_000,
            },
            TimestampNs {
                nanos: 1_000_172_800_123_456_000,
            },
        ],
    );
    check_fixed::<Interval>(
        &conn,
        "INTERVAL",
        "INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL 1 SECOND * i",
        [
            Interval {
                months: 14,
                days: 3,
                micros: 1_000_000,
            },
            Interval {
                months: 14,
                days: 3,
                micros: 3_000_000,
            },
        ],
    );
    check_fixed::<TimeTz>(
        &conn,
        "TIMETZ",
        "TIMETZ '10:00:00+02:30' + INTERVAL 1 HOUR * (i // 2 * 2)",
        [
            TimeTz::new(36_000_000_000, 9000).unwrap(),
            TimeTz::new(43_200_000_000, 9000).unwrap(),
        ],
    );
}

#[test]
fn timestamp_with_time_zone_and_time_ns_are_instants_in_their_units() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let chunk = single_chunk(
        &conn,
        "SELECT epoch_us(TIMESTAMP '2001-09-09 01:46:40')::BIGINT, TIMESTAMP '2001-09-09 01:46:40'::TIMESTAMPTZ, \
         TIME_NS '00:00:01.000000007'",
    );
    let expected = chunk.vector(0).unwrap().as_slice::<i64>().unwrap()[0];
    let tz = chunk.vector(1).unwrap();
    assert_eq!(tz.type_id(), TypeId::TimestampTz);
    assert_eq!(
        tz.as_slice::<duckdb_ffi::safe::types::TimestampTz>()
            .unwrap()[0]
            .micros,
        expected
    );
    assert_eq!(expected, 1_000_000_000_000_000);
    let ns = chunk.vector(2).unwrap();
    assert_eq!(
        ns.as_slice::<duckdb_ffi::safe::types::TimeNs>().unwrap()[0].nanos,
        1_000_000_007
    );
    assert_eq!(ns.datum(0).unwrap().to_string(), "00:00:01.000000007");
}

#[test]
fn strings_at_the_inlining_boundary_point_into_the_chunk() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let sql = "SELECT v FROM (VALUES (0, NULL), (1, ''), (2, 'abcdefghijkl'), (3, NULL), (4, 'abcdefghijklm'), \
               (5, 'héllo wörld ✓ ünïcode'), (6, NULL)) t(i, v) ORDER BY i";
    let chunk = single_chunk(&conn, sql);
    let strings = chunk.vector(0).unwrap().strings().unwrap();
    let got: Vec<Option<&str>> = strings.iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        got,
        [
            None,
            Some(""),
            Some("abcdefghijkl"),
            None,
            Some("abcdefghijklm"),
            Some("héllo wörld ✓ ünïcode"),
            None
        ]
    );
    assert_eq!(got[2].unwrap().len(), 12);
    assert_eq!(got[4].unwrap().len(), 13);
    // Inlined strings live inside the vector's 16-byte slots, so the &str points into them.
    let data = duckdb_ffi::safe::Vector::as_raw(&chunk.vector(0).unwrap());
    // SAFETY: the vector is live; its data pointer is borrowed.
    let base = unsafe { duckdb_ffi::duckdb_vector_get_data(data) } as usize;
    let inlined = got[2].unwrap().as_ptr() as usize;
    assert!(
        (base..base + 7 * 16).contains(&inlined),
        "inlined string not read in place"
    );
    assert_eq!(strings.get(7).unwrap_err().kind(), ErrorKind::OutOfRange);

    let mut result = conn.query(sql).unwrap();
    let texts: Vec<Option<String>> = result.rows().map(|r| r.get(0)).unwrap();
    assert_eq!(texts[4].as_deref(), Some("abcdefghijklm"));
    assert_eq!(texts[6], None);

    // Borrowed reads: &str and &[u8] point into the chunk, no copy.
    let mut result = conn.query(sql).unwrap();
    let mut rows = result.rows();
    let mut lengths = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        let text: Option<&str> = row.get(0).unwrap();
        let bytes: Option<&[u8]> = row.get(0).unwrap();
        assert_eq!(text.map(str::as_bytes), bytes);
        lengths.push(text.map(str::len));
    }
    assert_eq!(
        lengths,
        [
            None,
            Some(0),
            Some(12),
            None,
            Some(13),
            Some("héllo wörld ✓ ünïcode".len()),
            None
        ]
    );
}

#[test]
fn invalid_utf8_in_a_varchar_vector_is_an_error_not_a_str() {
    let _ledger = common::ledger_guard();
    let ty = LogicalType::new(TypeId::Varchar).unwrap();
    let mut raw_ty = ty.as_raw();
    // SAFETY: creating a chunk of one VARCHAR column (owned, handed to DataChunk), writing one
    // string with the unchecked assign so the bytes stay invalid UTF-8, setting the size.
    let chunk = unsafe {
        let raw = duckdb_ffi::duckdb_create_data_chunk(&mut raw_ty, 1);
        assert!(!raw.is_null());
        let chunk = DataChunk::from_raw(raw);
        let v = duckdb_ffi::duckdb_data_chunk_get_vector(raw, 0);
        let bad = b"ok\xff\xfe then more than twelve bytes";
        duckdb_ffi::duckdb_unsafe_vector_assign_string_element_len(
            v,
            0,
            bad.as_ptr().cast(),
            bad.len() as u64,
        );
        duckdb_ffi::duckdb_data_chunk_set_size(raw, 1);
        chunk
    };
    let v = chunk.vector(0).unwrap();
    let err = v.strings().unwrap().get(0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidUtf8);
    assert_eq!(v.datum(0).unwrap_err().kind(), ErrorKind::InvalidUtf8);
    // The bytes are still reachable as bytes.
    assert_eq!(
        &v.blobs().unwrap().get(0).unwrap().unwrap()[..4],
        b"ok\xff\xfe"
    );
}

#[test]
fn blobs_and_bits_read_in_place() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let chunk = single_chunk(
        &conn,
        "SELECT b, bits FROM (VALUES (0, NULL, NULL), (1, '\\xAA\\x00\\xFF'::BLOB, '10110'::BIT), \
         (2, NULL, NULL), (3, 'thirteen byte'::BLOB, '1111000011110000101'::BIT), (4, NULL, NULL)) t(i, b, bits) ORDER BY i",
    );
    let blobs = chunk.vector(0).unwrap().blobs().unwrap();
    let got: Vec<Option<&[u8]>> = blobs.iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        got,
        [
            None,
            Some(&[0xAA, 0x00, 0xFF][..]),
            None,
            Some(&b"thirteen byte"[..]),
            None
        ]
    );
    let bits = chunk.vector(1).unwrap().bits().unwrap();
    let b1 = bits.get(1).unwrap().unwrap();
    assert_eq!(b1.len(), 5);
    assert_eq!(
        b1.iter().collect::<Vec<_>>(),
        [true, false, true, true, false]
    );
    assert_eq!(b1.get(5), None);
    assert!(bits.get(0).unwrap().is_none());
    let v = chunk.vector(1).unwrap();
    assert_eq!(v.datum(3).unwrap().to_string(), "1111000011110000101");
    assert_eq!(
        chunk.vector(0).unwrap().datum(1).unwrap().to_string(),
        "\\xAA\\x00\\xFF"
    );
    let mut result = conn.query("SELECT 'abc'::BLOB").unwrap();
    let blob: Vec<u8> = result.rows().map(|r| r.get(0)).unwrap().remove(0);
    assert_eq!(blob, b"abc");
}

#[test]
fn decimals_use_the_storage_width_of_their_type() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let chunk = single_chunk(
        &conn,
        "SELECT -12.3::DECIMAL(4,1), 1234567.89::DECIMAL(9,2), -123456789012345.678::DECIMAL(18,3), \
         12345678901234567890123456789.123456789::DECIMAL(38,9), NULL::DECIMAL(4,1)",
    );
    let storage = [
        TypeId::SmallInt,
        TypeId::Integer,
        TypeId::BigInt,
        TypeId::HugeInt,
    ];
    for (col, want) in storage.iter().enumerate() {
        assert_eq!(
            chunk
                .vector(col)
                .unwrap()
                .logical_type()
                .decimal_internal_type()
                .unwrap(),
            *want
        );
    }
    assert_eq!(chunk.vector(0).unwrap().as_slice::<i16>().unwrap(), [-123]);
    assert_eq!(
        chunk.vector(1).unwrap().as_slice::<i32>().unwrap(),
        [123456789]
    );
    assert_eq!(
        chunk.vector(2).unwrap().as_slice::<i64>().unwrap(),
        [-123456789012345678]
    );
    assert_eq!(
        chunk
            .vector(3)
            .unwrap()
            .values::<i128>()
            .unwrap()
            .get(0)
            .unwrap(),
        Some(12345678901234567890123456789123456789)
    );
    let err = chunk.vector(0).unwrap().as_slice::<i32>().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert!(
        err.message().contains("DECIMAL(4,1)") && err.message().contains("i32"),
        "{err}"
    );

    let mut result = conn
        .query("SELECT -12.3::DECIMAL(4,1), 12345678901234567890123456789.123456789::DECIMAL(38,9), NULL::DECIMAL(4,1)")
        .unwrap();
    let mut rows = result.rows();
    let row = rows.next().unwrap().unwrap();
    let d: Decimal = row.get(0).unwrap();
    assert_eq!(
        d,
        Decimal {
            value: -123,
            width: 4,
            scale: 1
        }
    );
    assert!((d.to_f64() + 12.3).abs() < 1e-12);
    assert_eq!(
        row.get::<Decimal>(1).unwrap().to_string(),
        "12345678901234567890123456789.123456789"
    );
    assert_eq!(row.get::<Option<Decimal>>(2).unwrap(), None);
}

#[test]
fn uuids_undo_the_flipped_top_bit() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let text = [
        "00000000-0000-0000-0000-000000000000",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ];
    let sql = format!(
        "SELECT u::UUID FROM (VALUES (0, NULL), (1, '{}'), (2, '{}'), (3, NULL), (4, '{}')) t(i, u) ORDER BY i",
        text[0], text[1], text[2]
    );
    let mut result = conn.query(&sql).unwrap();
    let got: Vec<Option<Uuid>> = result.rows().map(|r| r.get(0)).unwrap();
    assert_eq!(got[0], None);
    assert_eq!(got[1], Some(Uuid(0)));
    assert_eq!(
        got[2],
        Some(Uuid(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11))
    );
    assert_eq!(got[4], Some(Uuid(u128::MAX)));
    assert_eq!(got[2].unwrap().to_string(), text[1]);
    assert_eq!(got[2].unwrap().as_bytes()[0], 0xa0);
    // The raw storage is a HUGEINT with the top bit flipped: not readable as u128 by accident.
    let chunk = single_chunk(&conn, &sql);
    assert_eq!(
        chunk
            .vector(0)
            .unwrap()
            .as_slice::<u128>()
            .unwrap_err()
            .kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn enums_read_as_indexes_or_dictionary_entries() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    conn.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
        .unwrap();
    let sql = "SELECT m::mood FROM (VALUES (0, NULL), (1, 'happy'), (2, NULL), (3, 'sad'), (4, NULL)) t(i, m) ORDER BY i";
    let chunk = single_chunk(&conn, sql);
    let v = chunk.vector(0).unwrap();
    let ty = v.logical_type();
    assert_eq!(ty.id(), TypeId::Enum);
    assert_eq!(ty.enum_dictionary().unwrap(), ["sad", "ok", "happy"]);
    assert_eq!(ty.enum_internal_type().unwrap(), TypeId::UTinyInt);
    assert_eq!(
        ty.enum_dictionary_value(3).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let idx = v.as_slice::<u8>().unwrap();
    assert_eq!([idx[1], idx[3]], [2, 0]);
    assert_eq!(v.datum(1).unwrap(), Datum::Enum("happy".into()));
    let mut result = conn.query(sql).unwrap();
    let got: Vec<Option<String>> = result.rows().map(|r| r.get(0)).unwrap();
    assert_eq!(
        got,
        [None, Some("happy".into()), None, Some("sad".into()), None]
    );
}

fn list(items: Vec<Datum>) -> Datum {
    Datum::List(items)
}

#[test]
fn nested_types_recurse_into_child_vectors() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let chunk = single_chunk(
        &conn,
        "SELECT * FROM (VALUES \
           (0, NULL, NULL, NULL, NULL, NULL), \
           (1, [{'a': 1, 'b': 'x'}, NULL, {'a': NULL, 'b': 'thirteen char'}], MAP {'k1': 10, 'k2': NULL}, \
               [1, NULL, 3]::INTEGER[3], union_value(num := 7)::UNION(num INTEGER, str VARCHAR), [[1, 2], NULL, []]), \
           (2, [], MAP {}, NULL, union_value(str := 'hey')::UNION(num INTEGER, str VARCHAR), [NULL]), \
           (3, NULL, NULL, [4, 5, 6]::INTEGER[3], NULL, NULL) \
         ) t(i, los, m, arr, u, lol) ORDER BY i",
    );
    let los = chunk.vector(1).unwrap();
    let expected_los = list(vec![
        Datum::Struct(vec![
            ("a".into(), Datum::Integer(1)),
            ("b".into(), Datum::Varchar("x".into())),
        ]),
        Datum::Null,
        Datum::Struct(vec![
            ("a".into(), Datum::Null),
            ("b".into(), Datum::Varchar("thirteen char".into())),
        ]),
    ]);
    assert_eq!(los.datum(0).unwrap(), Datum::Null);
    assert_eq!(los.datum(1).unwrap(), expected_los);
    assert_eq!(los.datum(2).unwrap(), list(vec![]));
    // The same through the vectors: list ranges into a struct child whose fields are vectors.
    let l = los.list().unwrap();
    assert_eq!(l.range(0).unwrap(), None);
    let r = l.range(1).unwrap().unwrap();
    assert_eq!(r.len(), 3);
    let structs = l.child();
    assert_eq!(structs.struct_child_count().unwrap(), 2);
    let b = structs.struct_child(1).unwrap().strings().unwrap();
    assert_eq!(b.get(r.start + 2).unwrap(), Some("thirteen char"));
    assert_eq!(
        structs.struct_child(2).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );

    let m = chunk.vector(2).unwrap();
    assert_eq!(
        m.datum(1).unwrap(),
        Datum::Map(vec![
            (Datum::Varchar("k1".into()), Datum::Integer(10)),
            (Datum::Varchar("k2".into()), Datum::Null)
        ])
    );
    assert_eq!(m.datum(2).unwrap(), Datum::Map(vec![]));
    let mv = m.map().unwrap();
    let keys = mv.keys().unwrap().strings().unwrap();
    let range = mv.range(1).unwrap().unwrap();
    assert_eq!(keys.get(range.start).unwrap(), Some("k1"));

    let arr = chunk.vector(3).unwrap();
    assert_eq!(
        arr.datum(1).unwrap(),
        Datum::Array(vec![Datum::Integer(1), Datum::Null, Datum::Integer(3)])
    );
    assert_eq!(arr.datum(2).unwrap(), Datum::Null);
    let av = arr.array().unwrap();
    assert_eq!(av.size(), 3);
    let elems = av.child().as_slice::<i32>().unwrap();
    let r3 = av.range(3).unwrap().unwrap();
    assert_eq!(&elems[r3], &[4, 5, 6]);

    let u = chunk.vector(4).unwrap();
    assert_eq!(
        u.datum(1).unwrap(),
        Datum::Union {
            tag: 0,
            name: "num".into(),
            value: Box::new(Datum::Integer(7))
        }
    );
    assert_eq!(
        u.datum(2).unwrap(),
        Datum::Union {
            tag: 1,
            name: "str".into(),
            value: Box::new(Datum::Varchar("hey".into()))
        }
    );
    assert_eq!(u.union_tag(2).unwrap(), 1);
    assert_eq!(
        u.union_member(1)
            .unwrap()
            .strings()
            .unwrap()
            .get(2)
            .unwrap(),
        Some("hey")
    );
    assert_eq!(u.union_member(2).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(u.datum(3).unwrap(), Datum::Null);

    let lol = chunk.vector(5).unwrap();
    assert_eq!(
        lol.datum(1).unwrap(),
        list(vec![
            list(vec![Datum::Integer(1), Datum::Integer(2)]),
            Datum::Null,
            list(vec![])
        ])
    );
    assert_eq!(lol.datum(2).unwrap(), list(vec![Datum::Null]));
    assert_eq!(lol.datum(1).unwrap().to_string(), "[[1, 2], NULL, []]");

    // Asking a nested column for the wrong shape is a type error naming the type.
    let err = los.array().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert!(
        err.message().contains("STRUCT(a INTEGER, b VARCHAR)[]"),
        "{err}"
    );
    assert_eq!(arr.list().unwrap_err().kind(), ErrorKind::TypeMismatch);
    assert_eq!(
        los.struct_child(0).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn logical_types_report_their_parameters() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    conn.execute("CREATE TYPE id_t AS BIGINT").unwrap();
    let result = conn
        .query(
            "SELECT 1::id_t, 1.5::DECIMAL(10,3), ['a'], [1,2]::INTEGER[2], MAP {1: 'x'}, {'p': 1, 'q': [true]}, \
             union_value(t := 1)::UNION(t TINYINT, s VARCHAR), 1",
        )
        .unwrap();
    let ty = |c| result.column_type(c).unwrap();
    // Result columns drop user type names; a type given an alias reports it.
    let aliased = LogicalType::new(TypeId::BigInt).unwrap();
    // SAFETY: live type; the alias string is copied by DuckDB.
    unsafe { duckdb_ffi::duckdb_logical_type_set_alias(aliased.as_raw(), c"id_t".as_ptr()) };
    assert_eq!(aliased.alias().unwrap().as_deref(), Some("id_t"));
    assert_eq!(ty(0).id(), TypeId::BigInt);
    assert_eq!(ty(7).alias().unwrap(), None);
    assert_eq!(
        (
            ty(1).decimal_width().unwrap(),
            ty(1).decimal_scale().unwrap()
        ),
        (10, 3)
    );
    assert_eq!(ty(1).decimal_internal_type().unwrap(), TypeId::BigInt);
    assert_eq!(ty(2).list_child_type().unwrap().id(), TypeId::Varchar);
    assert_eq!(
        (
            ty(3).array_size().unwrap(),
            ty(3).array_child_type().unwrap().id()
        ),
        (2, TypeId::Integer)
    );
    assert_eq!(
        (
            ty(4).map_key_type().unwrap().id(),
            ty(4).map_value_type().unwrap().id()
        ),
        (TypeId::Integer, TypeId::Varchar)
    );
    assert_eq!(
        ty(4)
            .list_child_type()
            .unwrap()
            .struct_child_names()
            .unwrap(),
        ["key", "value"]
    );
    assert_eq!(ty(5).struct_child_names().unwrap(), ["p", "q"]);
    assert_eq!(ty(5).struct_child_type(1).unwrap().to_string(), "BOOLEAN[]");
    assert_eq!(
        ty(5).struct_child_name(2).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(ty(6).union_member_count().unwrap(), 2);
    assert_eq!(ty(6).union_member_names().unwrap(), ["t", "s"]);
    assert_eq!(ty(6).union_member_type(0).unwrap().id(), TypeId::TinyInt);
    assert_eq!(
        ty(6).union_member_type(2).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    for (c, text) in [
        (1, "DECIMAL(10,3)"),
        (2, "VARCHAR[]"),
        (3, "INTEGER[2]"),
        (4, "MAP(INTEGER, VARCHAR)"),
        (5, "STRUCT(p INTEGER, q BOOLEAN[])"),
        (6, "UNION(t TINYINT, s VARCHAR)"),
    ] {
        assert_eq!(ty(c).to_string(), text);
    }
    // Parameters a type does not have are type errors.
    assert_eq!(
        ty(7).decimal_width().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(
        ty(2).array_size().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(
        ty(5).union_member_count().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert!(LogicalType::new(TypeId::Decimal).is_err());
}

#[test]
fn empty_results_have_no_rows() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let mut result = conn.query("SELECT 1::INTEGER AS x WHERE false").unwrap();
    let mut rows = result.rows();
    assert!(rows.next().unwrap().is_none());
    assert!(rows.next().unwrap().is_none(), "stays at the end");
    drop(rows);
    let mut result = conn.query("SELECT range FROM range(0)").unwrap();
    let mut total = 0;
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        total += chunk.vector(0).unwrap().as_slice::<i64>().unwrap().len();
    }
    assert_eq!(total, 0);
    let err = conn
        .query_row("SELECT 1 WHERE false", (), |r| r.get::<i32>(0))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
}

#[test]
fn many_chunks_stream_through_slices_and_rows() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let n: i64 = 25_000;
    let sql = format!(
        "SELECT range AS v, CASE WHEN range % 7 = 0 THEN NULL ELSE range::VARCHAR END AS s FROM range({n}) ORDER BY range"
    );
    let mut result = conn.query(&sql).unwrap();
    let (mut chunks, mut sum, mut nulls, mut next) = (0, 0i64, 0, 0i64);
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        chunks += 1;
        assert!(chunk.len() <= 2048);
        let v = chunk.vector(0).unwrap().as_slice::<i64>().unwrap();
        let s = chunk.vector(1).unwrap().strings().unwrap();
        let validity = chunk.vector(1).unwrap().validity();
        let multiples_of_7 = v.iter().filter(|&&x| x % 7 == 0).count();
        assert_eq!(validity.null_count(), multiples_of_7);
        assert_eq!(
            validity.words().map(<[u64]>::len),
            Some(v.len().div_ceil(64))
        );
        for (i, &x) in v.iter().enumerate() {
            assert_eq!(x, next, "rows arrive in order");
            next += 1;
            sum += x;
            match s.get(i).unwrap() {
                None => {
                    assert_eq!(x % 7, 0);
                    nulls += 1;
                }
                Some(text) => assert_eq!(text.parse::<i64>().unwrap(), x),
            }
        }
    }
    assert!(chunks >= 10, "only {chunks} chunks");
    assert_eq!(sum, n * (n - 1) / 2);
    assert_eq!(nulls, (n + 6) / 7);

    let mut result = conn.query(&sql).unwrap();
    let mut rows = result.rows();
    let mut count = 0i64;
    while let Some(row) = rows.next().unwrap() {
        assert_eq!(row.get::<i64>("v").unwrap(), count);
        count += 1;
    }
    assert_eq!(count, n);
}

#[test]
fn wrong_type_requests_name_both_types() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let chunk = single_chunk(
        &conn,
        "SELECT 42::INTEGER AS i, 'text' AS s, 300::SMALLINT AS big, NULL::INTEGER AS n",
    );
    let i = chunk.vector(0).unwrap();
    for err in [
        i.as_slice::<f64>().unwrap_err(),
        i.as_slice::<i64>().unwrap_err(),
        i.values::<u32>().unwrap_err(),
        i.strings().unwrap_err(),
        i.list().unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::TypeMismatch, "{err}");
        assert!(err.message().contains("INTEGER"), "{err}");
    }
    let err = chunk.vector(1).unwrap().as_slice::<i32>().unwrap_err();
    assert!(
        err.message().contains("VARCHAR") && err.message().contains("i32"),
        "{err}"
    );

    let mut result = conn
        .query("SELECT 42::INTEGER AS i, 'text' AS s, 300::SMALLINT AS big, NULL::INTEGER AS n")
        .unwrap();
    let mut rows = result.rows();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get::<i64>(0).unwrap(), 42, "integers widen");
    assert_eq!(
        row.get::<u8>(0).unwrap(),
        42,
        "and narrow when the value fits"
    );
    let err = row.get::<u8>("big").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert!(
        err.message().contains("300") && err.message().contains("u8"),
        "{err}"
    );
    let err = row.get::<String>(0).unwrap_err();
    assert!(
        err.message().contains("INTEGER") && err.message().contains("String"),
        "{err}"
    );
    let err = row.get::<i32>("s").unwrap_err();
    assert!(
        err.message().contains("VARCHAR") && err.message().contains("i32"),
        "{err}"
    );
    assert_eq!(
        row.get::<f64>(0).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(
        row.get::<i32>(3).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(row.get::<Option<i32>>(3).unwrap(), None);
    assert_eq!(row.get::<Datum>(3).unwrap(), Datum::Null);
}

#[test]
fn types_the_safe_layer_cannot_read_are_errors_not_garbage() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    // BIGNUM reads (as a Datum, a Bignum, or an integer that fits) but has no slice view.
    let chunk = single_chunk(
        &conn,
        "SELECT 12345678901234567890123456789012345678901234567890::BIGNUM AS b",
    );
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.type_id(), TypeId::Bignum);
    assert_eq!(
        v.datum(0).unwrap().to_string(),
        "12345678901234567890123456789012345678901234567890"
    );
    assert_eq!(
        v.as_slice::<i128>().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    let one: i64 = conn
        .query_row("SELECT 1::BIGNUM", (), |r| r.get(0))
        .unwrap();
    assert_eq!(one, 1);
    // VARIANT reads as the value it holds (tests/engine/variant.rs checks every type).
    let chunk = single_chunk(&conn, "SELECT 1::VARIANT AS v, NULL::VARIANT AS n");
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.type_id(), TypeId::Variant);
    assert_eq!(
        v.datum(0).unwrap(),
        Datum::Variant(Box::new(Datum::Integer(1)))
    );
    assert_eq!(v.datum(0).unwrap().to_string(), "1");
    assert_eq!(chunk.vector(1).unwrap().datum(0).unwrap(), Datum::Null);
    assert_eq!(
        v.as_slice::<i32>().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
}

#[test]
fn out_of_range_columns_and_rows_are_errors() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let chunk = single_chunk(&conn, "SELECT 1::INTEGER AS a, 'x' AS b");
    assert_eq!(chunk.vector(2).unwrap_err().kind(), ErrorKind::OutOfRange);
    let a = chunk.vector(0).unwrap();
    assert_eq!(a.is_null(1).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(a.datum(1).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(
        chunk
            .vector(1)
            .unwrap()
            .strings()
            .unwrap()
            .get(1)
            .unwrap_err()
            .kind(),
        ErrorKind::OutOfRange
    );

    let mut result = conn.query("SELECT 1::INTEGER AS a, 'x' AS b").unwrap();
    assert_eq!(
        result.column_type(2).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let mut rows = result.rows();
    let row = rows.next().unwrap().unwrap();
    assert_eq!(row.get::<i32>(2).unwrap_err().kind(), ErrorKind::OutOfRange);
    let err = row.get::<i32>("nope").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert!(err.message().contains("nope"));
    assert_eq!(row.get::<String>("b").unwrap(), "x");
}

#[test]
fn interior_nul_and_invalid_sql_are_reported() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let err = conn.query("SELECT 1\0; DROP TABLE t").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InteriorNul);
    let err = conn
        .query_row("SELECT ?\0", [1], |r| r.get::<i32>(0))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InteriorNul);
    let err = conn.query("SELEC 1").unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
    let err = conn
        .query_row("SELEC ?", [1], |r| r.get::<i32>(0))
        .unwrap_err();
    assert_eq!(err.engine_error(), Some(EngineError::Parser), "{err}");
}

#[test]
fn query_row_binds_parameters_and_converts_the_first_row() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    let (a, b): (i64, String) = conn
        .query_row("SELECT ? + 1, ? || '!'", (41, "hi"), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!((a, b.as_str()), (42, "hi!"));
    let first: i64 = conn
        .query_row(
            "SELECT range FROM range(10, 20) ORDER BY range",
            (),
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(first, 10);
    let err = conn
        .query_row("SELECT ?", (), |row| row.get::<i32>(0))
        .unwrap_err();
    assert!(
        !err.message().contains("no rows"),
        "a missing parameter is not 'no rows': {err}"
    );
    let err = conn
        .query_row("SELECT 1 WHERE false", (), |row| row.get::<i32>(0))
        .unwrap_err();
    assert!(err.message().contains("no rows"), "{err}");
}

#[test]
fn prepared_query_row_reports_errors_raised_while_streaming() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    // The error is raised while the first chunk is produced, after execution has started:
    // the streaming result must carry it to `query_row`, not look like "no rows".
    let mut stmt = conn
        .prepare(
            "SELECT CASE WHEN range < ? THEN range ELSE error('boom ' || range) END FROM range(10)",
        )
        .unwrap();
    let err = stmt.query_row([3], |row| row.get::<i64>(0)).unwrap_err();
    assert!(err.message().contains("boom 3"), "{err}");
    // The same statement still runs, with a bound value that avoids the error.
    assert_eq!(stmt.query_row([100], |row| row.get::<i64>(0)).unwrap(), 0);
    // Rows after the first are ignored, never an error.
    let mut many = conn.prepare("SELECT range FROM range(?)").unwrap();
    assert_eq!(
        many.query_row([1_000_000], |row| row.get::<i64>(0))
            .unwrap(),
        0
    );
    let err = many.query_row([0], |row| row.get::<i64>(0)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange, "{err}");
}

#[test]
fn query_row_on_a_writing_statement_commits_all_of_it() {
    let _ledger = common::ledger_guard();
    let conn = connect();
    conn.execute("CREATE TABLE w(x BIGINT)").unwrap();
    // The streamed result is dropped after its first chunk: the statement's work must still
    // be complete and committed (autocommit), not cut short with the stream.
    let first: i64 = conn
        .query_row(
            "INSERT INTO w SELECT range FROM range(?) RETURNING x",
            [100_000],
            |row| row.get(0),
        )
        .unwrap();
    assert!((0..100_000).contains(&first));
    let mut update = conn
        .prepare("UPDATE w SET x = x + 1 WHERE x % 2 = 0 RETURNING x")
        .unwrap();
    update.query_row((), |row| row.get::<i64>(0)).unwrap();
    let (count, sum): (i64, i64) = conn
        .query_row("SELECT count(*), sum(x)::BIGINT FROM w", (), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    // 0..100 000 summed, plus one for each of the 50 000 even values.
    assert_eq!((count, sum), (100_000, 4_999_950_000 + 50_000));
    // The connection is free for the next statement.
    conn.execute("DELETE FROM w").unwrap();
}
