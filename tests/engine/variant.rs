//! VARIANT cells read as `Datum::Variant` and rendered as the engine renders them.
//!
//! Every type of `display_engine.rs`'s generators (every scalar type with its edge cases, and
//! nested LISTs, ARRAYs, STRUCTs, MAPs and UNIONs of them) is written to a table, then read back
//! next to `CAST(v AS VARIANT)` and `CAST(CAST(v AS VARIANT) AS VARCHAR)`. For every value the
//! VARIANT must read as the plain column's value put through the documented mapping (`held`
//! below), and its text must equal the engine's. The summary is printed with `--nocapture`.

use crate::common;

use super::display_engine::values;

use duckdb_ffi as ffi;
use duckdb_ffi::safe::functions::ScalarFunction;
use duckdb_ffi::safe::types::{Datum, LogicalType, TypeId};
use duckdb_ffi::safe::{Connection, Database, ErrorKind};
use values::{Rng, Ty, nested_types, scalars};

/// Values per type.
const N: usize = 250;

fn conn() -> Connection {
    Database::open_in_memory().unwrap().connect().unwrap()
}

/// What a VARIANT made by `CAST(d AS VARIANT)` holds, read back, as `Datum::Variant`
/// documents it: ENUMs and UNIONs become the value they hold, ARRAYs lists, MAPs lists of
/// `{key, value}` objects, unnamed STRUCTs lists, objects keep their members in key order.
fn held(d: &Datum) -> Datum {
    match d {
        Datum::Enum(s) => Datum::Varchar(s.clone()),
        Datum::Union { value, .. } => held(value),
        Datum::List(items) | Datum::Array(items) => Datum::List(items.iter().map(held).collect()),
        Datum::Map(pairs) => Datum::List(
            pairs
                .iter()
                .map(|(k, v)| {
                    Datum::Struct(vec![
                        ("key".to_string(), held(k)),
                        ("value".to_string(), held(v)),
                    ])
                })
                .collect(),
        ),
        Datum::Struct(fields) if fields.iter().all(|(n, _)| n.is_empty()) => {
            Datum::List(fields.iter().map(|(_, v)| held(v)).collect())
        }
        Datum::Struct(fields) => {
            let mut members: Vec<(String, Datum)> =
                fields.iter().map(|(n, v)| (n.clone(), held(v))).collect();
            members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            Datum::Struct(members)
        }
        other => other.clone(),
    }
}

/// The VARIANT cell made from a plain cell: SQL NULL stays `Null`.
fn expected_cell(d: &Datum) -> Datum {
    match d {
        Datum::Null => Datum::Null,
        d => Datum::Variant(Box::new(held(d))),
    }
}

#[derive(Default)]
struct Tally {
    values: usize,
    equal: usize,
    text_equal: usize,
    failures: Vec<String>,
}

/// Reads `SELECT <plain>, <variant>, <engine text>` and compares every row.
fn compare(conn: &Connection, label: &str, sql: &str, tally: &mut Tally) {
    let mut result = conn.query(sql).unwrap();
    while let Some(chunk) = result.next_chunk().unwrap() {
        let (plain, variant, text) = (
            chunk.vector(0).unwrap(),
            chunk.vector(1).unwrap(),
            chunk.vector(2).unwrap(),
        );
        assert_eq!(variant.type_id(), TypeId::Variant);
        let column = variant.datums().unwrap();
        let cells = variant.display_cells().unwrap();
        for (r, from_column) in column.into_iter().enumerate() {
            let got = variant.datum(r).unwrap();
            assert_eq!(
                format!("{from_column:?}"),
                format!("{got:?}"),
                "{label} row {r}: datums() and datum()"
            );
            let want = expected_cell(&plain.datum(r).unwrap());
            let mut fail = |what: String| {
                if tally.failures.len() < 12 {
                    tally.failures.push(format!("{label} row {r}: {what}"));
                }
            };
            tally.values += 1;
            // Debug tells -0.0 from 0.0 and shows NaN equal to NaN.
            if format!("{got:?}") == format!("{want:?}") {
                tally.equal += 1;
            } else {
                fail(format!("expected {want:?}, read {got:?}"));
            }
            let engine = match text.datum(r).unwrap() {
                Datum::Varchar(s) => Some(s),
                _ => None,
            };
            let ours = (!got.is_null()).then(|| got.to_string());
            // The borrowed-cell path renders straight from the vector, by the same rules.
            let cell = cells.get(r).unwrap().map(|c| c.to_string());
            if ours == engine && cell == engine {
                tally.text_equal += 1;
            } else {
                fail(format!(
                    "ours {ours:?}, cell {cell:?}, engine {engine:?} ({got:?})"
                ));
            }
        }
    }
}

