//! Spans for the calls that cost time or hold resources (feature `tracing`).
//!
//! Every span is named `duckdb.<operation>` under the target `duckdb_ffi` and has the same
//! fields: `sql` (the statement text, cut to [`SQL_LIMIT`] bytes), `path` (of an opened
//! database), `rows` (rows changed by a statement other than a `SELECT`, or rows appended), `elapsed_us` (set when the span closes), `error` (the [`ErrorKind`] of a
//! failure, with `message`). Levels: `INFO` for opening and closing a database; `DEBUG` for
//! connect, disconnect, query, prepare, execute, flush and closing an appender; `TRACE` for
//! each appended row or chunk.
//!
//! A span is created inside the caller's current span, so a request's trace id flows into
//! the database calls made for it. Without the feature every function here is an empty
//! inline function returning a zero-sized guard: no code is added to the safe layer.

use crate::safe::error::{Error, ErrorKind, Result};
#[cfg(feature = "tracing")]
use std::time::Instant;

/// How much of a statement's text a span records (cut at a character boundary, marked `…`).
pub(crate) const SQL_LIMIT: usize = 256;

/// An entered span; closing it (drop) records `elapsed_us`.
#[must_use]
pub(crate) struct Guard {
    #[cfg(feature = "tracing")]
    span: tracing::span::EnteredSpan,
    /// Taken only when the span is enabled: a disabled span costs no clock read.
    #[cfg(feature = "tracing")]
    start: Option<Instant>,
}

#[cfg(feature = "tracing")]
macro_rules! op_span {
    ($level:ident, $name:literal) => {
        tracing::span!(
            target: "duckdb_ffi",
            tracing::Level::$level,
            $name,
            sql = tracing::field::Empty,
            path = tracing::field::Empty,
            rows = tracing::field::Empty,
            elapsed_us = tracing::field::Empty,
            error = tracing::field::Empty,
            message = tracing::field::Empty,
        )
    };
}

#[cfg(feature = "tracing")]
fn enter(span: tracing::Span, sql: Option<&str>) -> Guard {
    if span.is_disabled() {
        return Guard {
            span: span.entered(),
            start: None,
        };
    }
    if let Some(sql) = sql {
        span.record("sql", truncate(sql).as_ref());
    }
    Guard {
        span: span.entered(),
        start: Some(Instant::now()),
    }
}

/// `sql` cut to at most [`SQL_LIMIT`] bytes at a character boundary.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) fn truncate(sql: &str) -> std::borrow::Cow<'_, str> {
    let sql = sql.trim();
    if sql.len() <= SQL_LIMIT {
        return sql.into();
    }
    let mut end = SQL_LIMIT;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &sql[..end]).into()
}

macro_rules! ops {
    ($($(#[$doc:meta])* $fn:ident($($sql:ident)?) => $level:ident $name:literal;)*) => {$(
        $(#[$doc])*
        #[inline(always)]
        #[allow(unused_variables)]
        pub(crate) fn $fn($($sql: &str)?) -> Guard {
            #[cfg(feature = "tracing")]
            {
                #[allow(unused_mut, unused_assignments)]
                let mut text: Option<&str> = None;
                $(text = Some($sql);)?
                enter(op_span!($level, $name), text)
            }
            #[cfg(not(feature = "tracing"))]
            Guard {}
        }
    )*};
}

ops! {
    /// `duckdb_connect`.
    connect() => DEBUG "duckdb.connect";
    /// `duckdb_query` and `Connection::execute_batch`.
    query(sql) => DEBUG "duckdb.query";
    /// `duckdb_prepare`.
    prepare(sql) => DEBUG "duckdb.prepare";
    /// Running a prepared statement.
    execute() => DEBUG "duckdb.execute";
    /// One appended row or chunk.
    append() => TRACE "duckdb.append";
    /// `duckdb_appender_flush`.
    flush() => DEBUG "duckdb.flush";
    /// `duckdb_appender_close`.
    close_appender() => DEBUG "duckdb.close";
    /// `duckdb_disconnect`.
    disconnect() => DEBUG "duckdb.close";
    /// `duckdb_close`.
    close_database() => INFO "duckdb.close";
}

/// `duckdb_open_ext`, with the database's path (`:memory:` for none).
#[inline(always)]
#[allow(unused_variables)]
pub(crate) fn open(path: Option<&std::path::Path>) -> Guard {
    #[cfg(feature = "tracing")]
    {
        let span = op_span!(INFO, "duckdb.open");
        if !span.is_disabled() {
            let shown = path.map_or_else(|| ":memory:".into(), |p| p.display().to_string());
            span.record("path", shown);
        }
        enter(span, None)
    }
    #[cfg(not(feature = "tracing"))]
    Guard {}
}

impl Guard {
    /// Records `result`'s error, if any, and hands it back.
    #[inline(always)]
    pub(crate) fn finish<T>(self, result: Result<T>) -> Result<T> {
        if let Err(err) = &result {
            self.error(err);
        }
        result
    }

    /// Records `result`'s error, or `rows(value)` (when it is `Some`) as the `rows` field, and
    /// hands it back.
    #[inline(always)]
    #[allow(unused_variables)]
    pub(crate) fn finish_rows<T>(
        self,
        result: Result<T>,
        rows: impl FnOnce(&T) -> Option<u64>,
    ) -> Result<T> {
        match &result {
            Err(err) => self.error(err),
            #[cfg(feature = "tracing")]
            Ok(value) => {
                if !self.span.is_disabled() {
                    if let Some(rows) = rows(value) {
                        self.span.record("rows", rows);
                    }
                }
            }
            #[cfg(not(feature = "tracing"))]
            Ok(_) => {}
        }
        result
    }

    /// Records an error's kind and message.
    #[inline(always)]
    #[allow(unused_variables)]
    pub(crate) fn error(&self, err: &Error) {
        #[cfg(feature = "tracing")]
        if !self.span.is_disabled() {
            self.span.record("error", kind_name(err.kind()));
            self.span.record("message", err.message());
        }
    }
}

#[cfg(feature = "tracing")]
impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            let micros = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
            self.span.record("elapsed_us", micros);
        }
    }
}

/// A short name for an error kind: DuckDB's class name (`"Constraint"`), or the Rust-side kind.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Engine(e) => e.name(),
        ErrorKind::InteriorNul => "InteriorNul",
        ErrorKind::InvalidUtf8 => "InvalidUtf8",
        ErrorKind::TypeMismatch => "TypeMismatch",
        ErrorKind::OutOfRange => "OutOfRange",
        ErrorKind::Misuse => "Misuse",
        ErrorKind::Arrow => "Arrow",
    }
}
