//! The map's window on the ground and its coordinate grid. Up is grid north:
//! the projected CRS's northing grows up the page (SVG's y grows down, so it
//! is flipped), easting to the right. Vietnamese surveyors write X for the
//! northing and Y for the easting; the labels say so.

/// Where the map box lies on the ground: its lower-left corner (easting,
/// northing in metres), its size on paper (mm), the scale, and where the
/// box sits in the drawing (mm from the drawing's top-left corner).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub min_e: f64,
    pub min_n: f64,
    pub w_mm: f64,
    pub h_mm: f64,
    pub scale: u32,
    pub x0_mm: f64,
    pub y0_mm: f64,
}

impl Window {
    /// The box of `box_mm` at 1:`scale`, its centre on `centre` (e, n),
    /// placed at `origin_mm` in the drawing.
    pub fn centred(centre: [f64; 2], box_mm: [f64; 2], scale: u32, origin_mm: [f64; 2]) -> Window {
        let k = super::scale::metres_per_mm(scale);
        Window {
            min_e: centre[0] - box_mm[0] * k / 2.0,
            min_n: centre[1] - box_mm[1] * k / 2.0,
            w_mm: box_mm[0],
            h_mm: box_mm[1],
            scale,
            x0_mm: origin_mm[0],
            y0_mm: origin_mm[1],
        }
    }

    /// Ground metres per paper millimetre.
    pub fn k(&self) -> f64 {
        super::scale::metres_per_mm(self.scale)
    }

    /// The box's far corner on the ground (e, n).
    pub fn max(&self) -> [f64; 2] {
        [
            self.min_e + self.w_mm * self.k(),
            self.min_n + self.h_mm * self.k(),
        ]
    }

    /// A ground point (e, n) on the drawing (mm, y down).
    pub fn pt(&self, p: [f64; 2]) -> (f64, f64) {
        let k = self.k();
        (
            self.x0_mm + (p[0] - self.min_e) / k,
            self.y0_mm + self.h_mm - (p[1] - self.min_n) / k,
        )
    }
}

/// The grid's interval (m): 5 cm of paper, as on cadastral sheets' grid
/// crosses at 10 cm, halved for a map box of 20 cm.
pub fn interval_m(scale: u32) -> f64 {
    f64::from(scale) / 20.0
}

/// The multiples of `step` in `[min, max]`, ascending.
pub fn ticks(min: f64, max: f64, step: f64) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite() && step > 0.0) || max < min {
        return Vec::new();
    }
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    // bounded: a box of 40 cm at 5 cm is 9 ticks; never more than 100
    (first..=last.min(first + 100))
        .map(|i| i as f64 * step)
        .collect()
}

/// A tick's label: whole metres, thousands grouped the Vietnamese way
/// ("2.192.350").
pub fn label(v: f64) -> String {
    crate::report::record::num_vi(v, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_ticks_are_the_multiples_of_five_centimetres_of_paper_inside_the_box() {
        assert_eq!(interval_m(500), 25.0);
        assert_eq!(interval_m(1000), 50.0);
        assert_eq!(interval_m(2000), 100.0);
        assert_eq!(interval_m(5000), 250.0);
        // Easting 580 013,2 … 580 206,0 at 50 m: 580 050, 100, 150, 200.
        assert_eq!(
            ticks(580_013.2, 580_206.0, 50.0),
            vec![580_050.0, 580_100.0, 580_150.0, 580_200.0]
        );
        // A bound on a tick is kept: 2 192 300 … 2 192 400 at 25 m: 5 ticks.
        assert_eq!(
            ticks(2_192_300.0, 2_192_400.0, 25.0),
            vec![
                2_192_300.0,
                2_192_325.0,
                2_192_350.0,
                2_192_375.0,
                2_192_400.0
            ]
        );
        assert!(ticks(10.0, 5.0, 1.0).is_empty());
        assert!(ticks(0.0, 5.0, 0.0).is_empty());
        assert_eq!(label(2_192_350.0), "2.192.350");
        assert_eq!(label(580_050.0), "580.050");
    }

    #[test]
    fn the_window_puts_ground_metres_on_paper_at_the_scale_north_up() {
        // 195 × 148 mm at 1:1000 centred on (580 000, 2 192 000): 195 × 148 m.
        let w = Window::centred([580_000.0, 2_192_000.0], [195.0, 148.0], 1000, [9.0, 9.0]);
        assert_eq!((w.min_e, w.min_n), (579_902.5, 2_191_926.0));
        assert_eq!(w.max(), [580_097.5, 2_192_074.0]);
        // the centre lands in the box's middle: 9 + 97,5 mm, 9 + 74 mm
        assert_eq!(w.pt([580_000.0, 2_192_000.0]), (106.5, 83.0));
        // 10 m north is 10 mm up at 1:1000; 10 m east 10 mm right
        assert_eq!(w.pt([580_010.0, 2_192_010.0]), (116.5, 73.0));
        // at 1:500 10 m is 20 mm
        let w = Window::centred([0.0, 0.0], [100.0, 100.0], 500, [0.0, 0.0]);
        assert_eq!(w.pt([10.0, 0.0]), (70.0, 50.0));
    }
}
