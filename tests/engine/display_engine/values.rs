//! The value generators of `display_engine.rs`: a fixed-seed random source, every scalar type
//! with its edge cases, and nested types built from them.

use duckdb_ffi::safe::types::{
    Bignum, Date, Datum, Decimal, Geometry, Interval, Time, TimeNs, TimeTz, Timestamp, TimestampMs,
    TimestampNs, TimestampS, TimestampTz, TimestampTzNs, Uuid,
};

/// splitmix64: small, fixed-seed, good enough to spread values over a type's range.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (self.next() as u128 % span) as i128) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
}

/// Text that stresses quoting: separators, quotes, brackets, `NULL`, spaces at either end.
const TRICKY: &[&str] = &[
    "",
    " ",
    "a",
    "NULL",
    "null",
    "NuLl",
    "nul",
    " lead",
    "trail ",
    "\ttab",
    "new\nline",
    "it's",
    "back\\slash",
    "\"dq\"",
    "a,b",
    "[x]",
    "{k=v}",
    "(p)",
    "k:v",
    "a=b",
    "héllo wörld",
    "日本語",
    "emoji 🦆",
    "x y",
    "\\'",
    "''",
    "\u{0}nul",
    "a\u{7f}b",
];

const TEXT_ALPHABET: &[char] = &[
    'a', 'b', 'Z', '0', '9', ' ', '\t', '\n', '\'', '"', '\\', ',', ':', '=', '[', ']', '{', '}',
    '(', ')', 'é', 'ß', '€', '🦆', '-', '.', '_', '\r',
];

fn text(rng: &mut Rng) -> String {
    if rng.chance(30) {
        return rng.pick(TRICKY).to_string();
    }
    let len = rng.below(14);
    (0..len).map(|_| *rng.pick(TEXT_ALPHABET)).collect()
}

/// An integer spread over its whole range, small values and the extremes included.
fn int_bits(rng: &mut Rng, bits: u32, signed: bool, i: usize) -> i128 {
    let (min, max) = if signed {
        (i128::MIN >> (128 - bits), i128::MAX >> (128 - bits))
    } else {
        (0, ((1u128 << bits) - 1) as i128)
    };
    let edges = [min, max, 0, 1, min + 1, max - 1];
    if let Some(&e) = edges.get(i) {
        return e;
    }
    let raw = rng.u128() as i128;
    let v = if rng.chance(30) {
        raw % 1000
    } else if signed {
        (raw << (128 - bits)) >> (128 - bits)
    } else {
        ((raw as u128) << (128 - bits) >> (128 - bits)) as i128
    };
    if signed { v } else { v.abs() }
}

fn double(rng: &mut Rng, i: usize) -> f64 {
    let edges = [
        0.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        -f64::from_bits(1),
        f64::MAX,
        f64::MIN,
        1e16,
        1e15,
        9_999_999_999_999_998.0,
        1e-4,
        1e-5,
        0.1,
        2.0,
        1e300,
        -1e-300,
        123_456.789,
        f64::EPSILON,
        0.3,
        1e22,
        1e21,
        5e-324,
    ];
    if let Some(&e) = edges.get(i) {
        return e;
    }
    match rng.below(4) {
        0 => f64::from_bits(rng.next()),
        1 => (rng.range(-1_000_000, 1_000_000) as f64) / 10f64.powi(rng.range(0, 8) as i32),
        2 => (rng.range(-99, 99) as f64) * 10f64.powi(rng.range(-30, 30) as i32),
        _ => rng.range(i64::MIN / 2, i64::MAX / 2) as f64,
    }
}

fn float(rng: &mut Rng, i: usize) -> f32 {
    let edges = [
        f32::MIN_POSITIVE,
        f32::from_bits(1),
        f32::MAX,
        f32::MIN,
        16_777_216.0,
        16_777_217.0,
        1e-4,
        1e-5,
        0.1,
        3.4e38,
    ];
    if let Some(&e) = edges.get(i) {
        return e;
    }
    match rng.below(3) {
        0 => f32::from_bits(rng.next() as u32),
        1 => double(rng, i) as f32,
        _ => (rng.range(-100_000, 100_000) as f32) / 10f32.powi(rng.range(0, 6) as i32),
    }
}

