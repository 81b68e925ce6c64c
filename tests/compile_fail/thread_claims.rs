//! The README's thread claims, each checked by the compiler (this module exists only when
//! rustdoc collects doctests).
//!
//! "`Database` is `Send + Sync`; `Connection`, results, statements, appenders and chunks are
//! `Send`, not `Sync`; `InterruptHandle` is `Send + Sync`."
//!
//! The positive half compiles:
//!
//! ```
//! use duckdb_ffi::safe::*;
//! fn send<T: Send>() {}
//! fn sync<T: Sync>() {}
//! send::<Database>();
//! sync::<Database>();
//! send::<Connection>();
//! send::<QueryResult<'static>>();
//! send::<PendingResult<'static, 'static>>();
//! send::<PreparedStatement<'static>>();
//! send::<Appender<'static>>();
//! send::<DataChunk>();
//! send::<InterruptHandle>();
//! sync::<InterruptHandle>();
//! ```
//!
//! and each negative is a compile error (E0277: the trait bound is not satisfied). Each
//! block differs from the positive one above only in the one claim it checks.
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::Connection>();
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::QueryResult<'static>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::PendingResult<'static, 'static>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::PreparedStatement<'static>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::Appender<'static>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::DataChunk>();
//! ```
//!
//! A `Vector` borrows its chunk, so it cannot go to another thread without the chunk: a
//! scoped thread that takes one while the chunk is dropped does not compile either.
//!
//! ```compile_fail,E0505
//! use duckdb_ffi::safe::Database;
//! let conn = Database::open_in_memory().unwrap().connect().unwrap();
//! let mut result = conn.query("SELECT 1").unwrap();
//! let chunk = result.next_chunk().unwrap().unwrap();
//! let vector = chunk.vector(0).unwrap();
//! let thread = std::thread::spawn(move || drop(chunk)); // error: `chunk` is borrowed
//! vector.len();
//! thread.join().unwrap();
//! ```
//!
//! Sharing a `Connection` between threads by reference is what `!Sync` forbids:
//!
//! ```compile_fail,E0277
//! use duckdb_ffi::safe::Database;
//! let conn = Database::open_in_memory().unwrap().connect().unwrap();
//! std::thread::scope(|s| {
//!     s.spawn(|| conn.execute("SELECT 1"));
//!     s.spawn(|| conn.execute("SELECT 2"));
//! });
//! ```
//!
//! while moving it to one thread, and sharing a `&Database`, compile:
//!
//! ```
//! use duckdb_ffi::safe::Database;
//! let db = Database::open_in_memory()?;
//! let conn = db.connect()?;
//! std::thread::scope(|s| {
//!     s.spawn(move || conn.execute("SELECT 1"));
//!     s.spawn(|| db.connect()?.execute("SELECT 2"));
//! });
//! # Ok::<(), duckdb_ffi::safe::Error>(())
//! ```
//!
//! Arrow: the owned C structs move between threads (the interface lets any thread release
//! them) but a stream is not shared, and an importer, which converts with its connection's
//! context, stays on the connection's thread.
//!
//! ```
//! use duckdb_ffi::safe::arrow::*;
//! fn send<T: Send>() {}
//! fn sync<T: Sync>() {}
//! send::<ArrowSchema>();
//! sync::<ArrowSchema>();
//! send::<ArrowArray>();
//! send::<ArrowStream<'static>>();
//! send::<ArrowTable>();
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>() {}
//! sync::<duckdb_ffi::safe::arrow::ArrowStream<'static>>();
//! ```
//!
//! ```compile_fail,E0277
//! fn send<T: Send>() {}
//! send::<duckdb_ffi::safe::arrow::ArrowImporter<'static>>();
//! ```
