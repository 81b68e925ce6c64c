//! The writing side on the real engine: prepared statements with every parameter type,
//! appenders (rows, chunks, errors), values, pending results. Every value goes Rust -> bind or
//! append -> table -> read back through the chunk readers (`Vector::datum`), and must be equal.
//! Every test ends with no live handle (`common::ledger_guard`).

use crate::common;

use duckdb_ffi::params;
use duckdb_ffi::safe::types::{
    Date, Datum, Decimal, Interval, LogicalType, Null, Time, TimeNs, TimeTz, Timestamp,
    TimestampMs, TimestampNs, TimestampS, TimestampTz, TimestampTzNs, ToSql, TypeId, Uuid, Value,
};
use duckdb_ffi::safe::{ChunkWriter, Connection, Database, EngineError, ErrorKind, PendingState};

fn conn() -> Connection {
    Database::open_in_memory().unwrap().connect().unwrap()
}

/// Every row of a query, every cell as a `Datum`.
fn rows(conn: &Connection, sql: &str) -> Vec<Vec<Datum>> {
    rows_of(conn.query(sql).unwrap())
}

fn one(conn: &Connection, sql: &str) -> Datum {
    let rows = rows(conn, sql);
    assert_eq!(rows.len(), 1, "{sql}");
    rows.into_iter().next().unwrap().into_iter().next().unwrap()
}

/// One column per supported type, with a value of each that exercises its range.
fn samples() -> Vec<(&'static str, Datum)> {
    vec![
        ("BOOLEAN", Datum::Boolean(true)),
        ("TINYINT", Datum::TinyInt(i8::MIN)),
        ("SMALLINT", Datum::SmallInt(-12_345)),
        ("INTEGER", Datum::Integer(i32::MAX)),
        ("BIGINT", Datum::BigInt(i64::MIN + 1)),
        (
            "HUGEINT",
            Datum::HugeInt(-170_141_183_460_469_231_731_687_303_715_884_105_727),
        ),
        ("UTINYINT", Datum::UTinyInt(u8::MAX)),
        ("USMALLINT", Datum::USmallInt(65_000)),
        ("UINTEGER", Datum::UInteger(4_000_000_000)),
        ("UBIGINT", Datum::UBigInt(u64::MAX)),
        ("UHUGEINT", Datum::UHugeInt(u128::MAX - 7)),
        ("FLOAT", Datum::Float(-1.5e10)),
        ("DOUBLE", Datum::Double(std::f64::consts::PI)),
        (
            "DECIMAL(4,1)",
            Datum::Decimal(Decimal {
                value: -999,
                width: 4,
                scale: 1,
            }),
        ),
        (
            "DECIMAL(18,3)",
            Datum::Decimal(Decimal {
                value: 123_456_789_012_345,
                width: 18,
                scale: 3,
            }),
        ),
        (
            "DECIMAL(38,10)",
            Datum::Decimal(Decimal {
                value: -12_345_678_901_234_567_890_123_456_789,
                width: 38,
                scale: 10,
            }),
        ),
        (
            "VARCHAR",
            Datum::Varchar("héllo, a string longer than twelve bytes".into()),
        ),
        ("VARCHAR", Datum::Varchar("short".into())),
        ("BLOB", Datum::Blob(vec![0, 1, 2, 255, 0])),
        ("DATE", Datum::Date(Date { days: -719_528 })),
        (
            "TIME",
            Datum::Time(Time {
                micros: 86_399_999_999,
            }),
        ),
        (
            "TIME_NS",
            Datum::TimeNs(TimeNs {
                nanos: 45_296_123_456_789,
            }),
        ),
        (
            "TIME WITH TIME ZONE",
            Datum::TimeTz(TimeTz::new(3_600_000_000, -7_200).unwrap()),
        ),
        (
            "TIMESTAMP",
            Datum::Timestamp(Timestamp {
                micros: 1_700_000_000_123_456,
            }),
        ),
        (
            "TIMESTAMP_S",
            Datum::TimestampS(TimestampS {
                seconds: -1_000_000,
            }),
        ),
        (
            "TIMESTAMP_MS",
            Datum::TimestampMs(TimestampMs {
                millis: 1_700_000_000_123,
            }),
        ),
        (
            "TIMESTAMP_NS",
            Datum::TimestampNs(TimestampNs {
                nanos: 1_700_000_000_123_456_789,
            }),
        ),
        (
            "TIMESTAMP WITH TIME ZONE",
            Datum::TimestampTz(TimestampTz {
                micros: 1_600_000_000_000_001,
            }),
        ),
        (
            "TIMESTAMPTZ_NS",
            Datum::TimestampTzNs(TimestampTzNs {
                nanos: 1_600_000_000_000_000_007,
            }),
        ),
        (
            "INTERVAL",
            Datum::Interval(Interval {
                months: 14,
                days: -3,
                micros: 5_000_001,
            }),
        ),
        (
            "UUID",
            Datum::Uuid(Uuid(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210)),
        ),
        ("ENUM('red', 'green', 'blue')", Datum::Enum("green".into())),
        (
            "BIT",
            Datum::Bit(vec![
                true, false, true, true, false, false, true, false, true,
            ]),
        ),
        (
            "INTEGER[]",
            Datum::List(vec![Datum::Integer(1), Datum::Null, Datum::Integer(3)]),
        ),
        ("VARCHAR[]", Datum::List(vec![])),
        (
            "INTEGER[3]",
            Datum::Array(vec![
                Datum::Integer(7),
                Datum::Integer(8),
                Datum::Integer(9),
            ]),
        ),
        (
            "STRUCT(x INTEGER, y VARCHAR)",
            Datum::Struct(vec![
                ("x".into(), Datum::Integer(5)),
                ("y".into(), Datum::Varchar("five".into())),
            ]),
        ),
        (
            "MAP(VARCHAR, INTEGER)",
            Datum::Map(vec![
                (Datum::Varchar("a".into()), Datum::Integer(1)),
                (Datum::Varchar("b".into()), Datum::Integer(2)),
            ]),
        ),
        (
            "UNION(n INTEGER, s VARCHAR)",
            Datum::Union {
                tag: 1,
                name: "s".into(),
                value: Box::new(Datum::Varchar("text".into())),
            },
        ),
        (
            "INTEGER[][]",
            Datum::List(vec![
                Datum::List(vec![Datum::Integer(1)]),
                Datum::List(vec![]),
            ]),
        ),
    ]
}

