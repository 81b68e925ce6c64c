//! GEOMETRY: DuckDB's spatial type, stored as WKB and written as WKT.
//!
//! In a vector a GEOMETRY is a `duckdb_string_t` holding ISO WKB, little-endian only: per
//! geometry a byte order byte (always 1), a `u32` type code (1 POINT, 2 LINESTRING, 3
//! POLYGON, 4 MULTIPOINT, 5 MULTILINESTRING, 6 MULTIPOLYGON, 7 GEOMETRYCOLLECTION, plus 1000
//! for Z, 2000 for M, 3000 for ZM), then the body (`f64` coordinates, `u32` counts). See the
//! "GEOMETRY storage" section of [`c_api_reference`](crate::c_api_reference).

use crate::safe::error::{Error, ErrorKind, Result};
use crate::safe::render::{DuckDouble, TextBuf};
use std::fmt::{self, Write};

/// The kind of a [`Geometry`] (its outermost WKB type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GeometryType {
    /// `POINT`
    Point,
    /// `LINESTRING`
    LineString,
    /// `POLYGON`
    Polygon,
    /// `MULTIPOINT`
    MultiPoint,
    /// `MULTILINESTRING`
    MultiLineString,
    /// `MULTIPOLYGON`
    MultiPolygon,
    /// `GEOMETRYCOLLECTION`
    GeometryCollection,
}

impl GeometryType {
    fn from_code(code: u32) -> Option<GeometryType> {
        Some(match code {
            1 => GeometryType::Point,
            2 => GeometryType::LineString,
            3 => GeometryType::Polygon,
            4 => GeometryType::MultiPoint,
            5 => GeometryType::MultiLineString,
            6 => GeometryType::MultiPolygon,
            7 => GeometryType::GeometryCollection,
            _ => return None,
        })
    }

    /// The WKT keyword.
    pub fn wkt_name(self) -> &'static str {
        match self {
            GeometryType::Point => "POINT",
            GeometryType::LineString => "LINESTRING",
            GeometryType::Polygon => "POLYGON",
            GeometryType::MultiPoint => "MULTIPOINT",
            GeometryType::MultiLineString => "MULTILINESTRING",
            GeometryType::MultiPolygon => "MULTIPOLYGON",
            GeometryType::GeometryCollection => "GEOMETRYCOLLECTION",
        }
    }
}

/// A GEOMETRY value: its WKB bytes (checked when built). `Display` writes WKT as DuckDB does.
///
/// ```
/// use duckdb_ffi::safe::Database;
/// use duckdb_ffi::safe::types::{Geometry, GeometryType};
/// let conn = Database::open_in_memory()?.connect()?;
/// let g: Geometry = conn.query_row("SELECT 'POINT (1 2.5)'::GEOMETRY", (), |r| r.get(0))?;
/// assert_eq!(g.geometry_type(), GeometryType::Point);
/// assert_eq!(g.to_string(), "POINT (1 2.5)");
/// assert_eq!(g.wkb().len(), 21);
/// # Ok::<(), duckdb_ffi::safe::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Geometry {
    wkb: Vec<u8>,
    kind: GeometryType,
}

impl Geometry {
    /// Checks little-endian ISO WKB (the layout DuckDB stores) and keeps it.
    pub fn from_wkb(wkb: Vec<u8>) -> Result<Geometry> {
        let mut sink = Wkt::Check;
        let mut reader = Reader {
            bytes: &wkb,
            pos: 0,
        };
        let kind = write_geometry(&mut reader, &mut sink, 0, None)
            .ok()
            .filter(|_| reader.pos == wkb.len())
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::TypeMismatch,
                    format!("malformed or unsupported GEOMETRY WKB: {wkb:02x?}"),
                )
            })?;
        Ok(Geometry { wkb, kind })
    }

    /// The WKB bytes.
    pub fn wkb(&self) -> &[u8] {
        &self.wkb
    }

    /// The outermost geometry type.
    pub fn geometry_type(&self) -> GeometryType {
        self.kind
    }
}

impl fmt::Display for Geometry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut reader = Reader {
            bytes: &self.wkb,
            pos: 0,
        };
        write_geometry(&mut reader, &mut Wkt::Out(f), 0, None).map(drop)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> std::result::Result<[u8; N], fmt::Error> {
        let b = self.bytes.get(self.pos..self.pos + N).ok_or(fmt::Error)?;
        self.pos += N;
        b.try_into().map_err(|_| fmt::Error)
    }
    fn u32(&mut self) -> std::result::Result<u32, fmt::Error> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn f64(&mut self) -> std::result::Result<f64, fmt::Error> {
        Ok(f64::from_le_bytes(self.take()?))
    }
}

/// Where WKT goes: a formatter, or nowhere (only checking the WKB).
enum Wkt<'f, 'g> {
    Out(&'f mut fmt::Formatter<'g>),
    Check,
}

impl Wkt<'_, '_> {
    fn str(&mut self, s: &str) -> fmt::Result {
        match self {
            Wkt::Out(f) => f.write_str(s),
            Wkt::Check => Ok(()),
        }
    }