const MICROS_PER_DAY: i64 = 86_400_000_000;
/// About 285,000 years each side of 1970 in microseconds: inside TIMESTAMP's range.
const TS_MICROS: i64 = 9_000_000_000_000_000_000 / 1_000;

fn timestamp_micros(rng: &mut Rng, i: usize) -> i64 {
    let edges = [
        i64::MAX,
        -i64::MAX,
        0,
        -1,
        -62_135_596_800_000_000, // 0001-01-01
        -62_135_596_800_000_001, // the instant before: 1 BC
        253_402_300_800_000_000, // 10000-01-01
    ];
    if let Some(&e) = edges.get(i) {
        return e;
    }
    match rng.below(3) {
        0 => rng.range(-TS_MICROS * 1000, TS_MICROS * 1000),
        1 => rng.range(-4_000_000_000_000_000, 4_000_000_000_000_000),
        _ => rng.range(-100, 100) * MICROS_PER_DAY + rng.range(0, 1_000) * 1_000_000,
    }
}

fn interval(rng: &mut Rng, i: usize) -> Interval {
    let edges = [
        Interval::default(),
        Interval {
            months: 12,
            days: 1,
            micros: 1,
        },
        Interval {
            months: -1,
            days: -1,
            micros: -1,
        },
        Interval {
            months: i32::MAX,
            days: i32::MAX,
            micros: i64::MAX,
        },
        Interval {
            months: i32::MIN + 1,
            days: i32::MIN + 1,
            micros: i64::MIN + 1,
        },
        Interval {
            months: 0,
            days: 0,
            micros: 36_000_000_000,
        },
    ];
    if let Some(&e) = edges.get(i) {
        return e;
    }
    let pick = |rng: &mut Rng, small: i64, full: i64| {
        let bound = if rng.chance(20) { full } else { small };
        if rng.chance(40) {
            0
        } else {
            rng.range(-bound, bound)
        }
    };
    let months = pick(rng, 30, i32::MAX as i64) as i32;
    let days = pick(rng, 40, i32::MAX as i64) as i32;
    let mut micros = pick(rng, 200 * 3_600_000_000, i64::MAX);
    if rng.chance(50) {
        micros = micros / 1_000_000 * 1_000_000;
    }
    Interval {
        months,
        days,
        micros,
    }
}

/// A scalar type: its SQL name and a generator (`i` is the value's index: the first indices
/// produce the edge cases).
pub type Gen = fn(&mut Rng, usize) -> Datum;