fn run(types: Vec<(String, Ty)>) -> usize {
    let conn = conn();
    let mut rng = Rng(0x5EED_0000_7A41_A417);
    let (mut report, mut failures, mut total) = (String::new(), Vec::new(), 0);
    for (name, ty) in types {
        let values: Vec<Datum> = (0..N).map(|i| ty.value(&mut rng, i)).collect();
        conn.execute("DROP TABLE IF EXISTS t").unwrap();
        conn.execute(&format!("CREATE TABLE t(id INTEGER, v {name})"))
            .unwrap();
        let mut app = conn.appender("t").unwrap();
        for (i, v) in values.iter().enumerate() {
            app.append_row(&[Datum::Integer(i as i32), v.clone()][..])
                .unwrap_or_else(|e| panic!("{name}: appending {v:?}: {e}"));
        }
        app.close().unwrap();
        let mut tally = Tally::default();
        compare(
            &conn,
            &name,
            "SELECT v, CAST(v AS VARIANT) AS x, CAST(x AS VARCHAR) FROM t ORDER BY id",
            &mut tally,
        );
        assert_eq!(tally.values, N, "{name}: rows read");
        report.push_str(&format!(
            "{name:<60} {:>5} values, datum equal {:>5}, text equal {:>5}\n",
            tally.values, tally.equal, tally.text_equal
        ));
        total += tally.values;
        failures.extend(tally.failures);
    }
    println!("{report}");
    assert!(failures.is_empty(), "{}\n{report}", failures.join("\n"));
    total
}

#[test]
fn every_scalar_type_as_variant_reads_and_renders_as_the_engine() {
    let _ledger = common::ledger_guard();
    let types: Vec<(String, Ty)> = scalars()
        .into_iter()
        .map(|(n, g)| (n.to_string(), Ty::Scalar(n, g)))
        .collect();
    // The VARIANT type codes name these column types; each must be among those checked.
    for needed in [
        "BOOLEAN",
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
        "FLOAT",
        "DOUBLE",
        "DECIMAL(4,1)",
        "DECIMAL(9,4)",
        "DECIMAL(18,18)",
        "DECIMAL(38,10)",
        "VARCHAR",
        "BLOB",
        "UUID",
        "DATE",
        "TIME",
        "TIME_NS",
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP",
        "TIMESTAMP_NS",
        "TIMETZ",
        "TIMESTAMPTZ",
        "TIMESTAMPTZ_NS",
        "INTERVAL",
        "BIGNUM",
        "BIT",
        "GEOMETRY",
    ] {
        assert!(
            types.iter().any(|(n, _)| n == needed),
            "no generator for {needed}"
        );
    }
    let total = run(types);
    assert!(total >= 30 * N, "{total} values");
}

#[test]
fn nested_types_as_variant_read_and_render_as_the_engine() {
    let _ledger = common::ledger_guard();
    let total = run(nested_types().into_iter().map(|t| (t.sql(), t)).collect());
    assert!(total >= 20 * N, "{total} values");
}

