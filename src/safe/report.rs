//! Reports for production: what holds memory ([`MemoryReport`]) and where the last query
//! spent its time ([`ProfileNode`]), both as owned, printable and inspectable values.

use crate as ffi;
use crate::safe::connection::Connection;
use crate::safe::database::Database;
use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::ledger::{self, Snapshot};
use crate::safe::values::Value;

use std::fmt;

/// What a database holds in memory and on temporary disk, with the safe layer's live
/// handles, from [`Database::memory_report`].
///
/// ```
/// use duckdb_ffi::safe::Database;
/// let db = Database::open_in_memory()?;
/// db.connect()?.execute_batch("CREATE TABLE t AS SELECT range AS x FROM range(100000)")?;
/// let report = db.memory_report()?;
/// assert!(report.total_memory_bytes() > 0);
/// assert!(report.tag("IN_MEMORY_TABLE").is_some());
/// println!("{report}");
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryReport {
    /// DuckDB's memory by tag (`duckdb_memory()`), in DuckDB's order.
    pub tags: Vec<MemoryTag>,
    /// Temporary files DuckDB has spilled to (`duckdb_temporary_files()`).
    pub temporary_files: Vec<TemporaryFile>,
    /// The `memory_limit` setting as DuckDB prints it (`"3.1 GiB"`).
    pub memory_limit: String,
    /// The `threads` setting.
    pub threads: i64,
    /// The safe layer's live handles (process-wide) when the report was made.
    pub ledger: Snapshot,
}

/// One row of `duckdb_memory()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryTag {
    /// What the memory is for (`BASE_TABLE`, `HASH_TABLE`, `ORDER_BY`, ...).
    pub tag: String,
    /// Bytes held in memory.
    pub memory_bytes: i64,
    /// Bytes spilled to temporary storage.
    pub temporary_bytes: i64,
}

/// One row of `duckdb_temporary_files()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemporaryFile {
    /// The file's path.
    pub path: String,
    /// Its size in bytes.
    pub size: i64,
}

impl MemoryReport {
    /// Memory held over all tags, in bytes.
    pub fn total_memory_bytes(&self) -> i64 {
        self.tags.iter().map(|t| t.memory_bytes).sum()
    }

    /// Temporary storage over all tags, in bytes.
    pub fn total_temporary_bytes(&self) -> i64 {
        self.tags.iter().map(|t| t.temporary_bytes).sum()
    }

    /// The row of `tag`, if DuckDB reports it.
    pub fn tag(&self, tag: &str) -> Option<&MemoryTag> {
        self.tags.iter().find(|t| t.tag.eq_ignore_ascii_case(tag))
    }
}

impl fmt::Display for MemoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "memory_limit {}, threads {}; in memory {} bytes, temporary {} bytes",
            self.memory_limit,
            self.threads,
            self.total_memory_bytes(),
            self.total_temporary_bytes()
        )?;
        writeln!(f, "{:<24} {:>14} {:>14}", "tag", "memory", "temporary")?;
        for t in self
            .tags
            .iter()
            .filter(|t| t.memory_bytes != 0 || t.temporary_bytes != 0)
        {
            writeln!(
                f,
                "{:<24} {:>14} {:>14}",
                t.tag, t.memory_bytes, t.temporary_bytes
            )?;
        }
        for file in &self.temporary_files {
            writeln!(f, "temporary file {} ({} bytes)", file.path, file.size)?;
        }
        write!(f, "{}", self.ledger)
    }
}

impl Database {
    /// What the database holds in memory and in temporary files, its memory limit and
    /// threads, and the safe layer's live handles. Runs three small queries on a connection
    /// of its own (opened and closed here, so the ledger in the report does not count it).
    pub fn memory_report(&self) -> Result<MemoryReport> {
        let conn = self.connect()?;
        let tags = conn
            .query("SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory()")?
            .rows()
            .map(|r| {
                Ok(MemoryTag {
                    tag: r.get(0)?,
                    memory_bytes: r.get(1)?,
                    temporary_bytes: r.get(2)?,
                })
            })?;
        let temporary_files = conn
            .query("SELECT path, size FROM duckdb_temporary_files()")?
            .rows()
            .map(|r| {
                Ok(TemporaryFile {
                    path: r.get(0)?,
                    size: r.get(1)?,
                })
            })?;
        let (memory_limit, threads) = conn.query_row(
            "SELECT current_setting('memory_limit'), current_setting('threads')::BIGINT",
            (),
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )?;
        drop(conn);
        Ok(MemoryReport {
            tags,
            temporary_files,
            memory_limit,
            threads,
            ledger: ledger::snapshot(),
        })
    }
}

/// One node of a query's profile, copied out of DuckDB ([`Connection::profiling_info`]).
///
/// The pinned DuckDB lays the profile out as a root without metrics of its own whose
/// children are, first, the physical operator tree (each operator with `type`, `timing`,
/// `intermediate_rows`, `extra_info`, ... and its input operators as children), then one
/// node per metric group (the query's `sql`, `total_time`, `cpu_time`, memory, optimizer
/// and planner timings). The C API does not give the groups' names, so look metrics up with
/// [`find`](Self::find) across the tree, or [`operators`](Self::operators). Which metrics
/// appear is DuckDB's `custom_profiling_settings`; with `legacy_metrics_format` on, operator
/// metrics are named `operator_type`, `operator_timing`, ... and [`operator_type`](Self::operator_type)
/// reads either name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileNode {
    /// Metric name and value, as DuckDB prints the value, in DuckDB's order.
    pub metrics: Vec<(String, String)>,
    /// Child nodes.
    pub children: Vec<ProfileNode>,
}