fn create_sample_table(conn: &Connection) -> Vec<Datum> {
    let samples = samples();
    let columns: Vec<String> = samples
        .iter()
        .enumerate()
        .map(|(i, (ty, _))| format!("c{i} {ty}"))
        .collect();
    conn.execute(&format!("CREATE TABLE t({})", columns.join(", ")))
        .unwrap();
    samples.into_iter().map(|(_, d)| d).collect()
}

#[test]
fn every_type_round_trips_through_bind() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let expected = create_sample_table(&conn);
    let placeholders = vec!["?"; expected.len()].join(", ");
    let mut insert = conn
        .prepare(&format!("INSERT INTO t VALUES ({placeholders})"))
        .unwrap();
    assert_eq!(insert.parameter_count(), expected.len());
    // A whole row as a slice of Datums, then a row of NULLs through Option.
    assert_eq!(insert.execute(expected.as_slice()).unwrap(), 1);
    let nulls: Vec<Option<Datum>> = vec![None; expected.len()];
    assert_eq!(insert.execute(&nulls).unwrap(), 1);
    drop(insert);

    let got = rows(&conn, "SELECT * FROM t");
    assert_eq!(got.len(), 2);
    for (i, (want, have)) in expected.iter().zip(&got[0]).enumerate() {
        assert_eq!(want, have, "column c{i}");
    }
    assert!(got[1].iter().all(Datum::is_null), "{:?}", got[1]);
}

#[test]
fn every_type_round_trips_through_the_appender() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let expected = create_sample_table(&conn);
    let mut app = conn.appender("t").unwrap();
    assert_eq!(app.column_count(), expected.len());
    app.append_row(expected.as_slice()).unwrap();
    // Value by value, then NULLs.
    for d in &expected {
        app.append(d).unwrap();
    }
    app.end_row().unwrap();
    for _ in &expected {
        app.append(&Null).unwrap();
    }
    app.end_row().unwrap();
    app.close().unwrap();

    let got = rows(&conn, "SELECT * FROM t");
    assert_eq!(got.len(), 3);
    for row in &got[..2] {
        for (i, (want, have)) in expected.iter().zip(row).enumerate() {
            assert_eq!(want, have, "column c{i}");
        }
    }
    assert!(got[2].iter().all(Datum::is_null));
}

