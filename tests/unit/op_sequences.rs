//! A property test: random sequences of safe-API operations, each checked against a small
//! model of what the database must hold.
//!
//! It runs on both back ends of the unit tests: `cargo test --lib` against the real
//! engine, and `cargo +nightly miri test --lib` against the Rust model of the C API, where
//! Miri also checks that no operation, in any order, leaks, double-frees or reads memory it
//! does not own. Only the SQL texts of `miri_model::canned` are used, so both back ends give
//! the same answers. The generator is a tiny xorshift, so no dependency is needed and a
//! failing sequence is repeated from the seed in the message.
//!
//! Operations: create and fill the table `t` (with its primary-key errors), read it back,
//! canned queries and errors, a prepared statement with parameters, appender batches (with
//! duplicate keys that must discard the whole batch), chunks kept across later operations and
//! read or dropped out of order, values, interrupts of idle and closed connections, and
//! reconnects. After each sequence every handle is gone (the ledger is zero).

use super::*;
use std::collections::BTreeMap;

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// What a kept chunk must hold when it is read later.
enum Kept {
    /// The one row of `canned::ANSWER`.
    Answer(DataChunk),
    /// A chunk of `canned::RANGE`: consecutive numbers from its first.
    Range(DataChunk),
}

/// The model: the rows of `t` (`None` before it is created).
type Table = Option<BTreeMap<i64, Option<String>>>;

fn engine_error(result: Result<impl std::fmt::Debug>, want: EngineError, context: &str) {
    match result {
        Err(e) => assert_eq!(e.kind(), ErrorKind::Engine(want), "{context}: {e}"),
        Ok(v) => panic!("{context}: expected a {want:?} error, got {v:?}"),
    }
}

fn read_t(conn: &Connection) -> Result<BTreeMap<i64, Option<String>>> {
    let mut result = conn.query(sql::READ_T)?;
    let mut rows = result.rows();
    let mut found = BTreeMap::new();
    while let Some(row) = rows.next()? {
        found.insert(row.get::<i32>(0)?.into(), row.get::<Option<String>>(1)?);
    }
    Ok(found)
}