/// Values only SQL makes: VARIANTs of mixed lists, deep nesting, NULLs inside, VARIANTs inside
/// STRUCT and LIST columns, a VARIANT NULL; each read and rendered next to the engine's text.
#[test]
fn engine_made_variants_render_as_the_engine() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let exprs = [
        "CAST('' AS VARIANT)",
        "CAST('it''s \"q\" é ☃' AS VARIANT)",
        "CAST(['a b', NULL, '', 'x,y'] AS VARIANT)",
        "CAST(['', 'x'] AS VARIANT)",
        "CAST([1::VARIANT, 'a b'::VARIANT, [2]::VARIANT, NULL] AS VARIANT)",
        "CAST([{'a': 'x,y'}::VARIANT, {'A': 'p q'}::VARIANT] AS VARIANT)",
        "CAST([{'a': 1}, {'A': 2}] AS VARIANT)",
        "CAST([{'a': 1}, {'b': 2}] AS VARIANT)",
        "CAST([[1, 'x'::VARIANT], [2, 'y'::VARIANT]] AS VARIANT)",
        "CAST([[''], []] AS VARIANT)",
        "CAST([1.5, 2.25] AS VARIANT)",
        "CAST([1.5::DECIMAL(4,2), 2.25::DECIMAL(5,2)] AS VARIANT)",
        "CAST(ROW(1, 'x y') AS VARIANT)",
        "CAST(MAP {'k': [1], 'l': NULL} AS VARIANT)",
        "CAST(MAP {} AS VARIANT)",
        "CAST([] AS VARIANT)",
        "CAST({'z': {'y': {'x': [[[{'w': 'deep, deeper'}]]]}}} AS VARIANT)",
        "CAST({'a': NULL, 'b': [NULL, NULL], 'c': {'d': NULL}} AS VARIANT)",
        "CAST({'B': 1, 'é': 0, 'a': 2, 'c': 3, '_': 4} AS VARIANT)",
        "CAST(union_value(s := 'a,b') AS VARIANT)",
        "CAST('red'::ENUM('red', 'x') AS VARIANT)",
        "CAST(['POINT (1 2)'::GEOMETRY, NULL] AS VARIANT)",
        "CAST([x'00ff'::BLOB, x'41'::BLOB] AS VARIANT)",
        "CAST([TIMESTAMPTZ '2024-01-02 03:04:05+00', NULL] AS VARIANT)",
        "CAST(['101'::BIT, '0'::BIT] AS VARIANT)",
        "CAST((2::BIGNUM ** 200)::BIGNUM AS VARIANT)",
        "CAST('infinity'::TIMESTAMP AS VARIANT)",
        "CAST([1, 2]::INTEGER[2] AS VARIANT)",
        "{'v': 'x,y'::VARIANT}",
        "['x,y'::VARIANT, NULL, [1::VARIANT, 'a'::VARIANT]::VARIANT]",
        "variant_extract(CAST({'a': [1::VARIANT, 'b c'::VARIANT]} AS VARIANT), 'a')",
        "variant_extract(CAST({'a': NULL::INTEGER} AS VARIANT), 'a')",
        "NULL::VARIANT",
    ];
    let mut compared = 0;
    for expr in exprs {
        let mut result = conn
            .query(&format!("SELECT {expr}, CAST({expr} AS VARCHAR)"))
            .unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        let ours = chunk.vector(0).unwrap().datum(0).unwrap();
        let engine = chunk.vector(1).unwrap().datum(0).unwrap();
        match engine {
            Datum::Varchar(text) => assert_eq!(ours.to_string(), text, "{expr}: {ours:?}"),
            other => assert!(ours.is_null(), "{expr}: engine {other:?}, ours {ours:?}"),
        }
        compared += 1;
    }
    assert_eq!(compared, exprs.len());
}

/// The held values are the engine's own: one case of each shape, spelled out.
#[test]
fn held_values_have_the_documented_shape() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let get = |sql: &str| -> Datum { conn.query_row(sql, (), |r| r.get(0)).unwrap() };
    let v = |d: Datum| Datum::Variant(Box::new(d));
    assert_eq!(
        get("SELECT CAST({'b': 1::TINYINT, 'a': [2::UBIGINT, NULL]} AS VARIANT)"),
        v(Datum::Struct(vec![
            (
                "a".into(),
                Datum::List(vec![Datum::UBigInt(2), Datum::Null])
            ),
            ("b".into(), Datum::TinyInt(1)),
        ]))
    );
    assert_eq!(get("SELECT NULL::VARIANT"), Datum::Null);
    // A VARIANT NULL inside an object, fetched on its own, is NULL to SQL and here.
    let (null, is_null): (Datum, bool) = conn
        .query_row(
            "SELECT x, x IS NULL FROM (SELECT variant_extract(CAST({'a': NULL::INTEGER} \
             AS VARIANT), 'a') AS x)",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((null, is_null), (Datum::Null, true));
    assert_eq!(
        get("SELECT CAST(MAP {'k': 1} AS VARIANT)"),
        v(Datum::List(vec![Datum::Struct(vec![
            ("key".into(), Datum::Varchar("k".into())),
            ("value".into(), Datum::Integer(1)),
        ])]))
    );
}

