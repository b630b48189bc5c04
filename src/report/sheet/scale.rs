//! The sheet's paper and its scale: the page sizes (A4, A3, landscape), the
//! box the map gets on them, and the numeric scale chosen as the largest of
//! 1:500, 1:1000, 1:2000, 1:5000 at which the area fits that box. On paper,
//! 1 mm at 1:n is n mm, n/1000 m, on the ground (in the projected CRS's plane).

/// The numeric scales a sheet is drawn at, largest (most detailed) first.
pub const SCALES: [u32; 4] = [500, 1000, 2000, 5000];

/// Paper kept clear around the area inside the map box (mm), so that no
/// parcel touches the frame.
pub const PAD_MM: f64 = 4.0;

/// A paper size, printed landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

/// The page margin (mm), as `@page` sets it.
pub const PAGE_MARGIN_MM: f64 = 10.0;
/// Above the map on the first page: the title and the date lines (mm).
pub const HEADER_MM: f64 = 24.0;
/// Right of the map: the legend, the scale, the north arrow (mm).
pub const LEGEND_MM: f64 = 64.0;
/// Inside the frame, around the map: the grid's coordinate labels (mm).
pub const TICK_MARGIN_MM: f64 = 9.0;

impl Paper {
    /// `a4` or `a3` (any case).
    pub fn parse(s: &str) -> Option<Paper> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "a3" => Some(Paper::A3),
            _ => None,
        }
    }

    /// "A4", "A3" (the CSS `@page` size name).
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A3 => "A3",
        }
    }

    /// Width and height of the sheet, landscape (mm).
    pub fn size_mm(self) -> [f64; 2] {
        match self {
            Paper::A4 => [297.0, 210.0],
            Paper::A3 => [420.0, 297.0],
        }
    }

    /// Inside the page margins (mm).
    pub fn content_mm(self) -> [f64; 2] {
        let [w, h] = self.size_mm();
        [w - 2.0 * PAGE_MARGIN_MM, h - 2.0 * PAGE_MARGIN_MM]
    }

    /// The frame around the map, grid labels included (mm).
    pub fn frame_mm(self) -> [f64; 2] {
        let [w, h] = self.content_mm();
        [w - LEGEND_MM, h - HEADER_MM]
    }

    /// The map itself, inside the frame's label margin (mm).
    pub fn map_mm(self) -> [f64; 2] {
        let [w, h] = self.frame_mm();
        [w - 2.0 * TICK_MARGIN_MM, h - 2.0 * TICK_MARGIN_MM]
    }
}

/// Ground metres that 1 mm of paper covers at 1:`scale`.
pub fn metres_per_mm(scale: u32) -> f64 {
    f64::from(scale) / 1000.0
}

/// Whether an area `extent_m` (width east–west, height north–south, in
/// metres) fits a map box of `box_mm` at 1:`scale`, with [`PAD_MM`] of paper
/// clear on every side.
pub fn fits(extent_m: [f64; 2], box_mm: [f64; 2], scale: u32) -> bool {
    let k = metres_per_mm(scale);
    (0..2).all(|i| extent_m[i] / k <= box_mm[i] - 2.0 * PAD_MM + 1e-9)
}

/// The largest scale of [`SCALES`] at which `extent_m` fits `box_mm`; none
/// when it does not fit even at the smallest (1:5000).
pub fn choose(extent_m: [f64; 2], box_mm: [f64; 2]) -> Option<u32> {
    if !extent_m.iter().all(|v| v.is_finite() && *v >= 0.0) {
        return None;
    }
    SCALES.into_iter().find(|&s| fits(extent_m, box_mm, s))
}

/// The scale bar's length (m): the largest of 1, 2, 5 × 10ⁿ m that is at
/// most `max_mm` long on paper at 1:`scale`, and how many parts it is cut
/// into (each part a round length too).
pub fn bar(scale: u32, max_mm: f64) -> (f64, u32) {
    let max_m = max_mm * metres_per_mm(scale);
    let base = 10f64.powf(max_m.log10().floor());
    let len = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * base)
        .find(|&l| l <= max_m * (1.0 + 1e-9))
        .unwrap_or(base);
    let lead = (len / base).round();
    (len, if lead == 2.0 { 4 } else { 5 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_box_is_the_page_less_margins_header_legend_and_grid_labels() {
        // A4 landscape: 297 − 2·10 − 64 − 2·9 = 195; 210 − 2·10 − 24 − 2·9 = 148.
        assert_eq!(Paper::A4.map_mm(), [195.0, 148.0]);
        // A3 landscape: 420 − 20 − 64 − 18 = 318; 297 − 20 − 24 − 18 = 235.
        assert_eq!(Paper::A3.map_mm(), [318.0, 235.0]);
        assert_eq!(Paper::parse("a3"), Some(Paper::A3));
        assert_eq!(Paper::parse("A4"), Some(Paper::A4));
        assert_eq!(Paper::parse("a5"), None);
    }

    #[test]
    fn the_largest_scale_at_which_the_area_fits_is_chosen() {
        let a4 = Paper::A4.map_mm(); // 195 × 148 mm, 187 × 140 mm usable
        // 90 × 60 m: at 1:500 180 × 120 mm ≤ 187 × 140 → 1:500.
        assert_eq!(choose([90.0, 60.0], a4), Some(500));
        // 95 m wide: 190 mm > 187 at 1:500; 95 mm at 1:1000 → 1:1000.
        assert_eq!(choose([95.0, 60.0], a4), Some(1000));
        // 150 m tall: 150 mm > 140 at 1:1000; 75 mm at 1:2000 → 1:2000.
        assert_eq!(choose([100.0, 150.0], a4), Some(2000));
        // 900 × 300 m: 450 mm at 1:2000, 180 mm at 1:5000 → 1:5000.
        assert_eq!(choose([900.0, 300.0], a4), Some(5000));
        // 1 000 m wide: 200 mm > 187 even at 1:5000 → none on A4 …
        assert_eq!(choose([1000.0, 300.0], a4), None);
        // … but 200 ≤ 310 on A3 (318 − 8) → 1:5000.
        assert_eq!(choose([1000.0, 300.0], Paper::A3.map_mm()), Some(5000));
        // exactly the usable width fits: 187 m at 1:1000 is 187 mm.
        assert_eq!(choose([187.0, 10.0], a4), Some(1000));
        assert_eq!(choose([f64::NAN, 10.0], a4), None);
    }

    #[test]
    fn the_scale_bar_is_a_round_length_no_longer_than_asked() {
        // 50 mm at 1:1000 = 50 m → 50 m in 5 parts of 10 m.
        assert_eq!(bar(1000, 50.0), (50.0, 5));
        // 50 mm at 1:500 = 25 m → 20 m in 4 parts of 5 m.
        assert_eq!(bar(500, 50.0), (20.0, 4));
        // 50 mm at 1:2000 = 100 m → 100 m in 5 parts of 20 m.
        assert_eq!(bar(2000, 50.0), (100.0, 5));
        // 50 mm at 1:5000 = 250 m → 200 m in 4 parts of 50 m.
        assert_eq!(bar(5000, 50.0), (200.0, 4));
        assert!((metres_per_mm(2000) - 2.0).abs() < 1e-12);
    }
}