fn decimal(rng: &mut Rng, i: usize, width: u8, scale: u8) -> Datum {
    let max = 10i128.pow(u32::from(width)) - 1;
    let value = match i {
        0 => max,
        1 => -max,
        2 => 0,
        3 => 1,
        4 => -1,
        _ if rng.chance(30) => rng.range(-1000, 1000) as i128 % max.max(1),
        _ => {
            let magnitude = (rng.u128() % (max as u128 + 1)) as i128;
            if rng.chance(50) {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    Datum::Decimal(Decimal::new(value, width, scale).unwrap())
}

const ENUM_LABELS: &[&str] = &["red", "it's", "a,b", " sp", "NULL", "[x]", "plain"];

pub fn scalars() -> Vec<(&'static str, Gen)> {
    fn int(rng: &mut Rng, i: usize, bits: u32, signed: bool) -> i128 {
        int_bits(rng, bits, signed, i)
    }
    vec![
        ("BOOLEAN", |r, i| {
            Datum::Boolean(if i < 2 { i == 0 } else { r.chance(50) })
        }),
        ("TINYINT", |r, i| Datum::TinyInt(int(r, i, 8, true) as i8)),
        ("SMALLINT", |r, i| {
            Datum::SmallInt(int(r, i, 16, true) as i16)
        }),
        ("INTEGER", |r, i| Datum::Integer(int(r, i, 32, true) as i32)),
        ("BIGINT", |r, i| Datum::BigInt(int(r, i, 64, true) as i64)),
        ("HUGEINT", |r, i| Datum::HugeInt(int(r, i, 128, true))),
        (
            "UTINYINT",
            |r, i| Datum::UTinyInt(int(r, i, 8, false) as u8),
        ),
        ("USMALLINT", |r, i| {
            Datum::USmallInt(int(r, i, 16, false) as u16)
        }),
        ("UINTEGER", |r, i| {
            Datum::UInteger(int(r, i, 32, false) as u32)
        }),
        (
            "UBIGINT",
            |r, i| Datum::UBigInt(int(r, i, 64, false) as u64),
        ),
        ("UHUGEINT", |r, i| {
            Datum::UHugeInt(match i {
                0 => u128::MAX,
                1 => 0,
                _ => r.u128() >> r.below(128),
            })
        }),
        ("FLOAT", |r, i| Datum::Float(float(r, i))),
        ("DOUBLE", |r, i| Datum::Double(double(r, i))),
        ("DECIMAL(4,1)", |r, i| decimal(r, i, 4, 1)),
        ("DECIMAL(9,4)", |r, i| decimal(r, i, 9, 4)),
        ("DECIMAL(18,18)", |r, i| decimal(r, i, 18, 18)),
        ("DECIMAL(38,10)", |r, i| decimal(r, i, 38, 10)),
        ("DECIMAL(38,0)", |r, i| decimal(r, i, 38, 0)),
        ("VARCHAR", |r, i| {
            Datum::Varchar(TRICKY.get(i).map_or_else(|| text(r), |s| s.to_string()))
        }),
        ("BLOB", |r, i| {
            let edges: [&[u8]; 4] = [b"", b"\"'\\", b"\x00\xff\x7f\x20\x7e", b"plain"];
            Datum::Blob(edges.get(i).map_or_else(
                || (0..r.below(12)).map(|_| r.next() as u8).collect(),
                |e| e.to_vec(),
            ))
        }),
        ("DATE", |r, i| {
            let edges = [
                i32::MAX,
                -i32::MAX,
                0,
                -719_163,
                -719_164,
                2_932_897,
                -5_000_000,
            ];
            Datum::Date(Date {
                days: edges.get(i).copied().unwrap_or_else(|| match r.below(2) {
                    0 => r.range(-100_000_000, 100_000_000) as i32,
                    _ => r.range(-1_000_000, 1_000_000) as i32,
                }),
            })
        }),
        ("TIME", |r, i| {
            let edges = [0, MICROS_PER_DAY, 1, MICROS_PER_DAY - 1, 43_200_000_000];
            Datum::Time(Time {
                micros: edges.get(i).copied().unwrap_or_else(|| match r.below(2) {
                    0 => r.range(0, MICROS_PER_DAY),
                    _ => r.range(0, 86_400) * 1_000_000,
                }),
            })
        }),
        ("TIME_NS", |r, i| {
            let day = MICROS_PER_DAY * 1000;
            let edges = [0, day, 1, day - 1, 1_000, 1_000_000];
            Datum::TimeNs(TimeNs {
                nanos: edges.get(i).copied().unwrap_or_else(|| r.range(0, day)),
            })
        }),
        ("TIMETZ", |r, i| {
            let max_off = 16 * 3600 - 1;
            let edges = [(0, 0), (MICROS_PER_DAY, max_off), (1, -max_off), (0, 5400)];
            let (micros, off) = edges.get(i).copied().unwrap_or_else(|| {
                let off = match r.below(3) {
                    0 => r.range(-15, 15) * 3600,
                    1 => r.range(-959, 959) * 60,
                    _ => r.range(-max_off, max_off),
                };
                (r.range(0, MICROS_PER_DAY), off)
            });
            Datum::TimeTz(TimeTz::new(micros, off as i32).unwrap())
        }),
        ("TIMESTAMP", |r, i| {
            Datum::Timestamp(Timestamp {
                micros: timestamp_micros(r, i),
            })
        }),
        ("TIMESTAMP_S", |r, i| {
            let v = timestamp_micros(r, i);
            Datum::TimestampS(TimestampS {
                seconds: if v.abs() == i64::MAX {
                    v
                } else {
                    v / 1_000_000
                },
            })
        }),
        ("TIMESTAMP_MS", |r, i| {
            let v = timestamp_micros(r, i);
            Datum::TimestampMs(TimestampMs {
                millis: if v.abs() == i64::MAX { v } else { v / 1_000 },
            })
        }),
        ("TIMESTAMP_NS", |r, i| {
            let edges = [i64::MAX, -i64::MAX, 0, -1, 1];
            Datum::TimestampNs(TimestampNs {
                nanos: edges.get(i).copied().unwrap_or_else(|| match r.below(2) {
                    0 => r.range(-i64::MAX + 1, i64::MAX - 1),
                    _ => r.range(-1_000_000, 1_000_000) * 1_000_000_000,
                }),
            })
        }),
        ("TIMESTAMPTZ", |r, i| {
            Datum::TimestampTz(TimestampTz {
                micros: timestamp_micros(r, i),
            })
        }),
        ("TIMESTAMPTZ_NS", |r, i| {
            let edges = [i64::MAX, -i64::MAX, 0, -1];
            Datum::TimestampTzNs(TimestampTzNs {
                nanos: edges
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| r.range(-i64::MAX + 1, i64::MAX - 1)),
            })
        }),
        ("INTERVAL", |r, i| Datum::Interval(interval(r, i))),
        ("UUID", |r, i| {
            Datum::Uuid(Uuid(match i {
                0 => 0,
                1 => u128::MAX,
                2 => 1 << 127,
                _ => r.u128(),
            }))
        }),
        (
            "ENUM('red', 'it''s', 'a,b', ' sp', 'NULL', '[x]', 'plain')",
            |r, _| Datum::Enum(r.pick(ENUM_LABELS).to_string()),
        ),
        ("BIGNUM", |r, i| {
            Datum::Bignum(match i {
                0 => Bignum::default(),
                1 => Bignum::from(1i128),
                2 => Bignum::from(-1i128),
                3 => Bignum::from(i128::MIN),
                4 => Bignum::from(u128::MAX),
                5 => Bignum::new(true, &[1; 17]),
                _ => {
                    let len = if r.chance(30) {
                        1 + r.below(8)
                    } else {
                        1 + r.below(64)
                    };
                    let bytes: Vec<u8> = (0..len).map(|_| r.next() as u8).collect();
                    Bignum::new(r.chance(50), &bytes)
                }
            })
        }),
        ("GEOMETRY", |r, i| {
            let mut wkb = Vec::new();
            let zm = if i < 4 { i as u32 } else { r.below(4) as u32 };
            wkb_geometry(r, &mut wkb, zm, 0);
            Datum::Geometry(Geometry::from_wkb(wkb).unwrap())
        }),
        ("BIT", |r, i| {
            let len = if i == 0 { 1 } else { 1 + r.below(70) };
            Datum::Bit((0..len).map(|_| r.chance(50)).collect())
        }),
    ]
}

/// A column type: a scalar or a nesting of them.
#[derive(Clone)]
pub enum Ty {
    Scalar(&'static str, Gen),
    List(Box<Ty>),
    Array(Box<Ty>, usize),
    Struct(Vec<(&'static str, Ty)>),
    Map(Box<Ty>, Box<Ty>),
    Union(Vec<(&'static str, Ty)>),
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Ty {
    pub fn sql(&self) -> String {
        match self {
            Ty::Scalar(name, _) => name.to_string(),
            Ty::List(t) => format!("{}[]", t.sql()),
            Ty::Array(t, n) => format!("{}[{n}]", t.sql()),
            Ty::Struct(fields) => format!(
                "STRUCT({})",
                fields
                    .iter()
                    .map(|(n, t)| format!("{} {}", quote_ident(n), t.sql()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Ty::Map(k, v) => format!("MAP({}, {})", k.sql(), v.sql()),
            Ty::Union(members) => format!(
                "UNION({})",
                members
                    .iter()
                    .map(|(n, t)| format!("{} {}", quote_ident(n), t.sql()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A value; children are NULL one time in ten. `i` selects edge cases for scalars at the
    /// top level and is random below it.
    pub fn value(&self, rng: &mut Rng, i: usize) -> Datum {
        let child_i = || 1_000_000;
        let child = |t: &Ty, rng: &mut Rng| {
            if rng.chance(10) {
                Datum::Null
            } else {
                let i = if rng.chance(50) {
                    rng.below(40) as usize
                } else {
                    child_i()
                };
                t.value(rng, i)
            }
        };
        match self {
            Ty::Scalar(_, g) => g(rng, i),
            Ty::List(t) => {
                let len = if i == 0 { 0 } else { rng.below(5) };
                Datum::List((0..len).map(|_| child(t, rng)).collect())
            }
            Ty::Array(t, n) => Datum::Array((0..*n).map(|_| child(t, rng)).collect()),
            Ty::Struct(fields) => Datum::Struct(
                fields
                    .iter()
                    .map(|(n, t)| (n.to_string(), child(t, rng)))
                    .collect(),
            ),
            Ty::Map(k, v) => {
                let mut keys: Vec<Datum> = Vec::new();
                let mut pairs = Vec::new();
                for _ in 0..rng.below(4) {
                    let key = k.value(rng, child_i());
                    if key.is_null()
                        || keys
                            .iter()
                            .any(|seen| format!("{seen:?}") == format!("{key:?}"))
                    {
                        continue;
                    }
                    keys.push(key.clone());
                    pairs.push((key, child(v, rng)));
                }
                Datum::Map(pairs)
            }
            Ty::Union(members) => {
                let tag = rng.below(members.len() as u64) as usize;
                let (name, t) = &members[tag];
                let mut value = t.value(rng, child_i());
                while value.is_null() {
                    value = t.value(rng, child_i());
                }
                Datum::Union {
                    tag: tag as u8,
                    name: name.to_string(),
                    value: Box::new(value),
                }
            }
        }
    }
}

pub fn nested_types() -> Vec<Ty> {
    let s = |name: &str| {
        scalars()
            .into_iter()
            .find(|(n, _)| n.starts_with(name))
            .map(|(n, g)| Ty::Scalar(n, g))
            .unwrap()
    };
    let list = |t: Ty| Ty::List(Box::new(t));
    vec![
        list(s("INTEGER")),
        list(s("VARCHAR")),
        list(s("DOUBLE")),
        list(s("FLOAT")),
        list(s("BLOB")),
        list(s("DATE")),
        list(s("TIMETZ")),
        list(s("TIMESTAMPTZ")),
        list(s("INTERVAL")),
        list(s("ENUM")),
        list(s("BIT")),
        list(s("UUID")),
        list(s("BIGNUM")),
        list(s("DECIMAL(9,4)")),
        list(s("BOOLEAN")),
        list(list(s("VARCHAR"))),
        Ty::Array(Box::new(s("DOUBLE")), 3),
        Ty::Array(Box::new(s("VARCHAR")), 2),
        Ty::Struct(vec![
            ("a", s("INTEGER")),
            ("b c", s("VARCHAR")),
            ("it's", s("DOUBLE")),
            ("t", s("TIME")),
        ]),
        Ty::Map(Box::new(s("VARCHAR")), Box::new(s("INTEGER"))),
        Ty::Map(Box::new(s("INTEGER")), Box::new(list(s("VARCHAR")))),
        Ty::Map(Box::new(s("DATE")), Box::new(s("BLOB"))),
        Ty::Union(vec![
            ("i", s("INTEGER")),
            ("s", s("VARCHAR")),
            ("l", list(s("DOUBLE"))),
        ]),
        list(Ty::Union(vec![("s", s("VARCHAR")), ("d", s("DATE"))])),
        // Deep nesting: lists of structs holding maps of lists of structs.
        list(Ty::Struct(vec![
            ("x", list(list(s("INTEGER")))),
            (
                "m",
                Ty::Map(
                    Box::new(s("VARCHAR")),
                    Box::new(list(Ty::Struct(vec![
                        ("d", s("DOUBLE")),
                        ("s", s("VARCHAR")),
                    ]))),
                ),
            ),
            ("u", Ty::Array(Box::new(s("UUID")), 2)),
        ])),
    ]
}

/// A coordinate: integers, decimals, huge and tiny values, negative zero.
fn coord(r: &mut Rng) -> f64 {
    match r.below(5) {
        0 => r.range(-180, 180) as f64,
        1 => r.range(-1_000_000, 1_000_000) as f64 / 1000.0,
        2 => f64::from_bits(r.next() & !(0x7FF << 52) | (r.range(900, 1150) as u64) << 52),
        3 => -0.0,
        _ => r.range(-99, 99) as f64 * 10f64.powi(r.range(-30, 30) as i32),
    }
}

/// Random little-endian ISO WKB of any geometry type; `zm` is 0 (XY), 1 (Z), 2 (M), 3 (ZM).
fn wkb_geometry(r: &mut Rng, out: &mut Vec<u8>, zm: u32, depth: u32) {
    let dims = 2 + (zm & 1) + (zm >> 1);
    let kind = if depth >= 2 {
        1 + r.below(6)
    } else {
        1 + r.below(7)
    } as u32;
    out.push(1);
    out.extend((kind + 1000 * zm).to_le_bytes());
    let vertex = |r: &mut Rng, out: &mut Vec<u8>| {
        for _ in 0..dims {
            out.extend(coord(r).to_le_bytes());
        }
    };
    let vertices = |r: &mut Rng, out: &mut Vec<u8>, min: u64| {
        let n = if r.chance(10) { 0 } else { min + r.below(4) };
        out.extend((n as u32).to_le_bytes());
        for _ in 0..n {
            vertex(r, out);
        }
    };
    let rings = |r: &mut Rng, out: &mut Vec<u8>| {
        let n = r.below(3);
        out.extend((n as u32).to_le_bytes());
        for _ in 0..n {
            vertices(r, out, 4);
        }
    };
    let count = |r: &mut Rng, out: &mut Vec<u8>| {
        let n = r.below(4);
        out.extend((n as u32).to_le_bytes());
        n
    };
    let part_header = |out: &mut Vec<u8>, part: u32| {
        out.push(1);
        out.extend((part + 1000 * zm).to_le_bytes());
    };
    match kind {
        1 => {
            if r.chance(10) {
                for _ in 0..dims {
                    out.extend(f64::NAN.to_le_bytes());
                }
            } else {
                vertex(r, out);
            }
        }
        2 => vertices(r, out, 2),
        3 => rings(r, out),
        4 => {
            for _ in 0..count(r, out) {
                part_header(out, 1);
                vertex(r, out);
            }
        }
        5 => {
            for _ in 0..count(r, out) {
                part_header(out, 2);
                vertices(r, out, 2);
            }
        }
        6 => {
            for _ in 0..count(r, out) {
                part_header(out, 3);
                rings(r, out);
            }
        }
        _ => {
            for _ in 0..count(r, out) {
                wkb_geometry(r, out, zm, depth + 1);
            }
        }
    }
}
