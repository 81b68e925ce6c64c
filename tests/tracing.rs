//! Own test binary: tracing caches callsite interest process-wide; other tests would change it.
//!
//! The `tracing` feature: every traced call opens a span under the caller's current span,
//! with the documented name, level and fields. A small recording subscriber written here
//! stands in for a real one.
//!
//! One test only: tracing caches each callsite's interest globally, so a test running calls
//! without a subscriber on another thread at the same time could make these spans invisible.
#![cfg(feature = "tracing")]

use duckdb_ffi::safe::Database;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[derive(Clone, Debug)]
struct SpanRec {
    name: &'static str,
    level: Level,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Recorder {
    next: AtomicU64,
    spans: Mutex<BTreeMap<u64, SpanRec>>,
    /// The entered spans (the test runs on one thread).
    stack: Mutex<Vec<u64>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.to_string());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let parent = if let Some(p) = attrs.parent() {
            Some(p.into_u64())
        } else if attrs.is_contextual() {
            self.stack.lock().unwrap().last().copied()
        } else {
            None
        };
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.spans.lock().unwrap().insert(
            id,
            SpanRec {
                name: attrs.metadata().name(),
                level: *attrs.metadata().level(),
                parent,
                fields,
            },
        );
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(rec) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(&mut rec.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, span: &Id) {
        self.stack.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut stack = self.stack.lock().unwrap();
        if stack.last() == Some(&span.into_u64()) {
            stack.pop();
        }
    }
}

#[test]
fn spans_are_parented_to_the_callers_span_with_their_fields() {
    let recorder = Arc::new(Recorder::default());
    let long_sql = format!("SELECT 1 AS a{}", " ".repeat(400) + "-- tail");
    tracing::subscriber::with_default(Arc::clone(&recorder), || {
        let request = tracing::info_span!("request", trace_id = 4242u64);
        let _in_request = request.enter();
        let db = Database::open_in_memory().unwrap();
        let conn = db.connect().unwrap();
        conn.execute_batch("CREATE TABLE t(x INTEGER PRIMARY KEY)")
            .unwrap();
        assert_eq!(
            conn.execute("INSERT INTO t VALUES (1), (2), (3)").unwrap(),
            3
        );
        conn.query(&long_sql).unwrap();
        assert!(conn.query("SELECT * FROM missing").is_err());
        let mut stmt = conn.prepare("SELECT count(*) FROM t WHERE x > ?").unwrap();
        assert_eq!(stmt.query_row((1,), |r| r.get::<i64>(0)).unwrap(), 2);
        drop(stmt);
        let mut app = conn.appender("t").unwrap();
        app.append_row((10,)).unwrap();
        app.flush().unwrap();
        app.append_row((11,)).unwrap();
        app.close().unwrap();
        drop(conn);
        drop(db);
    });

    // Without a subscriber the same calls still work (and nothing more is recorded).
    let before = recorder.spans.lock().unwrap().len();
    let conn = Database::open_in_memory().unwrap().connect().unwrap();
    assert_eq!(
        conn.query_row("SELECT 41 + 1", (), |r| r.get::<i32>(0))
            .unwrap(),
        42
    );
    drop(conn);
    assert_eq!(recorder.spans.lock().unwrap().len(), before);

    let spans = recorder.spans.lock().unwrap().clone();
    let (&request_id, _) = spans.iter().find(|(_, s)| s.name == "request").unwrap();
    let ours: Vec<&SpanRec> = spans
        .values()
        .filter(|s| s.name.starts_with("duckdb."))
        .collect();
    for s in &ours {
        assert_eq!(s.parent, Some(request_id), "{s:?} is not under the request");
        assert!(
            s.fields.contains_key("elapsed_us"),
            "{s:?} has no elapsed_us"
        );
    }
    let named =
        |name: &str| -> Vec<&SpanRec> { ours.iter().copied().filter(|s| s.name == name).collect() };
    for name in [
        "duckdb.open",
        "duckdb.connect",
        "duckdb.query",
        "duckdb.prepare",
        "duckdb.execute",
        "duckdb.append",
        "duckdb.flush",
        "duckdb.close",
    ] {
        assert!(!named(name).is_empty(), "no {name} span in {ours:#?}");
    }
    assert_eq!(named("duckdb.open")[0].level, Level::INFO);
    assert_eq!(named("duckdb.open")[0].fields["path"], ":memory:");
    assert_eq!(named("duckdb.connect")[0].level, Level::DEBUG);
    assert_eq!(named("duckdb.append").len(), 2);
    assert!(
        named("duckdb.append")
            .iter()
            .all(|s| s.level == Level::TRACE)
    );
    // Appender close, disconnect, database close.
    let closes = named("duckdb.close");
    assert_eq!(closes.len(), 3, "{closes:#?}");
    assert_eq!(closes.last().unwrap().level, Level::INFO);

    let queries = named("duckdb.query");
    let insert = queries
        .iter()
        .find(|s| s.fields["sql"].starts_with("INSERT"))
        .unwrap();
    assert_eq!(insert.fields["rows"], "3");
    let long = queries
        .iter()
        .find(|s| s.fields["sql"].starts_with("SELECT 1 AS a"))
        .unwrap();
    assert!(long.fields["sql"].ends_with('…'), "{long:?}");
    assert!(
        !long.fields.contains_key("rows"),
        "a SELECT has no rows-changed count"
    );
    assert!(long.fields["sql"].len() <= 256 + '…'.len_utf8());
    let failed = queries
        .iter()
        .find(|s| s.fields["sql"].contains("missing"))
        .unwrap();
    assert_eq!(failed.fields["error"], "Catalog");
    assert!(failed.fields["message"].contains("missing"));
    assert!(
        named("duckdb.prepare")
            .iter()
            .any(|s| s.fields["sql"].contains("count(*)"))
    );
}