#[test]
fn native_rust_types_bind_and_append() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute(
        "CREATE TABLE n(a TINYINT, b SMALLINT, c INTEGER, d BIGINT, e HUGEINT, f UTINYINT, g USMALLINT, \
         h UINTEGER, i UBIGINT, j UHUGEINT, k FLOAT, l DOUBLE)",
    )
    .unwrap();
    conn.execute("CREATE TABLE s(a BOOLEAN, b VARCHAR, c VARCHAR, d BLOB, e BLOB, f INTEGER, g DATE, h TIMESTAMP, i INTERVAL)")
        .unwrap();
    let nums = (
        -8i8, -16i16, -32i32, -64i64, -128i128, 8u8, 16u16, 32u32, 64u64, 128u128, 0.25f32, -0.5f64,
    );
    let expected_nums = vec![
        Datum::TinyInt(-8),
        Datum::SmallInt(-16),
        Datum::Integer(-32),
        Datum::BigInt(-64),
        Datum::HugeInt(-128),
        Datum::UTinyInt(8),
        Datum::USmallInt(16),
        Datum::UInteger(32),
        Datum::UBigInt(64),
        Datum::UHugeInt(128),
        Datum::Float(0.25),
        Datum::Double(-0.5),
    ];
    conn.prepare("INSERT INTO n VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .unwrap()
        .execute(nums)
        .unwrap();
    let mut app = conn.appender("n").unwrap();
    app.append_row(nums).unwrap();
    app.close().unwrap();
    for row in rows(&conn, "SELECT * FROM n") {
        assert_eq!(row, expected_nums);
    }

    let text = String::from("owned string");
    let bytes: Vec<u8> = vec![9, 8, 7];
    let row = params![
        false,
        "borrowed",
        text,
        &b"\x00raw"[..],
        bytes,
        None::<i32>,
        Date { days: 19_000 },
        Timestamp { micros: -1 },
        Interval {
            months: 1,
            days: 2,
            micros: 3
        },
    ];
    let expected = vec![
        Datum::Boolean(false),
        Datum::Varchar("borrowed".into()),
        Datum::Varchar("owned string".into()),
        Datum::Blob(b"\x00raw".to_vec()),
        Datum::Blob(vec![9, 8, 7]),
        Datum::Null,
        Datum::Date(Date { days: 19_000 }),
        Datum::Timestamp(Timestamp { micros: -1 }),
        Datum::Interval(Interval {
            months: 1,
            days: 2,
            micros: 3,
        }),
    ];
    conn.prepare("INSERT INTO s VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .unwrap()
        .execute(row)
        .unwrap();
    let mut app = conn.appender("s").unwrap();
    app.append_row(row).unwrap();
    app.close().unwrap();
    let got = rows(&conn, "SELECT * FROM s");
    assert_eq!(got.len(), 2);
    for r in got {
        assert_eq!(r, expected);
    }
}

#[test]
fn nested_values_bind_and_append() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute(
        "CREATE TABLE v(l BIGINT[], a DOUBLE[2], s STRUCT(k VARCHAR, v INTEGER[]), m MAP(INTEGER, VARCHAR), \
         u UNION(i INTEGER, t VARCHAR), e ENUM('x', 'y'), d DECIMAL(9,2), id UUID, b BIT, tz TIME WITH TIME ZONE)",
    )
    .unwrap();
    let int = LogicalType::new(TypeId::Integer).unwrap();
    let varchar = LogicalType::new(TypeId::Varchar).unwrap();
    let list = Value::list(
        &LogicalType::new(TypeId::BigInt).unwrap(),
        &[Value::from(1i64), Value::null(), Value::from(3i64)],
    )
    .unwrap();
    let array = Value::array(
        &LogicalType::new(TypeId::Double).unwrap(),
        &[Value::from(0.5f64), Value::from(1.5f64)],
    )
    .unwrap();
    let int_list = LogicalType::list(&int).unwrap();
    let struct_type = LogicalType::structure(&[("k", &varchar), ("v", &int_list)]).unwrap();
    let inner = Value::list(&int, &[Value::from(4i32)]).unwrap();
    let st = Value::structure(&struct_type, &[Value::from("key"), inner]).unwrap();
    let map_type = LogicalType::map(&int, &varchar).unwrap();
    let map = Value::map(
        &map_type,
        &[Value::from(1i32), Value::from(2i32)],
        &[Value::from("one"), Value::null()],
    )
    .unwrap();
    let union_type = LogicalType::union_type(&[("i", &int), ("t", &varchar)]).unwrap();
    let union = Value::union_value(&union_type, 0, &Value::from(42i32)).unwrap();
    let enum_type = LogicalType::enumeration(&["x", "y"]).unwrap();
    let enumv = Value::enumeration(&enum_type, 1).unwrap();
    let dec = Value::decimal(Decimal {
        value: -12_345,
        width: 9,
        scale: 2,
    })
    .unwrap();
    let uuid = Value::from(Uuid(0xffff_0000_0000_0000_0000_0000_0000_0001));
    let bit = Value::bit(&[true, true, false]).unwrap();
    let tz = Value::from(TimeTz::new(43_200_000_000, 3_600).unwrap());

    let expected = vec![
        Datum::List(vec![Datum::BigInt(1), Datum::Null, Datum::BigInt(3)]),
        Datum::Array(vec![Datum::Double(0.5), Datum::Double(1.5)]),
        Datum::Struct(vec![
            ("k".into(), Datum::Varchar("key".into())),
            ("v".into(), Datum::List(vec![Datum::Integer(4)])),
        ]),
        Datum::Map(vec![
            (Datum::Integer(1), Datum::Varchar("one".into())),
            (Datum::Integer(2), Datum::Null),
        ]),
        Datum::Union {
            tag: 0,
            name: "i".into(),
            value: Box::new(Datum::Integer(42)),
        },
        Datum::Enum("y".into()),
        Datum::Decimal(Decimal {
            value: -12_345,
            width: 9,
            scale: 2,
        }),
        Datum::Uuid(Uuid(0xffff_0000_0000_0000_0000_0000_0000_0001)),
        Datum::Bit(vec![true, true, false]),
        Datum::TimeTz(TimeTz::new(43_200_000_000, 3_600).unwrap()),
    ];
    let values: [&dyn ToSql; 10] = [
        &list, &array, &st, &map, &union, &enumv, &dec, &uuid, &bit, &tz,
    ];
    conn.prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .unwrap()
        .execute(&values[..])
        .unwrap();
    let mut app = conn.appender("v").unwrap();
    app.append_row(&values[..]).unwrap();
    app.close().unwrap();
    let got = rows(&conn, "SELECT * FROM v");
    assert_eq!(got.len(), 2);
    for r in got {
        assert_eq!(r, expected);
    }
    // The engine agrees with the SQL literal, not only with our reader.
    let same = one(
        &conn,
        "SELECT bool_and(l = [1, NULL, 3] AND s.k = 'key' AND m[1] = 'one' AND d = -123.45 AND b = '110'::BIT) FROM v",
    );
    assert_eq!(same, Datum::Boolean(true));
}