/// The VARIANT vector is stored as the STRUCT the reader decodes; a DuckDB that changes it
/// fails here (and the reader returns a `TypeMismatch` naming both layouts, never misreads).
#[test]
fn variant_storage_layout_is_the_one_decoded() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let mut result = conn
        .query("SELECT CAST([1::VARIANT, 'a'::VARIANT] AS VARIANT)")
        .unwrap();
    let chunk = result.next_chunk().unwrap().unwrap();
    let v = chunk.vector(0).unwrap();
    assert_eq!(v.logical_type().id(), TypeId::Variant);
    // Field names are checked by the reader itself, before any decoding (and by its unit
    // test); here the storage columns' types, as vectors.
    let child = |i: usize| v.struct_child(i).unwrap().logical_type();
    assert_eq!(child(0).id(), TypeId::List);
    assert_eq!(child(0).list_child_type().unwrap().id(), TypeId::Varchar);
    for (i, fields) in [
        (
            1,
            [
                ("keys_index", TypeId::UInteger),
                ("values_index", TypeId::UInteger),
            ],
        ),
        (
            2,
            [
                ("type_id", TypeId::UTinyInt),
                ("byte_offset", TypeId::UInteger),
            ],
        ),
    ] {
        assert_eq!(child(i).id(), TypeId::List);
        let entry = child(i).list_child_type().unwrap();
        assert_eq!(entry.id(), TypeId::Struct);
        assert_eq!(entry.struct_child_count().unwrap(), 2);
        for (j, (name, id)) in fields.into_iter().enumerate() {
            assert_eq!(entry.struct_child_name(j).unwrap(), name);
            assert_eq!(entry.struct_child_type(j).unwrap().id(), id);
        }
    }
    assert_eq!(child(3).id(), TypeId::Blob);
    // A VARIANT type made here has no storage fields: asking is an error, not a bad read.
    let bare = LogicalType::new(TypeId::Variant).unwrap();
    assert_eq!(
        bare.struct_child_count().unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(v.struct_child_count().unwrap(), 4);
    // The storage columns are readable as such: one value per element, plus the root ARRAY.
    let values = v.struct_child(2).unwrap().list().unwrap();
    assert_eq!(values.range(0).unwrap(), Some(0..3));
    let wrong = v.struct_child(4).unwrap_err();
    assert_eq!(wrong.kind(), ErrorKind::OutOfRange);
}

/// The engine's own VARIANT columns: `duckdb_settings().typed_value` and
/// `pragma_storage_info(..).stats`, read in full and rendered as the engine renders them.
#[test]
fn system_tables_returning_variant_are_readable() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute_batch(
        "CREATE TABLE s(i INTEGER, t VARCHAR, l INTEGER[], st STRUCT(a DOUBLE, b VARCHAR)); \
         INSERT INTO s SELECT x, 'v' || x, [x, x + 1], {'a': x / 3, 'b': 'it''s'} \
         FROM range(3000) r(x); CHECKPOINT;",
    )
    .unwrap();
    let mut tally = Tally::default();
    for (label, sql) in [
        (
            "duckdb_settings",
            "SELECT NULL, typed_value, typed_value::VARCHAR FROM duckdb_settings()",
        ),
        (
            "storage_info",
            "SELECT NULL, stats, stats::VARCHAR FROM pragma_storage_info('s')",
        ),
    ] {
        let before = tally.text_equal;
        let mut result = conn.query(sql).unwrap();
        while let Some(chunk) = result.next_chunk().unwrap() {
            let (variant, text) = (chunk.vector(1).unwrap(), chunk.vector(2).unwrap());
            for r in 0..chunk.len() {
                let got = variant.datum(r).unwrap();
                let engine = match text.datum(r).unwrap() {
                    Datum::Varchar(s) => Some(s),
                    _ => None,
                };
                tally.values += 1;
                if (!got.is_null()).then(|| got.to_string()) == engine {
                    tally.text_equal += 1;
                } else if tally.failures.len() < 12 {
                    tally
                        .failures
                        .push(format!("{label} row {r}: {got:?} vs {engine:?}"));
                }
            }
        }
        assert!(tally.text_equal - before > 5, "{label}: too few rows");
    }
    println!(
        "system VARIANT cells: {} read, {} text equal",
        tally.values, tally.text_equal
    );
    assert!(tally.failures.is_empty(), "{:#?}", tally.failures);
}

