//! The model's stand-in for the engine: the canned SQL it answers and the table `t` it keeps.

use super::super::canned;
use super::catalog::Catalog;
use super::registry::fail;
use super::ty::{Cell, Ty, simple, text_cell};
use crate as ffi;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::{Mutex, PoisonError};

// ---------------------------------------------------------------------------------------------
// Canned SQL
// ---------------------------------------------------------------------------------------------

/// The one table the canned SQL knows: `t(x INTEGER PRIMARY KEY, s VARCHAR)`.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) t: Option<BTreeMap<i64, Option<String>>>,
}

/// One database's state, shared by the database handle and its connections (dropped after
/// the last of them, as DuckDB's `DatabaseInstance`): its tables and its catalog of functions.
#[derive(Default)]
pub(super) struct Engine {
    tables: Mutex<Tables>,
    catalog: Mutex<Catalog>,
}

impl Engine {
    pub(super) fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The catalog. Never held while a callback runs (a callback may call into the model).
    pub(super) fn catalog(&self) -> std::sync::MutexGuard<'_, Catalog> {
        self.catalog.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What running a statement produced.
pub(super) struct Outcome {
    pub(super) columns: Vec<(CString, Ty)>,
    /// Column-major data.
    pub(super) data: Vec<Vec<Cell>>,
    pub(super) rows_changed: u64,
    pub(super) statement_type: ffi::duckdb_statement_type,
    pub(super) error: Option<(CString, ffi::duckdb_error_type)>,
}

impl Outcome {
    pub(super) fn rows(
        statement_type: ffi::duckdb_statement_type,
        columns: &[(&str, Ty)],
        data: Vec<Vec<Cell>>,
    ) -> Outcome {
        Outcome {
            columns: columns
                .iter()
                .map(|(n, t)| (cstring(n), t.clone()))
                .collect(),
            data,
            rows_changed: 0,
            statement_type,
            error: None,
        }
    }

    pub(super) fn error(code: ffi::duckdb_error_type, message: String) -> Outcome {
        Outcome {
            columns: Vec::new(),
            data: Vec::new(),
            rows_changed: 0,
            statement_type: ffi::duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INVALID,
            error: Some((cstring(&message), code)),
        }
    }

    pub(super) fn row_count(&self) -> usize {
        self.data.first().map_or(0, Vec::len)
    }
}

pub(super) fn cstring(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| fail(format_args!("canned text contains NUL")))
}

pub(super) fn normalize(sql: &str) -> &str {
    sql.trim().trim_end_matches(';').trim()
}

/// Errors DuckDB reports while parsing, binding or planning (before execution).
pub(super) fn prepare_error(sql: &str) -> Option<(ffi::duckdb_error_type, String)> {
    match normalize(sql) {
        canned::PARSE_ERROR => Some((
            ffi::duckdb_error_type_DUCKDB_ERROR_PARSER,
            "Parser Error: syntax error at or near \"SELEC\"".into(),
        )),
        canned::MISSING_TABLE => Some((
            ffi::duckdb_error_type_DUCKDB_ERROR_CATALOG,
            "Catalog Error: Table with name no_such_table does not exist!".into(),
        )),
        _ => None,
    }
}

/// Number of parameters of a canned statement.
pub(super) fn parameter_count(sql: &str) -> usize {
    normalize(sql).matches('?').count()
}