#[test]
fn values_read_back_and_refuse_wrong_types() {
    let _ledger = common::ledger_guard();
    assert_eq!(Value::from(-5i16).get_i16().unwrap(), -5);
    assert_eq!(Value::from(u128::MAX).get_u128().unwrap(), u128::MAX);
    assert_eq!(Value::from(i128::MIN).get_i128().unwrap(), i128::MIN);
    assert_eq!(Value::varchar("text").get_str().unwrap(), "text");
    assert_eq!(Value::blob(&[1, 2]).get_blob().unwrap(), vec![1, 2]);
    assert_eq!(
        Value::from(Date { days: -1 }).get_date().unwrap(),
        Date { days: -1 }
    );
    let tz = Value::from(TimeTz::new(1_000_000, -60).unwrap())
        .get_time_tz()
        .unwrap();
    assert_eq!((tz.micros(), tz.offset_seconds()), (1_000_000, -60));
    assert_eq!(
        Value::from(TimestampMs { millis: 77 })
            .get_timestamp_ms()
            .unwrap(),
        TimestampMs { millis: 77 }
    );
    // Each timestamp unit has its own reader: another unit is a type mismatch.
    assert_eq!(
        Value::from(TimestampMs { millis: 77 })
            .get_timestamp()
            .unwrap_err()
            .kind(),
        ErrorKind::TypeMismatch
    );
    let interval = Interval {
        months: 1,
        days: 2,
        micros: 3,
    };
    assert_eq!(Value::from(interval).get_interval().unwrap(), interval);
    let dec = Decimal {
        value: 12_345,
        width: 5,
        scale: 2,
    };
    assert_eq!(Value::decimal(dec).unwrap().get_decimal().unwrap(), dec);
    assert_eq!(Value::from(Uuid(42)).get_uuid().unwrap(), Uuid(42));
    let bits = [
        false, true, true, false, true, false, false, false, true, true,
    ];
    assert_eq!(Value::bit(&bits).unwrap().get_bit().unwrap(), bits);

    // Wrong type or NULL: an error, never the C getters' silent default or an exception.
    let e = Value::from(1i32).get_str().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TypeMismatch);
    assert_eq!(
        Value::varchar("1").get_i32().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(
        Value::from(1i32).get_blob().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert!(Value::null().get_i64().is_err());
    assert!(Value::null().is_null());
    assert_eq!(Value::null().type_id(), TypeId::SqlNull);

    // Display is DuckDB's SQL rendering.
    assert_eq!(Value::varchar("it's").to_string(), "'it''s'");
    assert_eq!(Value::from(2.5f64).to_string(), "2.5");

    // Bad input to constructors is an error.
    let too_many_digits = Decimal {
        value: 1000,
        width: 3,
        scale: 1,
    };
    assert_eq!(
        Value::decimal(too_many_digits).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        Decimal::new(1000, 3, 1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert!(Decimal::new(1, 39, 0).is_err());
    assert!(Value::bit(&[]).is_err());
    let e = LogicalType::enumeration(&["a"]).unwrap();
    assert_eq!(
        Value::enumeration(&e, 1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let int = LogicalType::new(TypeId::Integer).unwrap();
    let st = LogicalType::structure(&[("a", &int)]).unwrap();
    assert_eq!(
        Value::structure(&st, &[]).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert!(Value::list(&int, &[Value::varchar("not a number")]).is_err());
    let m = LogicalType::map(&int, &int).unwrap();
    assert!(
        Value::map(
            &m,
            &[Value::from(1i32), Value::from(1i32)],
            &[Value::from(1i32), Value::from(2i32)]
        )
        .is_err()
    );
    assert!(Value::map(&m, &[Value::from(1i32)], &[Value::varchar("x")]).is_err());
    let u = LogicalType::union_type(&[("a", &int)]).unwrap();
    assert!(Value::union_value(&u, 1, &Value::from(1i32)).is_err());
    assert!(Value::union_value(&u, 0, &Value::varchar("x")).is_err());
    assert!(LogicalType::new(TypeId::List).is_err());
    assert!(LogicalType::decimal(10, 11).is_err());
    assert!(LogicalType::structure(&[("a\0b", &int)]).is_err());

    // Children come back as owned copies.
    let list = Value::list(&int, &[Value::from(10i32), Value::from(20i32)]).unwrap();
    assert_eq!(list.list_len().unwrap(), 2);
    assert_eq!(list.list_child(1).unwrap().get_i32().unwrap(), 20);
    assert_eq!(
        list.list_child(2).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let map = Value::map(&m, &[Value::from(3i32)], &[Value::from(4i32)]).unwrap();
    let (k, v) = map.map_entry(0).unwrap();
    assert_eq!((k.get_i32().unwrap(), v.get_i32().unwrap()), (3, 4));
    let s = Value::structure(&st, &[Value::from(9i32)]).unwrap();
    assert_eq!(s.struct_child(0).unwrap().get_i32().unwrap(), 9);
    assert!(s.struct_child(1).is_err());
}

#[test]
fn statement_metadata_and_named_parameters() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    // A parameter whose type the SQL leaves open: DuckDB plans at execution, so the result
    // columns are unknown until then.
    let open = conn.prepare("SELECT $x AS x, 2 AS y").unwrap();
    assert!(open.parameter_type(1).unwrap().is_none());
    assert_eq!(open.parameter_type_id(1).unwrap(), TypeId::Invalid);
    assert_eq!(
        (open.column_count(), open.column_type_id(0).unwrap()),
        (1, TypeId::Invalid)
    );
    drop(open);
    let mut stmt = conn
        .prepare("SELECT $num::INTEGER + 1 AS plus, $name::VARCHAR AS who, $free::BOOLEAN AS free")
        .unwrap();
    assert_eq!(stmt.parameter_count(), 3);
    let mut names: Vec<String> = (1..=3).map(|i| stmt.parameter_name(i).unwrap()).collect();
    names.sort();
    assert_eq!(names, ["free", "name", "num"]);
    let num = stmt.parameter_index("num").unwrap();
    assert_eq!(stmt.parameter_type_id(num).unwrap(), TypeId::Integer);
    assert_eq!(
        stmt.parameter_type(num).unwrap().unwrap().id(),
        TypeId::Integer
    );
    assert_eq!(
        stmt.parameter_index("NAME").unwrap(),
        stmt.parameter_index("name").unwrap()
    );
    assert_eq!(
        stmt.parameter_index("nope").unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        stmt.parameter_name(0).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        stmt.parameter_name(4).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(stmt.column_count(), 3);
    assert_eq!(stmt.column_name(1).unwrap(), "who");
    assert_eq!(stmt.column_type_id(0).unwrap(), TypeId::Integer);
    assert_eq!(stmt.column_type(1).unwrap().id(), TypeId::Varchar);
    assert!(stmt.column_name(3).is_err());

    stmt.bind_named("num", &41).unwrap();
    stmt.bind_named("name", "ann").unwrap();
    stmt.bind_named("free", &Value::from(true)).unwrap();
    assert_eq!(
        rows_of(stmt.query_bound().unwrap()),
        vec![vec![
            Datum::Integer(42),
            Datum::Varchar("ann".into()),
            Datum::Boolean(true)
        ]]
    );
    // Bindings persist; replace one.
    stmt.bind_named("num", &0).unwrap();
    assert_eq!(
        rows_of(stmt.query_bound().unwrap())[0][0],
        Datum::Integer(1)
    );
    // Cleared bindings: DuckDB reports the missing parameters at execution.
    stmt.clear_bindings().unwrap();
    assert!(stmt.query_bound().is_err());
}

fn rows_of(mut result: duckdb_ffi::safe::QueryResult<'_>) -> Vec<Vec<Datum>> {
    let mut out = Vec::new();
    while let Some(chunk) = result.next_chunk().unwrap() {
        for r in 0..chunk.len() {
            out.push(
                (0..chunk.column_count())
                    .map(|c| chunk.vector(c).unwrap().datum(r).unwrap())
                    .collect(),
            );
        }
    }
    out
}

#[test]
fn wrong_parameters_are_errors() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(i INTEGER NOT NULL, s VARCHAR)")
        .unwrap();
    let mut insert = conn.prepare("INSERT INTO t VALUES (?, ?)").unwrap();

    let e = insert.execute((1,)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(e.message().contains("2 parameter(s)"), "{e}");
    assert_eq!(
        insert.execute((1, "a", 3)).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        insert.execute(()).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        insert.bind(0, &1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        insert.bind(3, &1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );

    // A value DuckDB cannot convert fails at execution with DuckDB's class.
    let e = insert.execute(("not a number", "x")).unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Conversion), "{e}");
    let e = insert.execute((Null, "x")).unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Constraint), "{e}");

    // The statement is still good after all of that.
    assert_eq!(insert.execute((7, "seven")).unwrap(), 1);
    assert_eq!(one(&conn, "SELECT count(*) FROM t"), Datum::BigInt(1));

    let e = conn.prepare("SELEC 1").unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Parser), "{e}");
    let e = conn.prepare("SELECT * FROM missing_table").unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Catalog), "{e}");
    assert_eq!(
        conn.prepare("SELECT 1\0").unwrap_err().kind(),
        ErrorKind::InteriorNul
    );
    assert!(
        Decimal {
            value: 100,
            width: 2,
            scale: 0
        }
        .to_sql()
        .is_err()
    );
}

#[test]
fn a_statement_is_reusable() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(i BIGINT, s VARCHAR)").unwrap();
    let mut insert = conn.prepare("INSERT INTO t VALUES ($1, $2)").unwrap();
    let mut expected = 0i64;
    for i in 0..500i64 {
        let label = format!("row {i}");
        insert.execute(params![i, label]).unwrap();
        expected += i;
    }
    assert_eq!(
        one(&conn, "SELECT sum(i)::BIGINT FROM t"),
        Datum::BigInt(expected)
    );
    assert_eq!(
        one(&conn, "SELECT s FROM t WHERE i = 321"),
        Datum::Varchar("row 321".into())
    );
    let mut select = conn.prepare("SELECT count(*) FROM t WHERE i < ?").unwrap();
    for limit in [0i64, 10, 499, 1000] {
        let got = rows_of(select.query([limit]).unwrap());
        assert_eq!(got[0][0], Datum::BigInt(limit.min(500)));
    }
}