/// A `Datum::Variant` binds as the value it holds, which the engine casts to VARIANT.
#[test]
fn variant_datums_bind_as_their_held_value() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE w(v VARIANT)").unwrap();
    let originals: Vec<Datum> = [
        "SELECT CAST({'b': [1, 2], 'a': 'x y'} AS VARIANT)",
        "SELECT CAST(42::SMALLINT AS VARIANT)",
        "SELECT CAST('text' AS VARIANT)",
        "SELECT CAST([1.5::DECIMAL(4,2)] AS VARIANT)",
    ]
    .iter()
    .map(|sql| conn.query_row(sql, (), |r| r.get(0)).unwrap())
    .collect();
    let mut insert = conn.prepare("INSERT INTO w VALUES (?)").unwrap();
    for d in &originals {
        insert.execute([d]).unwrap();
    }
    drop(insert);
    let mut result = conn.query("SELECT v FROM w").unwrap();
    let mut back = Vec::new();
    while let Some(chunk) = result.next_chunk().unwrap() {
        back.extend(chunk.vector(0).unwrap().datums().unwrap());
    }
    assert_eq!(back, originals);
    // The appender casts the same way.
    let mut app = conn.appender("w").unwrap();
    for d in &originals {
        app.append_row(&[d.clone()][..]).unwrap();
    }
    app.close().unwrap();
    let appended: Vec<Datum> = conn
        .query("SELECT v FROM w")
        .unwrap()
        .chunks()
        .map(|c| c.unwrap().vector(0).unwrap().datums().unwrap())
        .collect::<Vec<_>>()
        .concat();
    assert_eq!(appended, [originals.clone(), originals.clone()].concat());
    // A held list whose elements differ in type has no single LIST type to bind as.
    let mixed: Datum = conn
        .query_row("SELECT CAST([1, 'a'::VARIANT] AS VARIANT)", (), |r| {
            r.get(0)
        })
        .unwrap();
    let mut insert = conn.prepare("INSERT INTO w VALUES (?)").unwrap();
    assert!(insert.execute([&mixed]).is_err());
}

/// One VARIANT cell written straight into the storage columns.
#[derive(Default)]
struct RawCell {
    keys: Vec<&'static str>,
    children: Vec<(Option<u32>, u32)>,
    values: Vec<(u8, u32)>,
    data: Vec<u8>,
}

/// Sets one list entry per row from `lens`, sizes the list child and returns it.
///
/// # Safety
/// `list` is a writable LIST vector with at least `lens.len()` rows.
unsafe fn fill_list(list: ffi::duckdb_vector, lens: &[usize]) -> ffi::duckdb_vector {
    // SAFETY: a LIST vector's data is one list entry per row (caller: enough rows); reserving
    // before setting the size makes the child hold `total` rows.
    unsafe {
        let entries = ffi::duckdb_vector_get_data(list).cast::<ffi::duckdb_list_entry>();
        let mut total = 0;
        for (row, &len) in lens.iter().enumerate() {
            *entries.add(row) = ffi::duckdb_list_entry {
                offset: total as u64,
                length: len as u64,
            };
            total += len;
        }
        ffi::duckdb_list_vector_reserve(list, total as ffi::idx_t);
        ffi::duckdb_list_vector_set_size(list, total as ffi::idx_t);
        ffi::duckdb_list_vector_get_child(list)
    }
}

