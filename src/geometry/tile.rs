//! Web Mercator tiles (the XYZ scheme MapLibre asks for): a tile's
//! lon/lat box, and geometry brought from WGS84 lon/lat into a tile's own
//! integer coordinates (y down, [`EXTENT`] units a side), simplified and
//! clipped to the tile and a [`BUFFER`] around it, ready for a vector
//! tile encoder.
//!
//! Simplification is in tile units, so it follows the zoom by itself: a
//! tolerance of [`TOLERANCE`] units is an eighth of a pixel on a 512-pixel
//! tile at any zoom. Shapes smaller than a pixel are dropped below
//! [`KEEP_SMALL_FROM`], where the map would draw nothing of them anyway.

use geo::orient::{Direction, Orient};
use geo::{
    BooleanOps, BoundingRect, Coord, LineString, MultiLineString, MultiPolygon, Polygon, Rect,
    Simplify,
};
use std::f64::consts::PI;

/// Units on a tile's side.
pub const EXTENT: u32 = 4096;
/// Units drawn around the tile (so that lines and outlines meet across
/// tile edges).
pub const BUFFER: u32 = 64;
/// The deepest zoom served.
pub const MAX_ZOOM: u8 = 22;
/// The simplification tolerance, in tile units.
pub const TOLERANCE: f64 = 1.0;
/// One pixel of a 512-pixel tile, in tile units.
pub const PIXEL: f64 = EXTENT as f64 / 512.0;
/// From this zoom on, shapes under a pixel are kept.
pub const KEEP_SMALL_FROM: u8 = 17;

/// Why a tile address is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileError {
    /// `z` over [`MAX_ZOOM`].
    Zoom,
    /// `x` outside `0..2^z`.
    X,
    /// `y` outside `0..2^z`.
    Y,
}

/// A tile's address, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// The tile `z/x/y`, if there is one.
    ///
    /// ```
    /// use hiendat::geometry::tile::{TileError, TileId};
    /// assert!(TileId::new(0, 0, 0).is_ok());
    /// assert_eq!(TileId::new(2, 4, 0), Err(TileError::X));
    /// assert_eq!(TileId::new(23, 0, 0), Err(TileError::Zoom));
    /// ```
    pub fn new(z: u32, x: u32, y: u32) -> Result<TileId, TileError> {
        if z > u32::from(MAX_ZOOM) {
            return Err(TileError::Zoom);
        }
        let n = 1u32 << z;
        if x >= n {
            return Err(TileError::X);
        }
        if y >= n {
            return Err(TileError::Y);
        }
        Ok(TileId { z: z as u8, x, y })
    }

    /// Tiles on a side at this zoom.
    fn n(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// The tile's lon/lat box `[min_lon, min_lat, max_lon, max_lat]`,
    /// widened by the buffer.
    pub fn bbox(self) -> [f64; 4] {
        let b = f64::from(BUFFER) / f64::from(EXTENT);
        let lon = |x: f64| x / self.n() * 360.0 - 180.0;
        let lat = |y: f64| {
            let m = PI * (1.0 - 2.0 * y / self.n());
            m.sinh().atan().to_degrees()
        };
        let (x, y) = (f64::from(self.x), f64::from(self.y));
        [lon(x - b), lat(y + 1.0 + b), lon(x + 1.0 + b), lat(y - b)]
    }

    /// A lon/lat point in this tile's units (y down; may fall outside).
    pub fn project(self, [lon, lat]: [f64; 2]) -> Coord {
        let lat = lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let fx = (lon + 180.0) / 360.0;
        let fy = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0;
        let e = f64::from(EXTENT);
        Coord {
            x: (fx * self.n() - f64::from(self.x)) * e,
            y: (fy * self.n() - f64::from(self.y)) * e,
        }
    }

    /// The tile and its buffer, in tile units.
    fn clip_box(self) -> Rect {
        let b = f64::from(BUFFER);
        let e = f64::from(EXTENT);
        Rect::new(Coord { x: -b, y: -b }, Coord { x: e + b, y: e + b })
    }

    /// Whether a shape this size (tile units) is drawn at this zoom.
    fn keeps(self, r: Rect) -> bool {
        self.z >= KEEP_SMALL_FROM || r.width() >= PIXEL || r.height() >= PIXEL
    }

    /// Polygons (lon/lat rings: shell, then holes) in this tile's units:
    /// simplified, clipped, on integer units, exterior rings clockwise on
    /// screen (the vector tile rule); `None` when nothing of them shows.
    pub fn polygons(self, rings: &[Vec<Vec<[f64; 2]>>]) -> Option<MultiPolygon> {
        let mp = MultiPolygon::new(
            rings
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let ring = |r: &Vec<[f64; 2]>| {
                        LineString::new(r.iter().map(|c| self.project(*c)).collect())
                    };
                    Polygon::new(ring(&p[0]), p[1..].iter().map(ring).collect())
                })
                .collect(),
        );
        let r = mp.bounding_rect()?;
        let clip = self.clip_box();
        if !self.keeps(r) || !overlaps(r, clip) {
            return None;
        }
        let mp = mp.simplify(TOLERANCE);
        let mp = if inside(r, clip) {
            mp
        } else {
            mp.intersection(&MultiPolygon::new(vec![clip.to_polygon()]))
        };
        let polys: Vec<Polygon> = mp.0.into_iter().filter_map(integer_polygon).collect();
        (!polys.is_empty()).then(|| MultiPolygon::new(polys).orient(Direction::Default))
    }

    /// Lines (lon/lat) in this tile's units: simplified, clipped, on
    /// integer units; `None` when nothing of them shows.
    pub fn lines(self, lines: &[Vec<[f64; 2]>]) -> Option<MultiLineString> {
        let ml = MultiLineString::new(
            lines
                .iter()
                .map(|l| LineString::new(l.iter().map(|c| self.project(*c)).collect()))
                .collect(),
        );
        let r = ml.bounding_rect()?;
        let clip = self.clip_box();
        if !self.keeps(r) || !overlaps(r, clip) {
            return None;
        }
        let ml = ml.simplify(TOLERANCE);
        let ml = if inside(r, clip) {
            ml
        } else {
            MultiPolygon::new(vec![clip.to_polygon()]).clip(&ml, false)
        };
        let out: Vec<LineString> =
            ml.0.into_iter()
                .filter_map(|l| {
                    let l = integer_line(&l);
                    (l.0.len() >= 2).then_some(l)
                })
                .collect();
        (!out.is_empty()).then(|| MultiLineString::new(out))
    }
}

