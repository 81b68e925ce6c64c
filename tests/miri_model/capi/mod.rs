//! The C functions of the model (see the parent module).
//!
//! One file per C API area (`database`, `result`, `chunk`, `logical_type`, `value`, `arrow`,
//! ...), each holding that area's `#[unsafe(no_mangle)] extern "C"` functions. The areas share the base
//! files `registry` (live objects and helpers), `ty` (types and values), `storage` (vectors and
//! chunks), `engine` (canned SQL), `catalog` (registered functions), `invoke` (running
//! canned SQL that calls them) and `sql` (which of the two runs a text). `signatures` checks
//! every function against its declaration in src/raw/duckdb.rs.

#![allow(clippy::missing_safety_doc, clippy::not_unsafe_ptr_arg_deref)]

// Shared by the areas.
mod catalog;
mod engine;
mod invoke;
mod registry;
mod sql;
mod storage;
mod ty;

// One C API area each.
mod append;
mod appender;
mod arrow;
mod chunk;
mod database;
mod error_data;
mod functions;
mod logical_type;
mod memory;
mod other_types;
mod pending;
mod result;
mod scalars;
mod statement;
mod table_function;
mod value;

mod signatures;