    /// A coordinate: DuckDB's DOUBLE text without a trailing `.0` (`10`, `2.5`, `1e+20`).
    fn coord(&mut self, v: f64) -> fmt::Result {
        if let Wkt::Out(f) = self {
            let mut t = TextBuf::new();
            write!(t, "{}", DuckDouble(v))?;
            if !t.as_str().contains('e') {
                t.strip_suffix(".0");
            }
            t.write_to(f)?;
        }
        Ok(())
    }

    fn vertex(&mut self, r: &mut Reader<'_>, dims: u32) -> fmt::Result {
        for d in 0..dims {
            if d > 0 {
                self.str(" ")?;
            }
            self.coord(r.f64()?)?;
        }
        Ok(())
    }

    /// `(x y, x y, ...)` or `EMPTY`.
    fn vertices(&mut self, r: &mut Reader<'_>, dims: u32) -> fmt::Result {
        let n = r.u32()?;
        if n == 0 {
            return self.str("EMPTY");
        }
        self.str("(")?;
        for i in 0..n {
            if i > 0 {
                self.str(", ")?;
            }
            self.vertex(r, dims)?;
        }
        self.str(")")
    }

    /// `((ring), (ring))` or `EMPTY`.
    fn rings(&mut self, r: &mut Reader<'_>, dims: u32) -> fmt::Result {
        let n = r.u32()?;
        if n == 0 {
            return self.str("EMPTY");
        }
        self.str("(")?;
        for i in 0..n {
            if i > 0 {
                self.str(", ")?;
            }
            self.vertices(r, dims)?;
        }
        self.str(")")
    }
}

/// Deepest nesting of collections accepted.
const MAX_DEPTH: usize = 256;

/// Reads one WKB geometry header: its type and (has Z, has M).
fn header(r: &mut Reader<'_>) -> std::result::Result<(GeometryType, (bool, bool)), fmt::Error> {
    if r.take::<1>()? != [1] {
        return Err(fmt::Error); // only little-endian WKB is stored
    }
    let code = r.u32()? & 0xFFFF;
    let kind = GeometryType::from_code(code % 1000).ok_or(fmt::Error)?;
    let flags = code / 1000;
    if flags > 3 {
        return Err(fmt::Error);
    }
    Ok((kind, (flags & 1 != 0, flags & 2 != 0)))
}

/// Writes (or checks) one geometry; `parent` is the enclosing geometry's Z/M flags, which a
/// part must share.
fn write_geometry(
    r: &mut Reader<'_>,
    out: &mut Wkt<'_, '_>,
    depth: usize,
    parent: Option<(bool, bool)>,
) -> std::result::Result<GeometryType, fmt::Error> {
    if depth >= MAX_DEPTH {
        return Err(fmt::Error);
    }
    let (kind, zm) = header(r)?;
    if parent.is_some_and(|p| p != zm) {
        return Err(fmt::Error);
    }
    let dims = 2 + u32::from(zm.0) + u32::from(zm.1);
    out.str(kind.wkt_name())?;
    out.str(match zm {
        (true, true) => " ZM ",
        (true, false) => " Z ",
        (false, true) => " M ",
        (false, false) => " ",
    })?;
    // A part of a multi-geometry: its own header, which must have the expected type and the
    // parent's dimensions.
    let part = |r: &mut Reader<'_>, want: GeometryType| -> fmt::Result {
        match header(r)? {
            (k, p) if k == want && p == zm => Ok(()),
            _ => Err(fmt::Error),
        }
    };
    match kind {
        GeometryType::Point => {
            let start = r.pos;
            let all_nan = (0..dims).try_fold(true, |acc, _| Ok(acc && r.f64()?.is_nan()))?;
            r.pos = start;
            if all_nan {
                r.pos += 8 * dims as usize;
                out.str("EMPTY")?;
            } else {
                out.str("(")?;
                out.vertex(r, dims)?;
                out.str(")")?;
            }
        }
        GeometryType::LineString => out.vertices(r, dims)?,
        GeometryType::Polygon => out.rings(r, dims)?,
        GeometryType::MultiPoint
        | GeometryType::MultiLineString
        | GeometryType::MultiPolygon
        | GeometryType::GeometryCollection => {
            let n = r.u32()?;
            if n == 0 {
                out.str("EMPTY")?;
                return Ok(kind);
            }
            out.str("(")?;
            for i in 0..n {
                if i > 0 {
                    out.str(", ")?;
                }
                match kind {
                    GeometryType::MultiPoint => {
                        part(r, GeometryType::Point)?;
                        let start = r.pos;
                        let all_nan =
                            (0..dims).try_fold(true, |acc, _| Ok(acc && r.f64()?.is_nan()))?;
                        r.pos = start;
                        if all_nan {
                            r.pos += 8 * dims as usize;
                            out.str("EMPTY")?;
                        } else {
                            out.vertex(r, dims)?;
                        }
                    }
                    GeometryType::MultiLineString => {
                        part(r, GeometryType::LineString)?;
                        out.vertices(r, dims)?;
                    }
                    GeometryType::MultiPolygon => {
                        part(r, GeometryType::Polygon)?;
                        out.rings(r, dims)?;
                    }
                    _ => {
                        write_geometry(r, out, depth + 1, Some(zm))?;
                    }
                }
            }
            out.str(")")?;
        }
    }
    Ok(kind)
}