impl ProfileNode {
    /// The value of this node's metric `name` (case-insensitive, as DuckDB looks metrics up).
    pub fn metric(&self, name: &str) -> Option<&str> {
        self.metrics
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of metric `name` in this node or below, depth first: `find("sql")`,
    /// `find("total_time")`, `find("cpu_time")` on the root.
    pub fn find(&self, name: &str) -> Option<&str> {
        self.walk().into_iter().find_map(|n| n.metric(name))
    }

    /// The physical operator this node is (`"HASH_GROUP_BY"`, `"TABLE_SCAN"`, ...), or `None`
    /// for the root and metric groups.
    pub fn operator_type(&self) -> Option<&str> {
        self.metric("type").or_else(|| self.metric("operator_type"))
    }

    /// Every operator node in this subtree, depth first (parents before their inputs).
    pub fn operators(&self) -> Vec<&ProfileNode> {
        self.walk()
            .into_iter()
            .filter(|n| n.operator_type().is_some())
            .collect()
    }

    /// This node and every node below it, depth first.
    pub fn walk(&self) -> Vec<&ProfileNode> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            out.push(node);
            stack.extend(node.children.iter().rev());
        }
        out
    }

    fn render(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let Some(name) = self.operator_type() else {
            for child in &self.children {
                child.render(f, depth)?;
            }
            return Ok(());
        };
        write!(f, "{:indent$}{}", "", name.trim(), indent = depth * 2)?;
        for key in [
            "timing",
            "operator_timing",
            "intermediate_rows",
            "operator_cardinality",
        ] {
            if let Some(value) = self.metric(key) {
                write!(f, " {key}={value}")?;
            }
        }
        writeln!(f)?;
        for child in &self.children {
            child.render(f, depth + 1)?;
        }
        Ok(())
    }
}

/// The query's text and total time, then the operator tree, indented, with each operator's
/// timing and row count.
impl fmt::Display for ProfileNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(sql) = self.find("sql") {
            writeln!(f, "query: {}", sql.trim())?;
        }
        if let Some(total) = self.find("total_time") {
            writeln!(f, "total_time: {total} s")?;
        }
        self.render(f, 0)
    }
}

impl Connection {
    /// Turns profiling on for this connection without printing anything
    /// (`SET enable_profiling = 'no_output'`); [`profiling_info`](Self::profiling_info) then
    /// reads the profile of each query.
    pub fn enable_profiling(&self) -> Result<()> {
        self.execute_batch("SET enable_profiling = 'no_output'")
    }

    /// Turns profiling off again (`RESET enable_profiling`).
    pub fn disable_profiling(&self) -> Result<()> {
        self.execute_batch("RESET enable_profiling")
    }

    /// The profile of the last query run on this connection, copied into owned values; `None`
    /// when profiling is off or no query has finished since it was turned on.
    ///
    /// DuckDB lends the profile only until the next query starts on the connection: `&mut
    /// self` makes sure no result or statement of this connection is alive (one could still
    /// be running, or start a query) while it is copied.
    ///
    /// ```
    /// use duckdb_ffi::safe::Database;
    /// let mut conn = Database::open_in_memory()?.connect()?;
    /// conn.enable_profiling()?;
    /// conn.execute("SELECT sum(range) FROM range(1000)")?;
    /// let profile = conn.profiling_info()?.expect("profiling is on");
    /// assert!(profile.find("sql").unwrap().contains("range(1000)"));
    /// assert!(profile.operators().iter().any(|op| op.operator_type() == Some("UNGROUPED_AGGREGATE")));
    /// println!("{profile}");
    /// # Ok::<(), duckdb_ffi::safe::Error>(())
    /// ```
    pub fn profiling_info(&mut self) -> Result<Option<ProfileNode>> {
        // SAFETY: live connection; the tree returned (or null) is owned by the connection's
        // profiler and stays valid until the next query on it (src/c_api.md, "Profiling"),
        // which `&mut self` rules out until `copy_profile` has returned.
        let root = unsafe { ffi::duckdb_get_profiling_info(self.as_raw()) };
        if root.is_null() {
            return Ok(None);
        }
        // SAFETY: `root` is a live node of the lent tree (above).
        unsafe { copy_profile(root, 0) }.map(Some)
    }
}

/// Copies one node and its subtree.
///
/// # Safety
/// `node` is a live node of a profiling tree that stays valid for the whole call.
unsafe fn copy_profile(node: ffi::duckdb_profiling_info, depth: usize) -> Result<ProfileNode> {
    if depth > 1000 {
        return Err(Error::new(
            ErrorKind::OutOfRange,
            "profiling tree deeper than 1000 levels",
        ));
    }
    // SAFETY: live node (caller); the MAP value is a fresh copy we own ("Profiling").
    let raw = unsafe { ffi::duckdb_profiling_info_get_metrics(node) };
    let mut metrics = Vec::new();
    if !raw.is_null() {
        // SAFETY: non-null, owned by us from here: `Value` destroys it once.
        let map = unsafe { Value::from_raw(raw) };
        for i in 0..map.map_len()? {
            let (key, value) = map.map_entry(i)?;
            metrics.push((key.get_str()?, value.get_str()?));
        }
    }
    // SAFETY: live node.
    let count = unsafe { ffi::duckdb_profiling_info_get_child_count(node) };
    let mut children = Vec::with_capacity(count as usize);
    for index in 0..count {
        // SAFETY: index < count; the child is borrowed from the same lent tree.
        let child = unsafe { ffi::duckdb_profiling_info_get_child(node, index) };
        if !child.is_null() {
            // SAFETY: a live node of the same tree, valid as long as `node` is.
            children.push(unsafe { copy_profile(child, depth + 1) }?);
        }
    }
    Ok(ProfileNode { metrics, children })
}