/// Runs one canned statement that calls no registered function (`sql::run` sends those to
/// `invoke`).
pub(super) fn run_canned(engine: &Engine, sql: &str, params: &[Option<Cell>]) -> Outcome {
    use ffi::*;
    if let Some((code, message)) = prepare_error(sql) {
        return Outcome::error(code, message);
    }
    if let Some(missing) = params.iter().position(Option::is_none) {
        return Outcome::error(
            duckdb_error_type_DUCKDB_ERROR_INVALID_INPUT,
            format!(
                "Invalid Input Error: Values were not provided for the following prepared statement parameters: {}",
                missing + 1
            ),
        );
    }
    let select = duckdb_statement_type_DUCKDB_STATEMENT_TYPE_SELECT;
    let integer = || simple(DUCKDB_TYPE_DUCKDB_TYPE_INTEGER);
    let bigint = || simple(DUCKDB_TYPE_DUCKDB_TYPE_BIGINT);
    let varchar = || simple(DUCKDB_TYPE_DUCKDB_TYPE_VARCHAR);
    let missing_t = || {
        Outcome::error(
            duckdb_error_type_DUCKDB_ERROR_CATALOG,
            "Catalog Error: Table with name t does not exist!".into(),
        )
    };
    match normalize(sql) {
        canned::ANSWER => {
            Outcome::rows(select, &[("answer", integer())], vec![vec![Cell::Int(42)]])
        }
        canned::EMPTY => Outcome::rows(select, &[("answer", integer())], vec![vec![]]),
        canned::RANGE => Outcome::rows(
            select,
            &[("n", bigint())],
            vec![(0..5000).map(Cell::Int).collect()],
        ),
        canned::MIXED => Outcome::rows(
            select,
            &[
                ("i", integer()),
                ("d", simple(DUCKDB_TYPE_DUCKDB_TYPE_DOUBLE)),
                ("s", varchar()),
                ("b", bigint()),
                ("f", simple(DUCKDB_TYPE_DUCKDB_TYPE_BOOLEAN)),
            ],
            vec![
                vec![
                    Cell::Int(1),
                    Cell::Null,
                    Cell::Int(-3),
                    Cell::Int(2147483647),
                    Cell::Int(4),
                ],
                vec![
                    Cell::Float(2.5),
                    Cell::Null,
                    Cell::Float(-0.25),
                    Cell::Float(1e300),
                    Cell::Float(0.0),
                ],
                vec![
                    text_cell("short"),
                    Cell::Null,
                    text_cell("twelve bytes"),
                    text_cell("thirteen byte"),
                    text_cell("a string that is clearly longer than twelve bytes"),
                ],
                vec![
                    Cell::Int(10_000_000_000),
                    Cell::Null,
                    Cell::Int(-7),
                    Cell::Int(i64::MAX.into()),
                    Cell::Int(0),
                ],
                vec![
                    Cell::Bool(true),
                    Cell::Null,
                    Cell::Bool(false),
                    Cell::Bool(true),
                    Cell::Null,
                ],
            ],
        ),
        canned::SCALARS => {
            let a: [Option<i128>; 3] = [Some(1), None, Some(100)];
            let ints = || {
                a.iter()
                    .map(|v| v.map_or(Cell::Null, Cell::Int))
                    .collect::<Vec<_>>()
            };
            Outcome::rows(
                select,
                &[
                    ("ti", simple(DUCKDB_TYPE_DUCKDB_TYPE_TINYINT)),
                    ("si", simple(DUCKDB_TYPE_DUCKDB_TYPE_SMALLINT)),
                    ("hi", simple(DUCKDB_TYPE_DUCKDB_TYPE_HUGEINT)),
                    ("uti", simple(DUCKDB_TYPE_DUCKDB_TYPE_UTINYINT)),
                    ("usi", simple(DUCKDB_TYPE_DUCKDB_TYPE_USMALLINT)),
                    ("ui", simple(DUCKDB_TYPE_DUCKDB_TYPE_UINTEGER)),
                    ("ubi", simple(DUCKDB_TYPE_DUCKDB_TYPE_UBIGINT)),
                    ("uhi", simple(DUCKDB_TYPE_DUCKDB_TYPE_UHUGEINT)),
                    ("fl", simple(DUCKDB_TYPE_DUCKDB_TYPE_FLOAT)),
                    ("dt", simple(DUCKDB_TYPE_DUCKDB_TYPE_DATE)),
                    ("de", Ty::Decimal(18, 3)),
                    ("bl", simple(DUCKDB_TYPE_DUCKDB_TYPE_BLOB)),
                ],
                vec![
                    ints(),
                    ints(),
                    ints(),
                    ints(),
                    ints(),
                    ints(),
                    ints(),
                    ints(),
                    a.iter()
                        .map(|v| v.map_or(Cell::Null, |i| Cell::Float(i as f64)))
                        .collect(),
                    // DATE '2024-01-01' is day 19723 since the epoch.
                    a.iter()
                        .map(|v| v.map_or(Cell::Null, |i| Cell::Int(19723 + i)))
                        .collect(),
                    a.iter()
                        .map(|v| v.map_or(Cell::Null, |i| Cell::Int(i * 1000)))
                        .collect(),
                    a.iter()
                        .map(|v| v.map_or(Cell::Null, |i| text_cell(&i.to_string())))
                        .collect(),
                ],
            )
        }
        canned::COMPLEX => {
            let union = vec![("i".to_string(), integer()), ("s".to_string(), varchar())];
            Outcome::rows(
                select,
                &[
                    ("m", Ty::Map(Box::new(varchar()), Box::new(integer()))),
                    ("arr", Ty::Array(Box::new(integer()), 2)),
                    ("u", Ty::Union(union)),
                    ("e", Ty::Enum(vec!["red".into(), "green".into()])),
                ],
                vec![
                    vec![
                        Cell::List(vec![Cell::Struct(vec![text_cell("a"), Cell::Int(1)])]),
                        Cell::Null,
                        Cell::List(vec![]),
                    ],
                    vec![
                        Cell::List(vec![Cell::Int(1), Cell::Int(2)]),
                        Cell::Null,
                        Cell::List(vec![Cell::Int(3), Cell::Null]),
                    ],
                    vec![
                        Cell::Struct(vec![Cell::Int(0), Cell::Int(1), Cell::Null]),
                        Cell::Null,
                        Cell::Struct(vec![Cell::Int(1), Cell::Null, text_cell("text")]),
                    ],
                    vec![Cell::Int(1), Cell::Null, Cell::Int(0)],
                ],
            )
        }
        canned::NESTED => Outcome::rows(
            select,
            &[
                ("l", Ty::List(Box::new(integer()))),
                (
                    "st",
                    Ty::Struct(vec![("k".into(), integer()), ("v".into(), varchar())]),
                ),
            ],
            vec![
                vec![
                    Cell::List(vec![Cell::Int(1), Cell::Int(2), Cell::Null]),
                    Cell::Null,
                    Cell::List(vec![]),
                ],
                vec![
                    Cell::Struct(vec![Cell::Int(7), text_cell("seven")]),
                    Cell::Null,
                    Cell::Struct(vec![
                        Cell::Null,
                        text_cell("a struct string longer than twelve"),
                    ]),
                ],
            ],
        ),
        canned::CREATE_T => {
            let mut tables = engine.tables();
            if tables.t.is_some() {
                return Outcome::error(
                    duckdb_error_type_DUCKDB_ERROR_CATALOG,
                    "Catalog Error: Table with name \"t\" already exists!".into(),
                );
            }
            tables.t = Some(BTreeMap::new());
            Outcome::rows(
                duckdb_statement_type_DUCKDB_STATEMENT_TYPE_CREATE,
                &[],
                Vec::new(),
            )
        }
        canned::INSERT_T | canned::INSERT_DUPLICATE => {
            let rows: &[(i64, &str)] = if normalize(sql) == canned::INSERT_T {
                &[(1, "one"), (2, "two")]
            } else {
                &[(1, "again")]
            };
            let mut tables = engine.tables();
            let Some(t) = tables.t.as_mut() else {
                return missing_t();
            };
            let rows: Vec<(i64, Option<String>)> = rows
                .iter()
                .map(|(x, s)| (*x, Some(s.to_string())))
                .collect();
            if let Err(outcome) = insert(t, &rows) {
                return outcome;
            }
            let mut outcome = Outcome::rows(
                duckdb_statement_type_DUCKDB_STATEMENT_TYPE_INSERT,
                &[("Count", bigint())],
                vec![vec![Cell::Int(rows.len() as i128)]],
            );
            outcome.rows_changed = rows.len() as u64;
            outcome
        }
        canned::READ_T => {
            let tables = engine.tables();
            let Some(t) = tables.t.as_ref() else {
                return missing_t();
            };
            Outcome::rows(
                select,
                &[("x", integer()), ("s", varchar())],
                vec![
                    t.keys().map(|&x| Cell::Int(x.into())).collect(),
                    t.values()
                        .map(|s| s.as_deref().map_or(Cell::Null, text_cell))
                        .collect(),
                ],
            )
        }
        canned::PARAM_PLUS_ONE => {
            let value = match &params[0] {
                Some(Cell::Int(i)) => Cell::Int(i + 1),
                Some(Cell::Null) => Cell::Null,
                Some(other) => {
                    return Outcome::error(
                        duckdb_error_type_DUCKDB_ERROR_CONVERSION,
                        format!("Conversion Error: Could not convert {other:?} to INT64"),
                    );
                }
                None => unreachable!("checked above"),
            };
            Outcome::rows(select, &[("n", bigint())], vec![vec![value]])
        }
        other => Outcome::error(
            duckdb_error_type_DUCKDB_ERROR_INVALID,
            format!("the Miri model of the C API has no canned answer for SQL `{other}`"),
        ),
    }
}

/// Inserts rows into `t`, all or nothing, checking the primary key.
pub(super) fn insert(
    t: &mut BTreeMap<i64, Option<String>>,
    rows: &[(i64, Option<String>)],
) -> Result<(), Outcome> {
    let mut seen = std::collections::BTreeSet::new();
    for (x, _) in rows {
        if t.contains_key(x) || !seen.insert(*x) {
            return Err(Outcome::error(
                ffi::duckdb_error_type_DUCKDB_ERROR_CONSTRAINT,
                format!(
                    "Constraint Error: Duplicate key \"x: {x}\" violates primary key constraint."
                ),
            ));
        }
    }
    t.extend(rows.iter().cloned());
    Ok(())
}
