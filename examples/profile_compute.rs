//! Times the phases of the compute pipeline on a ward folder (dev tool).
use hiendat::formats::geojson_read;
use hiendat::geometry::crs::Crs;
use hiendat::ops::compute;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: profile_compute DIR");
    let segs =
        geojson_read::read_segments(&std::fs::read(format!("{dir}/segments.geojson")).unwrap())
            .unwrap();
    let parcels =
        geojson_read::read_parcels(&std::fs::read(format!("{dir}/parcels.geojson")).unwrap())
            .unwrap();
    let crs = Crs::vn2000_thanh_hoa();
    for _ in 0..3 {
        let t0 = Instant::now();
        let projected = compute::project(&crs, &segs, &parcels, &[]).unwrap();
        let t1 = Instant::now();
        let seg_ids: Vec<_> = segs.iter().map(|s| &s.id).collect();
        let engine =
            hiendat::geometry::donation::Engine::new(projected.segments, compute::ranks(&seg_ids));
        let t2 = Instant::now();
        let pairs = engine.measure_all(&projected.parcels);
        let t3 = Instant::now();
        println!(
            "project {:.3} engine {:.3} measure {:.3} pairs {} pieces {}",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64(),
            pairs.len(),
            engine.pieces.len()
        );
    }
}