fn overlaps(a: Rect, b: Rect) -> bool {
    a.min().x <= b.max().x
        && a.max().x >= b.min().x
        && a.min().y <= b.max().y
        && a.max().y >= b.min().y
}

fn inside(a: Rect, b: Rect) -> bool {
    a.min().x >= b.min().x
        && a.max().x <= b.max().x
        && a.min().y >= b.min().y
        && a.max().y <= b.max().y
}

/// A line on whole units, without repeated points.
fn integer_line(l: &LineString) -> LineString {
    let mut out: Vec<Coord> = Vec::with_capacity(l.0.len());
    for c in &l.0 {
        let c = Coord {
            x: c.x.round(),
            y: c.y.round(),
        };
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    LineString::new(out)
}

/// A ring on whole units, or `None` when fewer than three corners are left.
fn integer_ring(l: &LineString) -> Option<LineString> {
    let mut r = integer_line(l);
    if r.0.len() > 1 && r.0.first() == r.0.last() {
        r.0.pop();
    }
    if r.0.len() < 3 {
        return None;
    }
    r.close();
    Some(r)
}

/// A polygon on whole units; its holes that vanish are dropped, and so is
/// the polygon when its shell does.
fn integer_polygon(p: Polygon) -> Option<Polygon> {
    let (shell, holes) = p.into_inner();
    let shell = integer_ring(&shell)?;
    Some(Polygon::new(
        shell,
        holes.iter().filter_map(integer_ring).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn a_tile_box_holds_what_projects_inside_it() {
        let t = TileId::new(17, 104_470, 57_528).unwrap();
        let [w, s, e, n] = t.bbox();
        let mid = t.project([(w + e) / 2.0, (s + n) / 2.0]);
        assert!(
            (mid.x - 2048.0).abs() < 1.0 && (mid.y - 2048.0).abs() < 1.0,
            "{mid:?}"
        );
        let nw = t.project([w, n]);
        assert!(
            (nw.x + 64.0).abs() < 1e-6 && (nw.y + 64.0).abs() < 1e-6,
            "{nw:?}"
        );
    }

    #[test]
    fn addresses_out_of_range_are_named() {
        assert_eq!(TileId::new(3, 8, 0), Err(TileError::X));
        assert_eq!(TileId::new(3, 0, 8), Err(TileError::Y));
        assert_eq!(TileId::new(23, 0, 0), Err(TileError::Zoom));
        assert_eq!(TileId::new(22, (1 << 22) - 1, 0).unwrap().z, 22);
    }

    #[test]
    fn polygons_are_clipped_to_the_buffer_and_wound_clockwise_on_screen() {
        let t = TileId::new(16, 52_235, 28_764).unwrap();
        let [w, s, e, n] = t.bbox();
        // a square from the middle of the tile to far past its east edge
        let (cx, cy) = ((w + e) / 2.0, (s + n) / 2.0);
        let sq = vec![vec![vec![
            [cx, cy],
            [cx + 1.0, cy],
            [cx + 1.0, cy + (n - s) / 4.0],
            [cx, cy + (n - s) / 4.0],
            [cx, cy],
        ]]];
        let mp = t.polygons(&sq).unwrap();
        let r = mp.bounding_rect().unwrap();
        assert_eq!(r.max().x, f64::from(EXTENT + BUFFER));
        // y down: a ring clockwise on screen has a positive signed area
        assert!(mp.0[0].signed_area() > 0.0);
        for c in mp.0[0].exterior().0.iter() {
            assert_eq!(c.x, c.x.round());
        }
    }

    #[test]
    fn a_parcel_under_a_pixel_goes_at_low_zooms_and_stays_close_up() {
        let lon = 105.77;
        let lat = 19.80;
        let p = vec![vec![vec![
            [lon, lat],
            [lon + 0.0001, lat],
            [lon + 0.0001, lat + 0.0001],
            [lon, lat + 0.0001],
            [lon, lat],
        ]]];
        let at = |z: u32| {
            let n = f64::from(1u32 << z);
            let x = ((lon + 180.0) / 360.0 * n) as u32;
            let lr = lat.to_radians();
            let y = ((1.0 - (lr.tan() + 1.0 / lr.cos()).ln() / PI) / 2.0 * n) as u32;
            TileId::new(z, x, y).unwrap()
        };
        // 11 m: a pixel is 38 m at z12, 0.6 m at z18
        assert!(at(12).polygons(&p).is_none());
        assert!(at(18).polygons(&p).is_some());
    }
}
