//! Crash consistency on the real engine.
//!
//! `kill_a_writer_at_random_moments`: a child process (this test binary, re-run with
//! `DUCKDB_FFI_CRASH_ROLE=writer`) writes batches to a file database, with appenders and with
//! explicit transactions, checkpointing in between, and prints each batch id once its commit
//! returned. The parent SIGKILLs it at a random moment, reopens the file and checks that every
//! acknowledged batch is there, that no batch is there in part, and that at most the one batch
//! in flight at the kill is there unacknowledged. Then again, `DUCKDB_FFI_CRASH_KILLS` times
//! (default 60) on the same, growing file.
//!
//! `corrupted_files_give_errors`: a database file and its WAL are damaged on copies (truncated,
//! pages zeroed, bits flipped, a WAL from another database); a child process
//! (`DUCKDB_FFI_CRASH_ROLE=reader`) opens each copy and reads every row, and reports what
//! happened. The parent asserts the outcome of each class; a child killed by a signal (a crash
//! inside DuckDB) would be reported as such rather than take the test binary down.

use crate::common;

use common::Rng;
use duckdb_ffi::safe::{Connection, Database, Error};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "DUCKDB_FFI_CRASH_ROLE";
const PATH: &str = "DUCKDB_FFI_CRASH_PATH";
const SEED: &str = "DUCKDB_FFI_CRASH_SEED";

const SCHEMA: &str =
    "CREATE TABLE IF NOT EXISTS batches(batch BIGINT, seq BIGINT, n BIGINT, v BIGINT, s VARCHAR)";

fn value_of(batch: i64, seq: i64) -> i64 {
    batch * 1_000_003 + seq * 31
}

/// A fresh path in the temp dir; the file and its WAL are removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        let path = std::env::temp_dir().join(format!(
            "duckdb-ffi-crash-{}-{name}.duckdb",
            std::process::id()
        ));
        let p = TempPath(path);
        p.remove();
        p
    }
    fn wal(&self) -> PathBuf {
        wal_of(&self.0)
    }
    fn remove(&self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.wal());
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        self.remove();
    }
}

fn wal_of(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push(".wal");
    PathBuf::from(wal)
}