/// Writes `cells` into `out`, a VARIANT output vector with at least `cells.len()` rows.
///
/// # Safety
/// `out` is a writable vector of the engine's VARIANT type ("VARIANT storage").
unsafe fn write_cells(out: ffi::duckdb_vector, cells: &[RawCell]) {
    let lens = |f: fn(&RawCell) -> usize| cells.iter().map(f).collect::<Vec<_>>();
    // SAFETY: the VARIANT storage columns, in the order c_api.md gives; every child vector is
    // sized by `fill_list` before it is written, and indexes stay below those sizes.
    unsafe {
        let field = |i| ffi::duckdb_struct_vector_get_child(out, i);
        let keys = fill_list(field(0), &lens(|c| c.keys.len()));
        for (i, k) in cells.iter().flat_map(|c| &c.keys).enumerate() {
            ffi::duckdb_vector_assign_string_element_len(
                keys,
                i as ffi::idx_t,
                k.as_ptr().cast(),
                k.len() as ffi::idx_t,
            );
        }
        let children = fill_list(field(1), &lens(|c| c.children.len()));
        let keys_index = ffi::duckdb_struct_vector_get_child(children, 0);
        let values_index = ffi::duckdb_struct_vector_get_child(children, 1);
        ffi::duckdb_vector_ensure_validity_writable(keys_index);
        let validity = ffi::duckdb_vector_get_validity(keys_index);
        let (ki, vi) = (
            ffi::duckdb_vector_get_data(keys_index).cast::<u32>(),
            ffi::duckdb_vector_get_data(values_index).cast::<u32>(),
        );
        for (i, &(key, value)) in cells.iter().flat_map(|c| &c.children).enumerate() {
            match key {
                Some(k) => *ki.add(i) = k,
                None => ffi::duckdb_validity_set_row_invalid(validity, i as ffi::idx_t),
            }
            *vi.add(i) = value;
        }
        let values = fill_list(field(2), &lens(|c| c.values.len()));
        let (types, offsets) = (
            ffi::duckdb_vector_get_data(ffi::duckdb_struct_vector_get_child(values, 0)),
            ffi::duckdb_vector_get_data(ffi::duckdb_struct_vector_get_child(values, 1))
                .cast::<u32>(),
        );
        for (i, &(type_id, offset)) in cells.iter().flat_map(|c| &c.values).enumerate() {
            *types.cast::<u8>().add(i) = type_id;
            *offsets.add(i) = offset;
        }
        for (row, cell) in cells.iter().enumerate() {
            ffi::duckdb_vector_assign_string_element_len(
                field(3),
                row as ffi::idx_t,
                cell.data.as_ptr().cast(),
                cell.data.len() as ffi::idx_t,
            );
        }
    }
}

/// `depth` ARRAYs, each the only element of the one before, around a `true`.
fn deep_arrays(depth: u32) -> RawCell {
    let mut c = RawCell::default();
    for i in 0..depth {
        c.values.push((30, c.data.len() as u32));
        c.data.push(1);
        // The LEB128 index of this array's one child entry.
        let mut n = i;
        while n >= 0x80 {
            c.data.push((n as u8 & 0x7F) | 0x80);
            n >>= 7;
        }
        c.data.push(n as u8);
        c.children.push((None, i + 1));
    }
    c.values.push((1, 0));
    c
}