/// Runs one sequence of `steps` operations from `seed`.
fn run(seed: u64, steps: usize) {
    let mut rng = Rng::new(seed);
    let db = Database::open_in_memory().expect("open");
    let mut conns = vec![
        db.connect().expect("connect"),
        db.connect().expect("connect"),
    ];
    let mut table: Table = None;
    let mut kept: Vec<Kept> = Vec::new();
    for step in 0..steps {
        let at = format!("seed {seed}, step {step}");
        let c = rng.below(conns.len() as u64) as usize;
        let conn = &conns[c];
        match rng.below(13) {
            0 => match table {
                Some(_) => engine_error(conn.execute(sql::CREATE_T), EngineError::Catalog, &at),
                None => {
                    conn.execute(sql::CREATE_T).expect(&at);
                    table = Some(BTreeMap::new());
                }
            },
            1 | 2 => {
                let (text, rows): (&str, &[(i64, &str)]) = if rng.below(2) == 0 {
                    (sql::INSERT_T, &[(1, "one"), (2, "two")])
                } else {
                    (sql::INSERT_DUPLICATE, &[(1, "again")])
                };
                let result = conn.execute(text);
                match &mut table {
                    None => engine_error(result, EngineError::Catalog, &at),
                    Some(t) if rows.iter().any(|(x, _)| t.contains_key(x)) => {
                        engine_error(result, EngineError::Constraint, &at)
                    }
                    Some(t) => {
                        assert_eq!(result.expect(&at), rows.len() as u64, "{at}");
                        t.extend(rows.iter().map(|&(x, s)| (x, Some(s.to_string()))));
                    }
                }
            }
            3 => match &table {
                None => engine_error(read_t(conn), EngineError::Catalog, &at),
                Some(t) => assert_eq!(&read_t(conn).expect(&at), t, "{at}"),
            },
            4 => {
                // An appender batch of up to 6 rows with keys from a small range, so duplicates
                // (within the batch or with the table) happen: then nothing is written.
                let Some(t) = &mut table else {
                    engine_error(conn.appender("t").map(|_| ()), EngineError::Catalog, &at);
                    continue;
                };
                let mut app = conn.appender("t").expect(&at);
                let mut batch = BTreeMap::new();
                let mut duplicate = false;
                for _ in 0..1 + rng.below(6) {
                    let x = rng.below(12) as i64 + 10;
                    let s = (rng.below(3) != 0).then(|| format!("row {x} of a batch"));
                    duplicate |= t.contains_key(&x) || batch.insert(x, s.clone()).is_some();
                    app.append_row((x as i32, s.as_deref())).expect(&at);
                }
                if duplicate {
                    engine_error(app.close(), EngineError::Constraint, &at);
                } else {
                    app.close().expect(&at);
                    t.extend(batch);
                }
            }
            5 => {
                let n = rng.below(2001) as i64 - 1000;
                let mut stmt = conn.prepare(sql::PARAM_PLUS_ONE).expect(&at);
                for k in 0..1 + rng.below(3) as i64 {
                    let got: i64 = stmt.query_row((n + k,), |r| r.get(0)).expect(&at);
                    assert_eq!(got, n + k + 1, "{at}");
                }
                // Too many parameters is refused before C is called.
                assert!(stmt.query_row((1, 2), |r| r.get::<i64>(0)).is_err(), "{at}");
            }
            6 => {
                let answer: i32 = conn.query_row(sql::ANSWER, (), |r| r.get(0)).expect(&at);
                assert_eq!(answer, 42, "{at}");
                let mut empty = conn.query(sql::EMPTY).expect(&at);
                assert!(empty.rows().next().expect(&at).is_none(), "{at}");
            }
            7 => {
                engine_error(conn.query(sql::PARSE_ERROR), EngineError::Parser, &at);
                engine_error(conn.prepare(sql::MISSING_TABLE), EngineError::Catalog, &at);
            }
            8 => {
                // Keep a chunk of a result whose result is gone.
                if rng.below(2) == 0 {
                    let mut result = conn.query(sql::ANSWER).expect(&at);
                    kept.push(Kept::Answer(result.next_chunk().expect(&at).expect(&at)));
                } else {
                    let mut result = conn.query(sql::RANGE).expect(&at);
                    let skip = rng.below(2);
                    for _ in 0..skip {
                        result.next_chunk().expect(&at);
                    }
                    kept.push(Kept::Range(result.next_chunk().expect(&at).expect(&at)));
                }
            }
            9 => {
                // Read or drop a kept chunk, in any order.
                if kept.is_empty() {
                    continue;
                }
                let chunk = kept.swap_remove(rng.below(kept.len() as u64) as usize);
                if rng.below(2) == 0 {
                    match chunk {
                        Kept::Answer(chunk) => {
                            assert_eq!(chunk.vector(0).unwrap().as_slice::<i32>().unwrap(), [42])
                        }
                        Kept::Range(chunk) => {
                            let n = chunk.vector(0).unwrap();
                            let n = n.as_slice::<i64>().unwrap();
                            assert!(!n.is_empty(), "{at}");
                            assert!(n.windows(2).all(|w| w[1] == w[0] + 1), "{at}");
                        }
                    }
                }
            }
            10 => {
                let v = rng.below(1 << 40) as i64 - (1 << 39);
                let value = Value::from(v);
                assert_eq!(value.get_i64().expect(&at), v, "{at}");
                let text = Value::varchar(&format!("value {v}"));
                assert_eq!(text.get_str().expect(&at), format!("value {v}"), "{at}");
            }
            11 => {
                // An interrupt sent while nothing runs is cleared by the next statement.
                conn.interrupt_handle().interrupt().expect(&at);
                let answer: i32 = conn.query_row(sql::ANSWER, (), |r| r.get(0)).expect(&at);
                assert_eq!(answer, 42, "{at}");
            }
            _ => {
                // Reconnect: the old connection's interrupt handle must now refuse.
                let old = conns[c].interrupt_handle();
                conns[c] = db.connect().expect(&at);
                assert_eq!(
                    old.interrupt().unwrap_err().kind(),
                    ErrorKind::Misuse,
                    "{at}"
                );
            }
        }
    }
    // The database closes before its connections and kept chunks: both are legal.
    drop(db);
    if let Some(t) = &table {
        assert_eq!(
            &read_t(&conns[0]).expect("final read"),
            t,
            "seed {seed}: at the end"
        );
    }
    drop(kept);
    drop(conns);
}

#[test]
fn random_operation_sequences_match_the_model() {
    // Serialised with the other lib tests; asserts at the end that no handle is alive.
    let _ledger = ledger_guard();
    // Under Miri every C call is interpreted: fewer, shorter sequences.
    let (sequences, steps) = if cfg!(miri) { (3, 30) } else { (50, 60) };
    let base = std::env::var("DUCKDB_FFI_OPS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_u64);
    for i in 0..sequences {
        run(base + i, steps);
        assert_eq!(
            ledger::snapshot().live_total(),
            0,
            "seed {}: handles left alive:\n{}",
            base + i,
            ledger::snapshot()
        );
    }
}
