//! The demo ward's structures on the land (công trình trên đất): about two
//! thirds of the affected parcels have something on their donated strip —
//! a wall along the frontage, a gate, the front of the house, an awning, a
//! paved yard, trees, now and then a well — with quantities from the
//! parcel's frontage and strip, values in the ranges a ward's compensation
//! table would give, and a donated flag that follows the parcel's status
//! (handed over or signed: nearly always donated; declined: hardly ever).

use super::rng::{Rng, Stream};
use crate::campaign::ParcelInput;
use crate::campaign::events::Status;
use crate::campaign::structures::{StructureInput, StructureKind, Unit};
use crate::geometry::donation::Donation;

/// Share of affected parcels with at least one structure on the strip.
const WITH_STRUCTURES: f64 = 0.68;

/// The chance a structure is donated, by the parcel's status at the end of
/// the history.
fn donated_chance(s: Status) -> f64 {
    match s {
        Status::HandedOver => 0.95,
        Status::Signed => 0.9,
        Status::Agreed => 0.7,
        Status::Persuading => 0.25,
        Status::Declined => 0.03,
        Status::NotContacted => 0.05,
    }
}

/// Whole thousands of đồng, rounded to 10,000.
fn vnd(x: f64) -> i64 {
    ((x / 10_000.0).round() as i64) * 10_000
}

/// One decimal.
fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The structures of the affected parcels; `status[i]` is parcel `i`'s
/// status at the end of the history. Deterministic for `seed`.
pub(crate) fn generate(
    parcels: &[ParcelInput],
    pairs: &[Donation],
    status: &[Status],
    seed: u64,
) -> Vec<StructureInput> {
    // frontage and donated area per parcel, over all its segments
    let mut strip: Vec<(f64, f64)> = vec![(0.0, 0.0); parcels.len()];
    for d in pairs {
        let s = &mut strip[d.parcel as usize];
        s.0 += d.frontage_m;
        s.1 += d.attributed_area_m2;
    }
    let mut out = Vec::new();
    for (i, p) in parcels.iter().enumerate() {
        let (frontage, area) = strip[i];
        if frontage <= 0.0 || area <= 0.0 {
            continue;
        }
        let mut rng = Rng::new(seed, Stream::Structures, &[i as u64]);
        if !rng.chance(WITH_STRUCTURES) {
            continue;
        }
        let p_donated = donated_chance(status.get(i).copied().unwrap_or(Status::NotContacted));
        let depth = area / frontage;
        let mut items: Vec<(StructureKind, f64, Unit, f64)> = Vec::new();
        if rng.chance(0.6) {
            // brick wall along the frontage: 450,000-900,000 đ per metre
            let q = r1(frontage.max(1.0));
            items.push((
                StructureKind::Wall,
                q,
                Unit::M,
                q * rng.uniform(450e3, 900e3),
            ));
        }
        if rng.chance(0.35) {
            items.push((
                StructureKind::Gate,
                1.0,
                Unit::Item,
                rng.uniform(2.5e6, 12e6),
            ));
        }
        if rng.chance(0.3) {
            // the front of the house (up to 10 m wide) standing on the strip:
            // 2.5-6 million đ per m²
            let q = r1((frontage.min(10.0) * depth.min(1.2)).max(1.0));
            items.push((
                StructureKind::HouseFront,
                q,
                Unit::M2,
                q * rng.uniform(2.5e6, 6e6),
            ));
        }
        if rng.chance(0.25) {
            let q = r1((frontage * rng.uniform(0.8, 2.0)).max(1.0));
            items.push((
                StructureKind::Awning,
                q,
                Unit::M2,
                q * rng.uniform(250e3, 600e3),
            ));
        }
        if rng.chance(0.15) {
            let q = r1((area * rng.uniform(0.5, 1.0)).max(1.0));
            items.push((
                StructureKind::Yard,
                q,
                Unit::M2,
                q * rng.uniform(120e3, 300e3),
            ));
        }
        if rng.chance(0.2) {
            let n = 1 + rng.below(3);
            let each = rng.uniform(300e3, 3e6);
            items.push((StructureKind::Tree, n as f64, Unit::Item, n as f64 * each));
        }
        if rng.chance(0.03) {
            items.push((
                StructureKind::Well,
                1.0,
                Unit::Item,
                rng.uniform(1.5e6, 5e6),
            ));
        }
        if rng.chance(0.05) {
            items.push((
                StructureKind::Other,
                1.0,
                Unit::Item,
                rng.uniform(200e3, 2e6),
            ));
        }
        if items.is_empty() {
            let q = r1(frontage.max(1.0));
            items.push((
                StructureKind::Wall,
                q,
                Unit::M,
                q * rng.uniform(450e3, 900e3),
            ));
        }
        for (kind, quantity, unit, value) in items {
            // a tenth not yet valued
            let value_vnd = (!rng.chance(0.1)).then(|| vnd(value));
            out.push(StructureInput {
                parcel: p.id.clone(),
                kind,
                quantity,
                unit,
                value_vnd,
                donated: rng.chance(p_donated),
                line: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::crs::Crs;
    use crate::ops::compute;

    #[test]
    fn affected_parcels_get_structures_that_follow_their_status() {
        let ward = super::super::generate(600, 2);
        let crs = Crs::vn2000_thanh_hoa();
        let pr = compute::project(&crs, &ward.segments, &ward.parcels, &[]).unwrap();
        let pairs = compute::measure(pr, &ward.segments, &ward.parcels).pairs;
        let half = ward.parcels.len() / 2;
        let status: Vec<Status> = (0..ward.parcels.len())
            .map(|i| {
                if i < half {
                    Status::HandedOver
                } else {
                    Status::Declined
                }
            })
            .collect();
        let s = generate(&ward.parcels, &pairs, &status, 2);
        assert_eq!(s, generate(&ward.parcels, &pairs, &status, 2));
        let affected: std::collections::HashSet<&str> = pairs
            .iter()
            .map(|d| ward.parcels[d.parcel as usize].id.as_str())
            .collect();
        let with: std::collections::HashSet<&str> = s.iter().map(|x| x.parcel.as_str()).collect();
        assert!(with.is_subset(&affected));
        let share = with.len() as f64 / affected.len() as f64;
        assert!((0.5..0.85).contains(&share), "{share}");
        assert!(s.iter().all(|x| x.quantity > 0.0));
        assert!(
            s.iter()
                .filter_map(|x| x.value_vnd)
                .all(|v| (10_000..200_000_000).contains(&v))
        );
        for k in [
            StructureKind::Wall,
            StructureKind::Gate,
            StructureKind::Tree,
        ] {
            assert!(s.iter().any(|x| x.kind == k), "{k}");
        }
        let index: std::collections::HashMap<&str, usize> = ward
            .parcels
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let share_donated = |early: bool| {
            let v: Vec<&StructureInput> = s
                .iter()
                .filter(|x| (index[x.parcel.as_str()] < half) == early)
                .collect();
            v.iter().filter(|x| x.donated).count() as f64 / v.len() as f64
        };
        assert!(share_donated(true) > 0.85, "{}", share_donated(true));
        assert!(share_donated(false) < 0.15, "{}", share_donated(false));
    }
}