#[test]
fn appender_constraint_violation_is_reported_by_close() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v VARCHAR)")
        .unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append_row((1, "first")).unwrap();
    app.flush().unwrap(); // row 1 is in the table from here on
    app.append_row((2, "second")).unwrap();
    app.append_row((1, "duplicate")).unwrap();
    let e = app.close().unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Constraint), "{e}");
    // The failed batch is gone as a whole; the earlier flush stays; the connection works.
    assert_eq!(
        rows(&conn, "SELECT id FROM t ORDER BY id"),
        vec![vec![Datum::Integer(1)]]
    );
    conn.execute("INSERT INTO t VALUES (3, 'after')").unwrap();
    assert_eq!(one(&conn, "SELECT count(*) FROM t"), Datum::BigInt(2));
}

#[test]
fn appender_is_usable_after_a_failed_flush() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
        .unwrap();
    conn.execute("INSERT INTO t VALUES (5)").unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append_row([5]).unwrap();
    app.append_row([6]).unwrap();
    let e = app.flush().unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Constraint), "{e}");
    app.append_row([7]).unwrap();
    app.close().unwrap();
    assert_eq!(
        rows(&conn, "SELECT id FROM t ORDER BY id"),
        vec![vec![Datum::Integer(5)], vec![Datum::Integer(7)]]
    );
}

