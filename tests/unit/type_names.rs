//! The keyword list that decides which field names a type name quotes, against the engine's
//! own (`duckdb_keywords()`): a pin bump that adds a keyword fails here.

use super::*;

#[cfg(not(miri))]
#[test]
fn the_keyword_list_is_the_engines() {
    let _ledger = ledger_guard();
    let conn = conn();
    let mut result = conn
        .query("SELECT DISTINCT keyword_name FROM duckdb_keywords() ORDER BY keyword_name")
        .unwrap();
    let mut engine = Vec::new();
    for chunk in result.chunks() {
        let chunk = chunk.unwrap();
        let names = chunk.vector(0).unwrap().strings().unwrap();
        for row in 0..chunk.len() {
            engine.push(names.get(row).unwrap().unwrap().to_string());
        }
    }
    assert_eq!(engine, crate::safe::types::KEYWORDS);
}