/// Re-runs this test binary as a child in `role` (only the `child_role` test runs there).
fn child(role: &str, path: &Path, seed: u64) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args([
        "--exact",
        "crash::child_role",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(ROLE, role)
    .env(PATH, path)
    .env(SEED, seed.to_string())
    .stdin(Stdio::null());
    cmd
}

/// The entry point of the child processes; does nothing in a normal test run.
#[test]
fn child_role() {
    let _ledger = common::ledger_guard();
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let path = PathBuf::from(std::env::var(PATH).expect("path"));
    let seed: u64 = std::env::var(SEED).expect("seed").parse().expect("seed");
    match role.as_str() {
        "writer" => writer_child(&path, seed),
        "reader" => reader_child(&path),
        other => panic!("unknown role {other}"),
    }
}

/// Writes batches forever (until killed), printing `committed <id>` after each commit.
fn writer_child(path: &Path, seed: u64) -> ! {
    let mut rng = Rng::new(seed);
    let db = Database::open(path).expect("child: open");
    let conn = db.connect().expect("child: connect");
    conn.execute(SCHEMA).expect("child: schema");
    let mut batch: i64 = conn
        .query_row("SELECT coalesce(max(batch) + 1, 0) FROM batches", (), |r| {
            r.get(0)
        })
        .expect("child: next batch");
    let mut out = std::io::stdout().lock();
    loop {
        let n = 1 + rng.below(3000) as i64;
        let result: Result<(), Error> = match rng.below(3) {
            0 => (|| {
                let mut app = conn.appender("batches")?;
                for seq in 0..n {
                    let s = format!("b{batch}-{seq}");
                    app.append_row((batch, seq, n, value_of(batch, seq), s.as_str()))?;
                }
                app.close()
            })(),
            1 => (|| {
                conn.execute("BEGIN TRANSACTION")?;
                // Several statements in one transaction: all of them or none survive.
                let half = n / 2;
                let mut stmt = conn.prepare(
                    "INSERT INTO batches SELECT $1, seq, $2, $1 * 1000003 + seq * 31, \
                     'b' || $1 || '-' || seq FROM range($3, $4) t(seq)",
                )?;
                stmt.execute((batch, n, 0i64, half))?;
                stmt.execute((batch, n, half, n))?;
                drop(stmt);
                conn.execute("COMMIT")?;
                Ok(())
            })(),
            _ => conn
                .prepare("INSERT INTO batches VALUES (?, ?, ?, ?, ?)")
                .and_then(|mut stmt| {
                    // One row per statement, inside one transaction.
                    conn.execute("BEGIN")?;
                    for seq in 0..n.min(200) {
                        let s = format!("b{batch}-{seq}");
                        stmt.execute((batch, seq, n.min(200), value_of(batch, seq), s))?;
                    }
                    conn.execute("COMMIT")?;
                    Ok(())
                }),
        };
        if let Err(e) = result {
            panic!("child: batch {batch} failed: {e}");
        }
        writeln!(out, "committed {batch}").expect("stdout");
        out.flush().expect("stdout");
        batch += 1;
        if rng.chance(20) {
            conn.execute("CHECKPOINT").expect("child: checkpoint");
        }
    }
}

/// Opens `path`, reads every row and prints one line: `ok <rows> <batches> <torn>`,
/// `open-error <kind> <message>` or `read-error <kind> <message>`.
fn reader_child(path: &Path) {
    let line = match Database::open(path) {
        Err(e) => format!("open-error {:?} {}", e.kind(), one_line(e.message())),
        Ok(db) => match db.connect().and_then(|c| read_all(&c)) {
            Ok(s) => s,
            Err(e) => format!("read-error {:?} {}", e.kind(), one_line(e.message())),
        },
    };
    println!("outcome: {line}");
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts and checks every row of `batches` (a full scan of every column).
fn read_all(conn: &Connection) -> Result<String, Error> {
    let (rows, batches, torn) = conn.query_row(
        "SELECT (SELECT count(*) FROM batches), (SELECT count(DISTINCT batch) FROM batches), \
         (SELECT count(*) FROM (SELECT batch, count(*) AS c, min(n) AS lo, max(n) AS hi, \
          bool_and(v = batch * 1000003 + seq * 31 AND s = 'b' || batch || '-' || seq) AS ok \
          FROM batches GROUP BY batch) WHERE c <> lo OR lo <> hi OR NOT ok)",
        (),
        |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?)),
    )?;
    Ok(format!("ok {rows} {batches} {torn}"))
}

/// Batch id -> (rows, torn?) as the reopened database holds them.
fn batches_in(path: &Path) -> BTreeMap<i64, (i64, bool)> {
    let db = Database::open(path).expect("reopen after the kill");
    let conn = db.connect().expect("connect");
    conn.execute(SCHEMA).expect("schema");
    let mut result = conn
        .query(
            "SELECT batch, count(*), count(*) <> min(n) OR min(n) <> max(n) \
             OR NOT bool_and(v = batch * 1000003 + seq * 31 AND s = 'b' || batch || '-' || seq) \
             FROM batches GROUP BY batch ORDER BY batch",
        )
        .expect("read back");
    let mut rows = result.rows();
    let mut found = BTreeMap::new();
    while let Some(row) = rows.next().expect("row") {
        found.insert(
            row.get::<i64>(0).unwrap(),
            (row.get::<i64>(1).unwrap(), row.get::<bool>(2).unwrap()),
        );
    }
    found
}