#[test]
fn appender_rejects_bad_rows_and_recovers_with_clear() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(i INTEGER, s VARCHAR)")
        .unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append_row((1, "kept")).unwrap();
    app.flush().unwrap();
    // Wrong length: rejected up front, nothing appended, appender fine.
    assert_eq!(
        app.append_row((2,)).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        app.append_row((2, "a", 3)).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    app.append_row((2, "two")).unwrap();
    // A value that cannot be converted, in the first column: the row never started, so the
    // appender carries on.
    app.append_row((3, "three")).unwrap();
    let e = app.append_row(("x", "bad")).unwrap_err();
    assert!(
        e.engine_error().is_some() && e.message().contains("convert"),
        "{e}"
    );
    app.append_row((4, "four")).unwrap();
    app.clear().unwrap(); // drops rows 2, 3 and 4 (never flushed)
    // end_row before the row is complete, and too many values, are errors too.
    app.append(&5).unwrap();
    assert_eq!(app.end_row().unwrap_err().kind(), ErrorKind::Misuse);
    app.append("five").unwrap();
    assert_eq!(app.append(&0).unwrap_err().kind(), ErrorKind::OutOfRange);
    app.end_row().unwrap();
    app.close().unwrap();
    assert_eq!(
        rows(&conn, "SELECT * FROM t ORDER BY i"),
        vec![
            vec![Datum::Integer(1), Datum::Varchar("kept".into())],
            vec![Datum::Integer(5), Datum::Varchar("five".into())],
        ]
    );

    // Failing after the first column leaves half a row: the appender is poisoned.
    conn.execute("CREATE TABLE u(s VARCHAR, i INTEGER)")
        .unwrap();
    let mut app = conn.appender("u").unwrap();
    app.append_row(("a", 1)).unwrap();
    app.flush().unwrap();
    app.append_row(("b", 2)).unwrap();
    let e = app.append_row(("c", "not a number")).unwrap_err();
    assert!(
        e.engine_error().is_some() && e.message().contains("convert"),
        "{e}"
    );
    assert_eq!(
        app.append_row(("d", 4)).unwrap_err().kind(),
        ErrorKind::Misuse
    );
    assert_eq!(app.flush().unwrap_err().kind(), ErrorKind::Misuse);
    app.clear().unwrap(); // drops "b" and the half row
    app.append_row(("e", 5)).unwrap();
    app.close().unwrap();
    let got: Vec<Datum> = rows(&conn, "SELECT s FROM u ORDER BY s")
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    assert_eq!(
        got,
        vec![Datum::Varchar("a".into()), Datum::Varchar("e".into())]
    );

    // A poisoned appender's close is an error and its buffered rows are not written.
    let mut app = conn.appender("u").unwrap();
    app.append_row(("f", 6)).unwrap();
    app.append(&"g").unwrap();
    app.append(&"nope").unwrap_err();
    assert_eq!(app.close().unwrap_err().kind(), ErrorKind::Misuse);
    assert_eq!(one(&conn, "SELECT count(*) FROM u"), Datum::BigInt(2));

    assert_eq!(
        conn.appender("missing").unwrap_err().engine_error(),
        Some(EngineError::Catalog)
    );
}

