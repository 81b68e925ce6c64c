//! `Datum`'s `Display` against the engine, and writing against reading, for every type.
//!
//! For each type, a fixed-seed generator makes at least 5,000 values (edge cases first, then
//! random ones, nested types included). They are written twice, through the appender and
//! through a prepared INSERT, then read back in one query next to the engine's
//! `CAST(v AS VARCHAR)` and `a.v IS NOT DISTINCT FROM p.v`. Every value must read back as
//! written, render as the engine renders it through both text paths (`Datum`'s `Display` and
//! the borrowed cells of `Vector::display_cells`, by `Display` and by `write_to`), and match
//! across both write paths. The summary table (per type: values, equal text, equal borrowed
//! text, equal round trips) is printed with `--nocapture`.

use crate::common;

pub mod values;

use duckdb_ffi::safe::types::Datum;
use duckdb_ffi::safe::{Connection, Database};
use values::{Rng, Ty, nested_types, scalars};

/// Values per type.
const N: usize = 5_000;

fn conn() -> Connection {
    Database::open_in_memory().unwrap().connect().unwrap()
}

#[derive(Default)]
struct Tally {
    values: usize,
    text_equal: usize,
    cells_equal: usize,
    read_back_equal: usize,
    paths_equal: usize,
    failures: Vec<String>,
}

/// Writes `values` through both paths, reads them back and compares; returns the tally.
fn check_type(conn: &Connection, sql_type: &str, values: &[Datum]) -> Tally {
    conn.execute("DROP TABLE IF EXISTS a; DROP TABLE IF EXISTS p")
        .unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE a(id INTEGER, v {sql_type}); CREATE TABLE p(id INTEGER, v {sql_type});"
    ))
    .unwrap();
    let mut app = conn.appender("a").unwrap();
    for (i, v) in values.iter().enumerate() {
        app.append_row(&[Datum::Integer(i as i32), v.clone()][..])
            .unwrap_or_else(|e| panic!("{sql_type}: appending {v:?}: {e}"));
    }
    app.close().unwrap();
    const BATCH: usize = 50;
    let placeholders = vec!["(?, ?)"; BATCH].join(", ");
    let mut insert = conn
        .prepare(&format!("INSERT INTO p VALUES {placeholders}"))
        .unwrap();
    let mut single = conn.prepare("INSERT INTO p VALUES (?, ?)").unwrap();
    for (c, chunk) in values.chunks(BATCH).enumerate() {
        let params: Vec<Datum> = chunk
            .iter()
            .enumerate()
            .flat_map(|(j, v)| [Datum::Integer((c * BATCH + j) as i32), v.clone()])
            .collect();
        let result = if chunk.len() == BATCH {
            insert.execute(params.as_slice())
        } else {
            params
                .chunks(2)
                .try_for_each(|row| single.execute(row).map(drop))
                .map(|()| 0)
        };
        result.unwrap_or_else(|e| panic!("{sql_type}: binding chunk {c}: {e}"));
    }
    drop((insert, single));

    let mut tally = Tally {
        values: values.len(),
        ..Tally::default()
    };
    let mut result = conn
        .query(
            "SELECT a.v, CAST(a.v AS VARCHAR), a.v IS NOT DISTINCT FROM p.v \
             FROM a JOIN p USING (id) ORDER BY id",
        )
        .unwrap();
    let mut row = 0;
    while let Some(chunk) = result.next_chunk().unwrap() {
        let (v, text, same) = (
            chunk.vector(0).unwrap(),
            chunk.vector(1).unwrap(),
            chunk.vector(2).unwrap(),
        );
        // The column-wise reader must agree with the row-wise one.
        let column = v.datums().unwrap();
        let cells = v.display_cells().unwrap();
        for (r, from_column) in column.iter().enumerate() {
            let want = &values[row];
            let got = v.datum(r).unwrap();
            assert_eq!(
                format!("{from_column:?}"),
                format!("{got:?}"),
                "{sql_type} row {row}: datums() and datum()"
            );
            let engine = match text.datum(r).unwrap() {
                Datum::Varchar(s) => Some(s),
                _ => None,
            };
            let ours = (!got.is_null()).then(|| got.to_string());
            let mut fail = |what: String| {
                if tally.failures.len() < 8 {
                    tally.failures.push(format!("{sql_type} row {row}: {what}"));
                }
            };
            // Debug tells -0.0 from 0.0 and shows NaN equal to NaN.
            if format!("{got:?}") == format!("{want:?}") {
                tally.read_back_equal += 1;
            } else {
                fail(format!("wrote {want:?}, read {got:?}"));
            }
            if ours == engine {
                tally.text_equal += 1;
            } else {
                fail(format!("ours {ours:?}, engine {engine:?} ({got:?})"));
            }
            // The borrowed path, through Display and through write_to.
            let shown = cells.get(r).unwrap().map(|c| c.to_string());
            let mut written = String::from("x");
            let non_null = cells.write_to(r, &mut written).unwrap();
            let written = non_null.then(|| written[1..].to_owned());
            if shown == engine && written == engine {
                tally.cells_equal += 1;
            } else {
                fail(format!(
                    "borrowed cell: Display {shown:?}, write_to {written:?}, engine {engine:?}"
                ));
            }
            if same.datum(r).unwrap() == Datum::Boolean(true) {
                tally.paths_equal += 1;
            } else {
                fail(format!("appender and prepared INSERT differ for {want:?}"));
            }
            row += 1;
        }
    }
    assert_eq!(row, values.len(), "{sql_type}: rows read back");
    tally
}