fn kills() -> usize {
    std::env::var("DUCKDB_FFI_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
}

#[test]
fn kill_a_writer_at_random_moments() {
    let _ledger = common::ledger_guard();
    let seed = Rng::seed_from_env(SEED);
    let mut rng = Rng::new(seed);
    let file = TempPath::new("kill");
    let started = Instant::now();
    let mut acknowledged = BTreeSet::new();
    let (mut unacknowledged_present, mut kills_mid_write) = (0, 0);
    for kill in 0..kills() {
        let mut proc = child("writer", &file.0, rng.next_u64())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the writer");
        let stdout = proc.stdout.take().expect("stdout");
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut acked = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // The harness prints `test child_role ... ` before the first line.
                let Some(at) = line.find("committed ") else {
                    continue;
                };
                if let Ok(id) = line[at + "committed ".len()..].trim().parse::<i64>() {
                    if acked.is_empty() {
                        let _ = first_tx.send(());
                    }
                    acked.push(id);
                }
            }
            acked
        });
        // Most kills land while the child writes: after its first commit (however slowly a
        // loaded machine starts it), plus a random delay. The others land at a random moment
        // from the start, which can be during the open and the WAL replay.
        if rng.chance(80) {
            let _ = first_rx.recv_timeout(Duration::from_secs(20));
            std::thread::sleep(Duration::from_millis(rng.below(400)));
        } else {
            std::thread::sleep(Duration::from_millis(rng.below(300)));
        }
        proc.kill().expect("SIGKILL");
        let status = proc.wait().expect("wait");
        let acked = reader.join().expect("stdout reader");
        let stderr = std::io::read_to_string(proc.stderr.take().expect("stderr")).unwrap();
        // Killed, not failed on its own: a child that exits by itself has hit an error.
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "kill {kill}: the writer exited: {status}\n{stderr}"
        );
        acknowledged.extend(acked.iter().copied());

        let found = batches_in(&file.0);
        let torn: Vec<_> = found.iter().filter(|(_, v)| v.1).map(|(b, _)| b).collect();
        assert!(
            torn.is_empty(),
            "kill {kill} (seed {seed}): partial batches {torn:?}"
        );
        let missing: Vec<_> = acknowledged
            .iter()
            .filter(|b| !found.contains_key(b))
            .collect();
        assert!(
            missing.is_empty(),
            "kill {kill} (seed {seed}): acknowledged batches lost: {missing:?}"
        );
        // Present but never acknowledged: only the batch whose commit returned just before the
        // kill, before its id was printed, may be.
        let extra: Vec<i64> = found
            .keys()
            .filter(|b| !acknowledged.contains(b))
            .copied()
            .collect();
        assert!(
            extra.len() <= 1,
            "kill {kill} (seed {seed}): batches present but not acknowledged: {extra:?}"
        );
        if let Some(&b) = extra.first() {
            let next = acknowledged.last().map_or(0, |l| l + 1);
            assert_eq!(
                b, next,
                "kill {kill}: the unacknowledged batch is the one in flight"
            );
            acknowledged.insert(b);
            unacknowledged_present += 1;
        }
        if !acked.is_empty() {
            kills_mid_write += 1;
        }
    }
    let rows: i64 = batches_in(&file.0).values().map(|&(c, _)| c).sum();
    println!(
        "seed {seed}: {} kills in {:.1?} ({kills_mid_write} after the child had committed at \
         least once), {} batches / {rows} rows verified, {unacknowledged_present} batches \
         committed at the kill but not yet acknowledged",
        kills(),
        started.elapsed(),
        acknowledged.len()
    );
    assert!(
        kills_mid_write * 2 >= kills(),
        "most kills should land while the child writes"
    );
}

