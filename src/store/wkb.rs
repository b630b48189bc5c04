//! Well-Known Binary, little-endian, 2D: the two types the store keeps
//! (MultiLineString for centerlines, MultiPolygon for parcels and corridors).
//! Hand-written: it is forty lines, and it reads straight into the shapes
//! [`crate::campaign`] uses.

const MULTI_LINE_STRING: u32 = 5;
const MULTI_POLYGON: u32 = 6;
const LINE_STRING: u32 = 2;
const POLYGON: u32 = 3;

type Ring = Vec<[f64; 2]>;

/// A WKB blob that is not what the store wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WKB hỏng / malformed WKB: {0}")]
pub struct WkbError(pub &'static str);

fn header(out: &mut Vec<u8>, kind: u32) {
    out.push(1);
    out.extend_from_slice(&kind.to_le_bytes());
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn points(out: &mut Vec<u8>, pts: &[[f64; 2]]) {
    count(out, pts.len());
    for p in pts {
        out.extend_from_slice(&p[0].to_le_bytes());
        out.extend_from_slice(&p[1].to_le_bytes());
    }
}

/// Lines as a MultiLineString.
pub fn multi_line_string(lines: &[Ring]) -> Vec<u8> {
    let n: usize = lines.iter().map(|l| 9 + 16 * l.len()).sum();
    let mut out = Vec::with_capacity(9 + n);
    header(&mut out, MULTI_LINE_STRING);
    count(&mut out, lines.len());
    for l in lines {
        header(&mut out, LINE_STRING);
        points(&mut out, l);
    }
    out
}

/// Polygons (each: exterior ring, then holes) as a MultiPolygon.
pub fn multi_polygon(polys: &[Vec<Ring>]) -> Vec<u8> {
    let n: usize = polys
        .iter()
        .map(|p| 9 + p.iter().map(|r| 4 + 16 * r.len()).sum::<usize>())
        .sum();
    let mut out = Vec::with_capacity(9 + n);
    header(&mut out, MULTI_POLYGON);
    count(&mut out, polys.len());
    for p in polys {
        header(&mut out, POLYGON);
        count(&mut out, p.len());
        for r in p {
            points(&mut out, r);
        }
    }
    out
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        if self.0.len() < N {
            return Err(WkbError("truncated"));
        }
        let (a, b) = self.0.split_at(N);
        self.0 = b;
        Ok(a.try_into().expect("split at N"))
    }

    fn u32(&mut self) -> Result<u32, WkbError> {
        Ok(u32::from_le_bytes(self.take()?))
    }

    fn header(&mut self, kind: u32) -> Result<(), WkbError> {
        if self.take::<1>()? != [1] {
            return Err(WkbError("not little-endian"));
        }
        if self.u32()? != kind {
            return Err(WkbError("unexpected geometry type"));
        }
        Ok(())
    }

    fn len(&mut self, item: usize) -> Result<usize, WkbError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(item) > self.0.len() {
            return Err(WkbError("count larger than the blob"));
        }
        Ok(n)
    }

    fn points(&mut self) -> Result<Ring, WkbError> {
        let n = self.len(16)?;
        (0..n)
            .map(|_| {
                let x = f64::from_le_bytes(self.take()?);
                let y = f64::from_le_bytes(self.take()?);
                Ok([x, y])
            })
            .collect()
    }

    fn end(&self) -> Result<(), WkbError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(WkbError("trailing bytes"))
        }
    }
}

/// Reads a MultiLineString written by [`multi_line_string`].
pub fn read_multi_line_string(b: &[u8]) -> Result<Vec<Ring>, WkbError> {
    let mut r = Reader(b);
    r.header(MULTI_LINE_STRING)?;
    let n = r.len(9)?;
    let lines = (0..n)
        .map(|_| {
            r.header(LINE_STRING)?;
            r.points()
        })
        .collect::<Result<_, _>>()?;
    r.end()?;
    Ok(lines)
}

/// Reads a MultiPolygon written by [`multi_polygon`].
pub fn read_multi_polygon(b: &[u8]) -> Result<Vec<Vec<Ring>>, WkbError> {
    let mut r = Reader(b);
    r.header(MULTI_POLYGON)?;
    let n = r.len(9)?;
    let polys = (0..n)
        .map(|_| {
            r.header(POLYGON)?;
            let k = r.len(4)?;
            (0..k).map(|_| r.points()).collect::<Result<_, _>>()
        })
        .collect::<Result<_, _>>()?;
    r.end()?;
    Ok(polys)
}

/// FNV-1a, 64 bits, over several byte strings (each length-prefixed): a
/// stable fingerprint for change detection, the same on every build.
pub fn fingerprint(parts: &[&[u8]]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: &[u8]| {
        for &x in b {
            h ^= u64::from(x);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for p in parts {
        eat(&(p.len() as u64).to_le_bytes());
        eat(p);
    }
    h as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_and_lines_round_trip() {
        let polys = vec![
            vec![
                vec![[105.0, 19.0], [105.1, 19.0], [105.1, 19.1], [105.0, 19.0]],
                vec![
                    [105.01, 19.01],
                    [105.02, 19.01],
                    [105.02, 19.02],
                    [105.01, 19.01],
                ],
            ],
            vec![vec![
                [106.0, 20.0],
                [106.1, 20.0],
                [106.0, 20.1],
                [106.0, 20.0],
            ]],
        ];
        let b = multi_polygon(&polys);
        assert_eq!(read_multi_polygon(&b), Ok(polys));
        let lines = vec![vec![[105.0, 19.0], [105.5, 19.5]], vec![]];
        let b = multi_line_string(&lines);
        assert_eq!(read_multi_line_string(&b), Ok(lines));
    }

    #[test]
    fn the_layout_is_standard_wkb() {
        // MULTIPOLYGON(((0 0,1 0,0 1,0 0))), as PostGIS writes it (ST_AsBinary, NDR).
        let b = multi_polygon(&[vec![vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]]);
        assert_eq!(&b[..9], &[1, 6, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&b[9..18], &[1, 3, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&b[18..22], &[4, 0, 0, 0]);
        assert_eq!(b.len(), 22 + 4 * 16);
    }

    #[test]
    fn malformed_blobs_are_refused() {
        let b = multi_polygon(&[vec![vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]]]);
        assert!(read_multi_polygon(&b[..b.len() - 1]).is_err());
        assert!(read_multi_line_string(&b).is_err());
        let mut long = b.clone();
        long.push(0);
        assert!(read_multi_polygon(&long).is_err());
    }
}