fn run(types: Vec<(String, Ty)>) {
    let conn = conn();
    let mut rng = Rng(0x5EED_D0C5_2026_0014);
    let mut report = String::new();
    let mut failures = Vec::new();
    for (name, ty) in types {
        let values: Vec<Datum> = (0..N).map(|i| ty.value(&mut rng, i)).collect();
        let tally = check_type(&conn, &name, &values);
        report.push_str(&format!(
            "{name:<60} {:>6} values, text equal {:>6}, borrowed {:>6}, read back {:>6}, \
             paths equal {:>6}\n",
            tally.values,
            tally.text_equal,
            tally.cells_equal,
            tally.read_back_equal,
            tally.paths_equal
        ));
        failures.extend(tally.failures);
    }
    println!("{report}");
    assert!(failures.is_empty(), "{}\n{report}", failures.join("\n"));
}

#[test]
fn scalar_text_and_round_trips_match_the_engine() {
    let _ledger = common::ledger_guard();
    run(scalars()
        .into_iter()
        .map(|(n, g)| (n.to_string(), Ty::Scalar(n, g)))
        .collect());
}

#[test]
fn nested_text_and_round_trips_match_the_engine() {
    let _ledger = common::ledger_guard();
    run(nested_types().into_iter().map(|t| (t.sql(), t)).collect());
}

/// Values only SQL makes (unnamed STRUCTs, UNIONs holding NULL, constant vectors, ...): read
/// and rendered next to the engine's text.
#[test]
fn engine_made_values_render_as_the_engine() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    let exprs = [
        "ROW(1, 'a b')",
        "ROW(1)",
        "[ROW(1, 2), NULL]",
        "{'k': ROW('x', [1.5, NULL])}",
        "union_value(n := NULL::INTEGER)",
        "[union_value(s := 'a,b')]",
        "MAP {'a': [1], 'b': NULL}",
        "[[], [NULL]]",
        "'null'::VARCHAR",
        "['NULL', 'nul', 'NuLL', ' x', 'x ', 'é', '']",
        "[1e300, -0.0, 'nan'::DOUBLE, '-inf'::DOUBLE, 2]",
        "['-nan'::FLOAT, 1e-5::FLOAT, 0.1::FLOAT]",
        "[DATE '0001-01-01' - 1, 'infinity'::DATE]",
        "{'a''b': 1, 'c\\d': 'e''f'}",
        "[INTERVAL 1 DAY, INTERVAL '1 year 2 months 3 days 04:05:06.7']",
        "['a\\x5Cb'::BLOB, '\\x00\\xFF'::BLOB, 'q\"'::BLOB]",
        "[TIMETZ '01:02:03+05:30:15']",
        "0.5::DECIMAL(1,1)",
        "[-0.25::DECIMAL(2,2)]",
        "(2::BIGNUM ** 300)::BIGNUM",
        "'POINT (1 2)'::GEOMETRY",
        "'POINT ZM (1.5 -0 1e20 3)'::GEOMETRY",
        "'MULTIPOINT (1 2, EMPTY)'::GEOMETRY",
        "'GEOMETRYCOLLECTION (POINT EMPTY, LINESTRING (0 0, 1 1), POLYGON EMPTY)'::GEOMETRY",
        "['POLYGON ((0 0, 1 0, 1 1, 0 0))'::GEOMETRY, NULL]",
        "[-(10::BIGNUM ** 50)::BIGNUM, 0::BIGNUM]",
        "(SELECT sum(x::HUGEINT * 1e20::HUGEINT) FROM range(2000) t(x))::BIGNUM",
    ];
    for expr in exprs {
        let mut result = conn
            .query(&format!("SELECT {expr}, CAST({expr} AS VARCHAR)"))
            .unwrap();
        let chunk = result.next_chunk().unwrap().unwrap();
        let ours = chunk.vector(0).unwrap().datum(0).unwrap();
        let engine = chunk.vector(1).unwrap().datum(0).unwrap();
        let cell = chunk.vector(0).unwrap().display_cells().unwrap();
        let borrowed = cell.get(0).unwrap().map(|c| c.to_string());
        match engine {
            Datum::Varchar(text) => {
                assert_eq!(ours.to_string(), text, "{expr}: {ours:?}");
                assert_eq!(borrowed.as_deref(), Some(&*text), "{expr}: borrowed cell");
            }
            other => {
                assert!(ours.is_null(), "{expr}: engine {other:?}, ours {ours:?}");
                assert!(borrowed.is_none(), "{expr}: borrowed {borrowed:?}");
            }
        }
    }
}