/// Cells no engine writes, each decoded to an error (never a panic or a read outside the
/// data), next to two well-formed ones that prove the harness writes what the reader reads.
#[test]
fn malformed_variant_cells_are_errors() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let cell = |values: &[(u8, u32)], data: &[u8]| RawCell {
        values: values.to_vec(),
        data: data.to_vec(),
        ..RawCell::default()
    };
    let cases: Vec<(RawCell, Result<Datum, &str>)> = vec![
        (
            cell(&[(5, 0)], &7i32.to_ne_bytes()),
            Ok(Datum::Variant(Box::new(Datum::Integer(7)))),
        ),
        (
            RawCell {
                keys: vec!["k"],
                children: vec![(Some(0), 1)],
                ..cell(&[(29, 0), (1, 0)], &[1, 0])
            },
            Ok(Datum::Variant(Box::new(Datum::Struct(vec![(
                "k".into(),
                Datum::Boolean(true),
            )])))),
        ),
        (cell(&[(99, 0)], &[]), Err("unknown VARIANT type code 99")),
        (cell(&[(6, 3)], &[0; 8]), Err("cut short")),
        (cell(&[(5, 9)], &[0; 4]), Err("past the 4-byte data")),
        (cell(&[(16, 0)], &[100, b'a', b'b']), Err("cut short")),
        (cell(&[(16, 0)], &[2, 0xFF, 0xFE]), Err("utf-8")),
        (cell(&[(16, 0)], &[0x80, 0x80]), Err("LEB128")),
        (cell(&[(15, 0)], &[50, 2, 0, 0]), Err("DECIMAL")),
        (cell(&[(30, 0)], &[1, 5]), Err("1 children, the row has 0")),
        (
            RawCell {
                children: vec![(None, 1)],
                ..cell(&[(30, 0), (1, 0)], &[1, 5])
            },
            Err("child index 5"),
        ),
        (
            RawCell {
                children: vec![(None, 0)],
                ..cell(&[(30, 0)], &[1, 0])
            },
            Err("not a tree"),
        ),
        (
            RawCell {
                children: vec![(Some(3), 1)],
                ..cell(&[(29, 0), (1, 0)], &[1, 0])
            },
            Err("key index 3"),
        ),
        (
            RawCell {
                children: vec![(None, 1)],
                ..cell(&[(29, 0), (1, 0)], &[1, 0])
            },
            Err("keys_index is NULL"),
        ),
        (cell(&[], &[]), Err("holds no value")),
        // 64 levels are read, one more is refused (the decoder and `Display` recurse).
        (
            deep_arrays(64),
            Ok(Datum::Variant(Box::new(
                (0..64).fold(Datum::Boolean(true), |inner, _| Datum::List(vec![inner])),
            ))),
        ),
        (deep_arrays(65), Err("nested deeper than 64")),
        (deep_arrays(100_000), Err("nested deeper than 64")),
    ];
    let variant = conn
        .query("SELECT NULL::VARIANT LIMIT 0")
        .unwrap()
        .column_type(0)
        .unwrap();
    let (cells, expected): (Vec<_>, Vec<_>) = cases.into_iter().map(|(c, w)| (Some(c), w)).unzip();
    let cells = std::sync::Arc::new(std::sync::Mutex::new(cells));
    let source = cells.clone();
    let f = ScalarFunction::new("raw_variant", move |input, out| {
        let ids = input.vector(0)?;
        let mut all = source.lock().unwrap();
        let rows: Vec<RawCell> = (0..input.len())
            .map(|r| {
                let id = ids.values::<i32>()?.get(r)?.unwrap_or(0) as usize;
                Ok(all[id].take().unwrap_or_default())
            })
            .collect::<duckdb_ffi::safe::Result<_>>()?;
        // SAFETY: `out` is this function's result vector, of the engine's VARIANT type.
        unsafe { write_cells(out.as_raw(), &rows) };
        Ok(())
    })
    .param(&LogicalType::new(TypeId::Integer).unwrap())
    .returns(&variant)
    .volatile();
    conn.register(f).unwrap();
    let mut result = conn
        .query(&format!(
            "SELECT raw_variant(i::INTEGER) FROM range({}) t(i)",
            expected.len()
        ))
        .unwrap();
    let mut row = 0;
    while let Some(chunk) = result.next_chunk().unwrap() {
        let v = chunk.vector(0).unwrap();
        for r in 0..chunk.len() {
            match (&expected[row], v.datum(r)) {
                (Ok(want), Ok(got)) => {
                    assert_eq!(&got, want, "case {row}");
                    assert!(!got.to_string().is_empty());
                }
                (Err(words), Err(e)) => assert!(
                    e.message().to_lowercase().contains(&words.to_lowercase()),
                    "case {row}: {e}"
                ),
                (want, got) => panic!("case {row}: expected {want:?}, got {got:?}"),
            }
            row += 1;
        }
        // Reading the whole column stops at the first bad cell.
        assert!(v.datums().is_err());
    }
    assert_eq!(row, expected.len());
}
