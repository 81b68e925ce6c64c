//! The model's one way to run SQL: the texts that call registered functions go to `invoke`,
//! every other canned text to `engine`. Kept apart from both so that `invoke`, which needs the
//! engine's state, and `engine` do not import each other.

use super::engine::{Engine, Outcome, normalize, run_canned};
use super::invoke;
use super::ty::Cell;

/// Runs one canned statement with its bound parameters.
pub(super) fn run(engine: &Engine, sql: &str, params: &[Option<Cell>]) -> Outcome {
    let text = normalize(sql);
    // The function texts take no parameters, so the parameter checks of `run_canned` have
    // nothing to check for them.
    if invoke::is_function_sql(text) {
        return invoke::run(engine, text);
    }
    run_canned(engine, sql, params)
}