/// FLOAT and DOUBLE are the subtle rules (shortest digits, ties, the FLOAT fallback): 100,000
/// random bit patterns of each against the engine.
#[test]
fn random_float_bits_render_as_the_engine() {
    let _ledger = common::ledger_guard();
    let conn = conn();
    conn.execute("CREATE TABLE f(x FLOAT, y DOUBLE)").unwrap();
    let mut rng = Rng(0x000F_10A7_2026);
    let mut app = conn.appender("f").unwrap();
    for i in 0..100_000 {
        let bits = rng.next();
        // Every other value a float with few significant digits: ties and edges live there.
        let x = if i % 2 == 0 {
            f32::from_bits(bits as u32)
        } else {
            (rng.range(-9_999_999, 9_999_999) as f32) * 2f32.powi(rng.range(-40, 40) as i32)
        };
        let y = if i % 2 == 0 {
            f64::from_bits(bits)
        } else {
            (rng.range(-(1 << 53), 1 << 53) as f64) * 2f64.powi(rng.range(-80, 80) as i32)
        };
        app.append_row(&[Datum::Float(x), Datum::Double(y)][..])
            .unwrap();
    }
    app.close().unwrap();
    let mut result = conn
        .query("SELECT x, y, x::VARCHAR, y::VARCHAR FROM f")
        .unwrap();
    let (mut compared, mut failures) = (0, Vec::new());
    while let Some(chunk) = result.next_chunk().unwrap() {
        let cells = [0, 1].map(|c| chunk.vector(c).unwrap().display_cells().unwrap());
        for r in 0..chunk.len() {
            for (c, cells) in cells.iter().enumerate() {
                let ours = chunk.vector(c).unwrap().datum(r).unwrap().to_string();
                let borrowed = cells.get(r).unwrap().map(|c| c.to_string());
                let engine = chunk.vector(c + 2).unwrap().datum(r).unwrap().to_string();
                compared += 1;
                if (ours != engine || borrowed.as_ref() != Some(&engine)) && failures.len() < 10 {
                    failures.push(format!(
                        "ours {ours}, borrowed {borrowed:?}, engine {engine}"
                    ));
                }
            }
        }
    }
    assert_eq!(compared, 200_000);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// BIGNUM reads into `Bignum` and into integers when the value fits; the storage decoder
/// checks DuckDB's layout, so a changed layout fails here rather than giving wrong numbers.
#[test]
fn bignum_reads_as_rust_integers() {
    let _ledger = common::ledger_guard();
    use duckdb_ffi::safe::ErrorKind;
    use duckdb_ffi::safe::types::Bignum;
    let conn = conn();
    let sql = "SELECT '-170141183460469231731687303715884105728'::BIGNUM, \
               '340282366920938463463374607431768211455'::BIGNUM, \
               '340282366920938463463374607431768211456'::BIGNUM, 7::BIGNUM";
    let (min, umax, too_big, seven) = conn
        .query_row(sql, (), |r| {
            Ok((
                r.get::<i128>(0)?,
                r.get::<u128>(1)?,
                r.get::<Bignum>(2)?,
                r.get::<u8>(3)?,
            ))
        })
        .unwrap();
    assert_eq!((min, umax, seven), (i128::MIN, u128::MAX, 7));
    let engine: String = conn
        .query_row(
            "SELECT '340282366920938463463374607431768211456'::BIGNUM::VARCHAR",
            (),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(too_big.to_string(), engine);
    assert_eq!(too_big.magnitude().len(), 17);
    let err = conn.query_row(sql, (), |r| r.get::<i128>(2)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch, "{err}");
    // Written back through a parameter, the engine sees the same number.
    let same: bool = conn
        .query_row(
            "SELECT ? = '340282366920938463463374607431768211456'::BIGNUM",
            [&too_big],
            |r| r.get(0),
        )
        .unwrap();
    assert!(same);
}
