//! The donation record page of one parcel (biên bản hiến đất): gathers the
//! parcel, its household, donations, structures and record from the store,
//! cuts the donated strips (parcel ∩ corridor) in the ward's projected CRS,
//! and hands a [`RecordDoc`] to [`crate::report::record::render`].

use crate::campaign::ParcelInput;
use crate::campaign::structures::structures_on;
use crate::geometry::area::polygon_area;
use crate::geometry::crs::{Crs, CrsError, DEFAULT_CRS};
use crate::geometry::outline;
use crate::ops::compute::{self, ComputeError};
use crate::report::record::{RecordDoc, RecordDonation, RecordInfo, RecordStructure};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crs(#[from] CrsError),
    #[error(transparent)]
    Compute(#[from] ComputeError),
}

/// The page's content for parcel `id`, printed on `today`.
pub fn record_doc(store: &Store, id: &str, today: NaiveDate) -> Result<RecordDoc, RecordError> {
    let crs = Crs::parse(&store.ward_crs()?.unwrap_or_else(|| DEFAULT_CRS.into()))?;
    let p = store.parcel(id)?;
    let donations = store.donations_of(&[p.key])?;
    let (keys, segments, corridors) = store.segment_inputs()?;
    let mine: Vec<usize> = (0..keys.len())
        .filter(|&i| donations.iter().any(|d| d.segment == keys[i]))
        .collect();
    let segs: Vec<_> = mine.iter().map(|&i| segments[i].clone()).collect();
    let corrs: Vec<_> = corridors
        .into_iter()
        .filter(|c| segs.iter().any(|s| s.id == c.segment_id))
        .collect();
    let input = ParcelInput {
        id: p.id.clone(),
        map_sheet: None,
        parcel_no: None,
        owner: None,
        residential_group: None,
        land_use: None,
        polygons: p.polygons.clone(),
    };
    // the parcel in projected metres, exactly
    let mut parcel = p.polygons.clone();
    for r in parcel.iter_mut().flatten() {
        crs.project_in_place(r)?;
    }
    let mut strips = Vec::new();
    let mut lines = Vec::new();
    if !segs.is_empty() {
        let projected = compute::project(&crs, &segs, &[input], &corrs)?;
        let o = projected.origin;
        let local: Vec<outline::Rings> = parcel
            .iter()
            .map(|poly| {
                poly.iter()
                    .map(|r| r.iter().map(|q| [q[0] - o.0[0], q[1] - o.0[1]]).collect())
                    .collect()
            })
            .collect();
        for g in &projected.segments {
            for piece in outline::intersection(&local, &compute::corridor_outline(g)) {
                if let Some(ext) = piece.into_iter().next() {
                    strips.push(ext.into_iter().map(|q| o.to_world(q)).collect());
                }
            }
        }
        for s in &segs {
            for l in &s.lines {
                let mut l = l.clone();
                crs.project_in_place(&mut l)?;
                lines.push(l);
            }
        }
    }
    let household = store.households_of(p.key)?.into_iter().next();
    let name_of = |k: i64| {
        keys.iter()
            .position(|x| *x == k)
            .map(|i| segments[i].name.clone())
            .unwrap_or_default()
    };
    let record = store.records_of(p.key)?.into_iter().next_back();
    // As the read model counts them (campaign::figures): a structure marked
    // donated on the day counts as donated while the household stands at
    // agreement or later — on the record's date, or today for a blank record.
    let as_of = record.as_ref().map_or(today, |r| r.signed_on);
    let agreed = store.status_as_of(&p.id, as_of)?.reached_agreement();
    Ok(RecordDoc {
        ward: format!("Phường {}", store.ward_name()?),
        crs_name: crs_name(&crs),
        parcel_id: p.id.to_string(),
        map_sheet: p.map_sheet.clone(),
        parcel_no: p.parcel_no.clone(),
        address: household.as_ref().and_then(|h| h.address.clone()),
        owner: household
            .as_ref()
            .map(|h| h.head_name.clone())
            .or(p.owner.clone()),
        residential_group: p.residential_group.clone(),
        land_use: p.land_use.clone(),
        legal_area_m2: p.legal_area_m2,
        parcel_area_m2: parcel.iter().map(|poly| polygon_area(poly)).sum(),
        donations: donations
            .iter()
            .map(|d| RecordDonation {
                segment: name_of(d.segment),
                area_m2: d.attributed_area_m2,
                frontage_m: d.frontage_m,
                depth_mean_m: d.depth_mean_m,
                depth_max_m: d.depth_max_m,
            })
            .collect(),
        // the structures as they stood on that date (their history replayed)
        structures: structures_on(
            &store.structures_now(p.key)?,
            &store.structure_changes(p.key)?,
            as_of,
        )
        .into_iter()
        .map(|s| RecordStructure {
            kind: s.values.kind.label().to_string(),
            quantity: s.values.quantity,
            unit: s.values.unit.map(|u| u.label().to_string()),
            value_vnd: s.values.value_vnd,
            donated: s.values.donated && agreed,
        })
        .collect(),
        record: record.map(|r| RecordInfo {
            number: r.number,
            signed_on: r.signed_on,
            signatories: r.signatories,
            witness: r.witness,
        }),
        parcel: parcel.into_iter().flatten().collect(),
        strips,
        centerlines: lines,
        printed_on: today,
        demo: store.is_demo()?,
    })
}

/// "VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°" from the CRS's PROJ string.
pub(crate) fn crs_name(crs: &Crs) -> String {
    let proj = crs.proj_string();
    let lon0 = proj
        .split_whitespace()
        .find_map(|t| t.strip_prefix("+lon_0="))
        .and_then(|v| v.parse::<f64>().ok());
    match lon0 {
        Some(l) => {
            let deg = l.trunc();
            let min = ((l - deg) * 60.0).round();
            format!("VN-2000, kinh tuyến trục {deg:.0}°{min:02.0}′, múi chiếu 3°")
        }
        None => "VN-2000".to_string(),
    }
}