#[test]
fn appender_columns_defaults_and_queries() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE SCHEMA s").unwrap();
    conn.execute("CREATE TABLE s.t(a INTEGER DEFAULT 100, b VARCHAR, c DOUBLE DEFAULT 0.5)")
        .unwrap();
    let mut app = conn.appender_in(None, Some("s"), "t").unwrap();
    app.append_default().unwrap();
    app.append("x").unwrap();
    app.append(&1.0f64).unwrap();
    app.end_row().unwrap();
    assert_eq!(app.column_type(2).unwrap().id(), TypeId::Double);
    assert!(app.column_type(3).is_err());
    app.close().unwrap();

    let mut app = conn
        .appender_with_columns("s.t", &["b"])
        .unwrap_or_else(|_| {
            // Qualified names are not parsed by the appender: use the schema argument.
            let mut a = conn.appender_in(None, Some("s"), "t").unwrap();
            a.add_column("b").unwrap();
            a
        });
    assert_eq!(app.column_count(), 1);
    app.append_row(["y"]).unwrap();
    app.clear_columns().unwrap();
    assert_eq!(app.column_count(), 3);
    app.close().unwrap();
    assert_eq!(
        rows(&conn, "SELECT * FROM s.t ORDER BY b"),
        vec![
            vec![
                Datum::Integer(100),
                Datum::Varchar("x".into()),
                Datum::Double(1.0)
            ],
            vec![
                Datum::Integer(100),
                Datum::Varchar("y".into()),
                Datum::Double(0.5)
            ],
        ]
    );

    let types = [
        LogicalType::new(TypeId::Varchar).unwrap(),
        LogicalType::new(TypeId::Integer).unwrap(),
    ];
    let mut app = conn
        .appender_for_query(
            "UPDATE s.t SET a = src.n FROM src WHERE s.t.b = src.k",
            &types,
            Some("src"),
            Some(&["k", "n"]),
        )
        .unwrap();
    app.append_row(("x", 1)).unwrap();
    app.append_row(("y", 2)).unwrap();
    app.close().unwrap();
    assert_eq!(
        rows(&conn, "SELECT a FROM s.t ORDER BY b"),
        vec![vec![Datum::Integer(1)], vec![Datum::Integer(2)]]
    );
    assert!(
        conn.appender_for_query(
            "INSERT INTO s.t SELECT * FROM appended_data",
            &[],
            None,
            None
        )
        .is_err()
    );
    assert!(
        conn.appender_for_query(
            "INSERT INTO s.t SELECT * FROM appended_data",
            &types,
            None,
            Some(&["one"])
        )
        .is_err()
    );
}