/// Writes a database with `rows` checkpointed rows in the file and `wal_rows` more in its WAL
/// (the checkpoint at close is switched off, so the WAL stays beside the file).
fn build_database(path: &Path, first_batch: i64, rows: i64, wal_rows: i64) {
    let db = Database::open(path).expect("open");
    let conn = db.connect().expect("connect");
    conn.execute(SCHEMA).expect("schema");
    let insert = |batch: i64, n: i64| {
        conn.execute(&format!(
            "INSERT INTO batches SELECT {batch}, seq, {n}, {batch} * 1000003 + seq * 31, \
             'b' || {batch} || '-' || seq FROM range({n}) t(seq)"
        ))
        .expect("insert");
    };
    insert(first_batch, rows);
    conn.execute("CHECKPOINT").expect("checkpoint");
    insert(first_batch + 1, wal_rows);
    conn.execute("PRAGMA disable_checkpoint_on_shutdown")
        .expect("keep the WAL");
}

/// What a reader child made of a file: its printed outcome line, or how it died.
fn read_in_child(path: &Path) -> String {
    let out = child("reader", path, 0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run the reader");
    let stdout = String::from_utf8_lossy(&out.stdout);
    match stdout
        .lines()
        .find_map(|l| l.split_once("outcome: ").map(|(_, o)| o.to_string()))
    {
        Some(outcome) if out.status.success() => outcome,
        _ => {
            use std::os::unix::process::ExitStatusExt;
            format!(
                "crashed ({}): {}",
                out.status
                    .signal()
                    .map_or(out.status.to_string(), |s| format!("signal {s}")),
                one_line(&String::from_utf8_lossy(&out.stderr))
                    .chars()
                    .take(300)
                    .collect::<String>()
            )
        }
    }
}

/// Copies the database at `from` (and its WAL) to `to`, then applies `damage` to the copy.
fn damaged_copy(from: &Path, to: &TempPath, damage: &dyn Fn(&mut Vec<u8>, &mut Vec<u8>)) {
    let mut file = std::fs::read(from).expect("read the file");
    let mut wal = std::fs::read(wal_of(from)).expect("read the WAL");
    damage(&mut file, &mut wal);
    std::fs::write(&to.0, &file).expect("write the copy");
    std::fs::write(to.wal(), &wal).expect("write the WAL copy");
}

const HEADER: usize = 4096;

/// What a damaged copy must give.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Opening fails with this engine error class.
    OpenError(&'static str),
    /// Opening works; reading the rows fails with this class.
    ReadError(&'static str),
    /// Everything reads without error: this many rows and batches, none torn.
    Rows(i64, i64),
}

const FILE_ROWS: i64 = 300_000;
const WAL_ROWS: i64 = 5_000;

#[test]
fn corrupted_files_give_errors() {
    let _ledger = common::ledger_guard();
    let source = TempPath::new("source");
    let other = TempPath::new("other");
    build_database(&source.0, 0, FILE_ROWS, WAL_ROWS);
    build_database(&other.0, 100, 1_000, WAL_ROWS);
    assert!(
        source.wal().exists() && other.wal().exists(),
        "the WALs were kept"
    );
    let file_len = std::fs::metadata(&source.0).unwrap().len() as usize;
    let other_wal = std::fs::read(other.wal()).unwrap();
    let flip = |bytes: &mut Vec<u8>, at: usize| bytes[at] ^= 0x10;
    use Expect::*;
    let all = Rows(FILE_ROWS + WAL_ROWS, 2);
    // The WAL's one transaction is dropped whole: DuckDB replays a WAL up to its last complete
    // commit and takes a damaged or missing tail for a crash during the write.
    let without_wal = Rows(FILE_ROWS, 1);
    type Damage<'a> = Box<dyn Fn(&mut Vec<u8>, &mut Vec<u8>) + 'a>;
    let cases: Vec<(&str, Expect, Damage)> = vec![
        ("intact copy", all, Box::new(|_, _| {})),
        (
            "file truncated to 0 bytes",
            OpenError("IO"),
            Box::new(|f, _| f.clear()),
        ),
        (
            "file truncated to its main header",
            OpenError("IO"),
            Box::new(|f, _| f.truncate(HEADER)),
        ),
        (
            "file truncated to half",
            OpenError("IO"),
            Box::new(|f, _| f.truncate(f.len() / 2)),
        ),
        (
            "file truncated by 1 byte",
            OpenError("IO"),
            Box::new(|f, _| f.truncate(f.len() - 1)),
        ),
        (
            "main header zeroed",
            OpenError("IO"),
            Box::new(|f, _| f[..HEADER].fill(0)),
        ),
        (
            "both database headers zeroed",
            OpenError("Data Corruption"),
            Box::new(|f, _| f[HEADER..3 * HEADER].fill(0)),
        ),
        (
            "a data block zeroed (4 KiB in the middle)",
            ReadError("Data Corruption"),
            Box::new(|f, _| {
                let mid = f.len() / 2;
                f[mid..mid + HEADER].fill(0)
            }),
        ),
        (
            "bit flipped in the magic bytes",
            OpenError("IO"),
            Box::new(move |f, _| flip(f, 8)),
        ),
        (
            "bit flipped in database header 1",
            OpenError("Data Corruption"),
            Box::new(move |f, _| flip(f, HEADER + 20)),
        ),
        (
            "bit flipped in both database headers",
            OpenError("Data Corruption"),
            Box::new(move |f, _| {
                flip(f, HEADER + 20);
                flip(f, 2 * HEADER + 20)
            }),
        ),
        (
            "bit flipped in a data block",
            ReadError("Data Corruption"),
            Box::new(move |f, _| flip(f, file_len / 2 + 100)),
        ),
        (
            "bit flipped in a block checksum",
            ReadError("Data Corruption"),
            Box::new(move |f, _| flip(f, 3 * HEADER + 2)),
        ),
        (
            "WAL truncated to half",
            without_wal,
            Box::new(|_, w| w.truncate(w.len() / 2)),
        ),
        (
            "WAL truncated by 1 byte",
            without_wal,
            Box::new(|_, w| w.truncate(w.len() - 1)),
        ),
        ("WAL zeroed", without_wal, Box::new(|_, w| w.fill(0))),
        // The WAL starts with its version entry: field ids (2 bytes each), the type, the
        // version, then the 16-byte identifier of its database (from byte 9, one varint per
        // byte). Bit 0 of byte 9 is always part of the identifier's first byte. (A flip in
        // the second byte of a two-byte varint can go unnoticed: the reader keeps 8 bits.)
        (
            "bit flipped in the WAL's database identifier",
            OpenError("IO"),
            Box::new(|_, w| w[9] ^= 0x01),
        ),
        (
            "bit flipped in the WAL data",
            OpenError("Data Corruption"),
            Box::new(move |_, w| {
                let at = w.len() / 2;
                flip(w, at)
            }),
        ),
        (
            "WAL from another database",
            OpenError("IO"),
            Box::new(|_, w| w.clone_from(&other_wal)),
        ),
    ];
    let mut wrong = Vec::new();
    for (i, (name, expect, damage)) in cases.iter().enumerate() {
        let copy = TempPath::new(&format!("case{i}"));
        damaged_copy(&source.0, &copy, damage.as_ref());
        let outcome = read_in_child(&copy.0);
        println!("{name}: {outcome}");
        let ok = match *expect {
            OpenError(class) => {
                outcome.starts_with("open-error Engine(")
                    && outcome.contains(&format!(" {class} Error: "))
            }
            ReadError(class) => {
                outcome.starts_with("read-error Engine(")
                    && outcome.contains(&format!(" {class} Error: "))
            }
            Rows(rows, batches) => outcome == format!("ok {rows} {batches} 0"),
        };
        if !ok {
            wrong.push(format!("{name}: expected {expect:?}, got {outcome}"));
        }
    }
    // A crash inside DuckDB shows up here as `crashed (signal N)`, never as a dead test binary.
    assert!(
        wrong.is_empty(),
        "unexpected outcomes:\n{}",
        wrong.join("\n")
    );
}