#[test]
fn chunks_built_in_rust_are_appended() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute(
        "CREATE TABLE t(i BIGINT, s VARCHAR, b BLOB, d DATE, f DOUBLE, ok BOOLEAN, h HUGEINT)",
    )
    .unwrap();
    let types: Vec<LogicalType> = [
        TypeId::BigInt,
        TypeId::Varchar,
        TypeId::Blob,
        TypeId::Date,
        TypeId::Double,
        TypeId::Boolean,
        TypeId::HugeInt,
    ]
    .into_iter()
    .map(|t| LogicalType::new(t).unwrap())
    .collect();
    let mut w = ChunkWriter::new(&types).unwrap();
    let cap = w.capacity();
    assert!(cap >= 2, "{cap}");
    let mut app = conn.appender("t").unwrap();
    let mut total = 0i64;
    for round in 0..3i64 {
        let n = if round == 2 { 5 } else { cap };
        for (row, slot) in w.column_mut::<i64>(0).unwrap()[..n].iter_mut().enumerate() {
            *slot = round * 10_000 + row as i64;
            total += *slot;
        }
        w.column_mut::<Date>(3).unwrap()[..n].fill(Date { days: round as i32 });
        w.column_mut::<f64>(4).unwrap()[..n].fill(round as f64 / 2.0);
        w.column_mut::<bool>(5).unwrap()[..n].fill(round % 2 == 0);
        // upper half -1, lower half 1
        w.column_mut::<i128>(6).unwrap()[..n].fill(-(1i128 << 64) + 1);
        for row in 0..n {
            if row % 3 == 0 {
                w.set_null(1, row).unwrap();
            } else {
                w.set_str(1, row, &format!("string number {row} in round {round}"))
                    .unwrap();
            }
            w.set_blob(2, row, &[round as u8, row as u8]).unwrap();
        }
        w.set_len(n).unwrap();
        app.append_chunk(&w).unwrap();
        w.reset();
        assert!(w.is_empty());
        // The reset made the NULLs of this round valid again.
        w.set_len(3).unwrap();
        assert!(w.vector(1).unwrap().validity().all_valid());
        w.set_len(0).unwrap();
    }
    app.close().unwrap();
    let rows_total = 2 * cap as i64 + 5;
    assert_eq!(
        one(&conn, "SELECT count(*) FROM t"),
        Datum::BigInt(rows_total)
    );
    assert_eq!(
        one(&conn, "SELECT sum(i)::BIGINT FROM t"),
        Datum::BigInt(total)
    );
    assert_eq!(
        one(&conn, "SELECT count(*) FROM t WHERE s IS NULL"),
        Datum::BigInt((2 * cap.div_ceil(3) + 2) as i64)
    );
    assert_eq!(
        rows(&conn, "SELECT s, b, d, f, ok, h FROM t WHERE i = 20004"),
        vec![vec![
            Datum::Varchar("string number 4 in round 2".into()),
            Datum::Blob(vec![2, 4]),
            Datum::Date(Date { days: 2 }),
            Datum::Double(1.0),
            Datum::Boolean(true),
            Datum::HugeInt(-(1i128 << 64) + 1),
        ]]
    );

    // Misuse is an error.
    assert_eq!(
        w.column_mut::<i32>(0).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(
        w.set_str(0, 0, "x").unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(
        w.set_blob(1, 0, b"x").unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(w.set_null(7, 0).unwrap_err().kind(), ErrorKind::OutOfRange);
    assert_eq!(
        w.set_null(0, cap).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    assert_eq!(
        w.set_len(cap + 1).unwrap_err().kind(),
        ErrorKind::OutOfRange
    );
    let list = LogicalType::list(&types[0]).unwrap();
    assert_eq!(
        ChunkWriter::new(&[list]).unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    // A chunk whose types do not match the table is rejected by DuckDB.
    let mut narrow = ChunkWriter::new(&types[..1]).unwrap();
    narrow.set_len(1).unwrap();
    let mut app = conn.appender("t").unwrap();
    assert!(app.append_chunk(narrow.chunk()).is_err());
    drop(app);
}

#[test]
fn fetched_chunks_can_be_appended() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE dst(n BIGINT, s VARCHAR)")
        .unwrap();
    let mut result = conn
        .query("SELECT range AS n, 'v' || range AS s FROM range(5000)")
        .unwrap();
    let mut app = conn.appender("dst").unwrap();
    while let Some(chunk) = result.next_chunk().unwrap() {
        app.append_chunk(&chunk).unwrap();
    }
    app.close().unwrap();
    drop(result);
    assert_eq!(
        one(&conn, "SELECT count(*) FROM dst WHERE s = 'v' || n"),
        Datum::BigInt(5000)
    );
}

#[test]
fn pending_results_run_step_by_step() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let mut stmt = conn
        .prepare("SELECT count(*) FROM range(?) a, range(100) b")
        .unwrap();
    let mut pending = stmt.pending([20_000i64]).unwrap();
    let mut steps = 0;
    loop {
        let state = pending.execute_task().unwrap();
        if state.is_finished() {
            assert_eq!(state, PendingState::Ready);
            break;
        }
        steps += 1;
        assert!(steps < 10_000_000);
    }
    assert!(pending.progress().percentage <= 100.0);
    let result = pending.execute().unwrap();
    assert_eq!(rows_of(result), vec![vec![Datum::BigInt(2_000_000)]]);

    // The statement can be pending again, and an unfinished pending result can be dropped.
    let pending = stmt.pending([10i64]).unwrap();
    drop(pending);
    assert_eq!(
        rows_of(stmt.pending([3i64]).unwrap().execute().unwrap()),
        vec![vec![Datum::BigInt(300)]]
    );

    // Execution errors surface from the task loop or from execute.
    let mut bad = conn.prepare("SELECT error('boom ' || ?)").unwrap();
    let outcome = bad.pending(["now"]).and_then(|mut p| {
        while !p.execute_task()?.is_finished() {}
        p.execute().map(|_| ())
    });
    let e = outcome.unwrap_err();
    assert!(e.message().contains("boom now"), "{e}");
    assert_eq!(stmt.pending(()).unwrap_err().kind(), ErrorKind::OutOfRange);
}

#[test]
fn thread_rules() {
    let _ledger = common::ledger_guard();
    fn send<T: Send>() {}
    send::<duckdb_ffi::safe::PreparedStatement<'static>>();
    send::<duckdb_ffi::safe::Appender<'static>>();
    send::<duckdb_ffi::safe::PendingResult<'static, 'static>>();
    send::<Value>();
    send::<ChunkWriter>();
    // Moving a statement to another thread and running it there works.
    let db = Database::open_in_memory().unwrap();
    let conn = db.connect().unwrap();
    let mut stmt = conn.prepare("SELECT ?::INTEGER * 2").unwrap();
    let got = std::thread::scope(|s| {
        s.spawn(move || rows_of(stmt.query([21]).unwrap()))
            .join()
            .unwrap()
    });
    assert_eq!(got, vec![vec![Datum::Integer(42)]]);
}

#[test]
fn reset_chunk_strings_do_not_dangle() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(s VARCHAR, b BLOB)").unwrap();
    let types = [
        LogicalType::new(TypeId::Varchar).unwrap(),
        LogicalType::new(TypeId::Blob).unwrap(),
    ];
    let mut w = ChunkWriter::new(&types).unwrap();
    w.set_str(
        0,
        0,
        "a string long enough to live in the chunk's string heap",
    )
    .unwrap();
    w.set_blob(1, 0, &[7; 40]).unwrap();
    w.set_len(1).unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append_chunk(&w).unwrap();
    w.reset();
    // A row whose cells were never written after the reset holds empty values.
    w.set_len(1).unwrap();
    app.append_chunk(&w).unwrap();
    app.close().unwrap();
    assert_eq!(
        rows(&conn, "SELECT s, b FROM t ORDER BY length(s)"),
        vec![
            vec![Datum::Varchar(String::new()), Datum::Blob(vec![])],
            vec![
                Datum::Varchar("a string long enough to live in the chunk's string heap".into()),
                Datum::Blob(vec![7; 40])
            ],
        ]
    );
}

#[test]
fn failed_flush_inside_a_transaction() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
        .unwrap();
    conn.execute("BEGIN").unwrap();
    conn.execute("INSERT INTO t VALUES (1)").unwrap();
    let mut app = conn.appender("t").unwrap();
    app.append_row([2]).unwrap();
    app.append_row([2]).unwrap();
    let e = app.close().unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Constraint), "{e}");
    // The failure aborts the surrounding transaction: statements fail until it ends, and
    // ending it (even with COMMIT) rolls everything back, the earlier INSERT included.
    let e = conn.query("SELECT count(*) FROM t").unwrap_err();
    assert_eq!(e.engine_error(), Some(EngineError::Transaction), "{e}");
    conn.execute("COMMIT").unwrap();
    assert!(rows(&conn, "SELECT id FROM t").is_empty());
    conn.execute("INSERT INTO t VALUES (1)").unwrap();
}
