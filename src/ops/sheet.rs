//! The map sheet of a residential group or a road segment: finds the area in
//! the read model, reads its parcels, the neighbours in the map's window, the
//! corridors and centerlines from the store, projects them to the ward's CRS,
//! chooses the scale ([`crate::report::sheet::frame`]) and hands a
//! [`SheetDoc`] to [`crate::report::sheet::render`]. The figures and the
//! statuses are the read model's ([`Ward`]); what a reader may see of each
//! household (the name, the status's private steps) is decided by the door
//! and passed in as [`Viewer`].

use crate::campaign::events::{Audience, PublicStatus, Status};
use crate::campaign::figures::{ParcelFacts, Tally, Ward};
use crate::geometry::crs::{Crs, CrsError, DEFAULT_CRS};
use crate::report::sheet::scale::Paper;
use crate::report::sheet::{
    self, AreaKind, Polygons, SheetDoc, SheetError, SheetFigures, SheetParcel, SheetRow,
};
use crate::store::{ParcelFilter, Store, StoreError};
use chrono::NaiveDate;
use std::collections::HashSet;

/// At most this many parcels in the area (a larger one is refused).
pub const MAX_AREA_PARCELS: usize = 3000;
/// At most this many neighbouring parcels drawn in the window.
pub const MAX_NEIGHBOURS: usize = 3000;

#[derive(Debug, thiserror::Error)]
pub enum SheetOpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// The group or segment asked for does not exist (the message names it).
    #[error("{0}")]
    NotFound(String),
    /// The area cannot be drawn (too large for the paper, nothing to draw,
    /// too many parcels).
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error(
        "khu vực có {0} thửa, quá giới hạn {MAX_AREA_PARCELS} thửa của một tờ bản đồ / the area has {0} parcels, over the limit of {MAX_AREA_PARCELS} for one sheet"
    )]
    TooManyParcels(usize),
}

/// Which area: a residential group by name, or a segment by its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    Group(String),
    Segment(String),
}

/// What the reader sees: per parcel (row id), whether its household's name
/// and how its status reads; `names` whether the table has a names column;
/// `audience` how the area's figures read.
pub struct Viewer<'a> {
    pub names: bool,
    pub audience: Audience,
    pub household: &'a dyn Fn(i64) -> (bool, Audience),
}

/// The sheet's content for `area` on `as_of` ([`NaiveDate::MAX`]: everything
/// recorded, shown as of `today`), on `paper`.
pub fn sheet_doc(
    store: &Store,
    ward: &Ward,
    area: &Area,
    as_of: NaiveDate,
    today: NaiveDate,
    paper: Paper,
    viewer: &Viewer<'_>,
) -> Result<SheetDoc, SheetOpError> {
    let crs = Crs::parse(&store.ward_crs()?.unwrap_or_else(|| DEFAULT_CRS.into()))?;
    let (kind, name, seg, filter) = resolve(ward, area)?;
    let in_area = |p: &ParcelFacts| match seg {
        Some(i) => p.donations.iter().any(|d| d.0 == i),
        None => p.group.as_deref() == Some(name.as_str()),
    };
    let facts: Vec<&ParcelFacts> = ward.parcels.iter().filter(|p| in_area(p)).collect();
    if facts.len() > MAX_AREA_PARCELS {
        return Err(SheetOpError::TooManyParcels(facts.len()));
    }
    let mut rows = store.parcels(&filter)?;
    rows.truncate(MAX_AREA_PARCELS);
    let keys: HashSet<i64> = rows.iter().map(|r| r.key).collect();
    let project = |polys: &Polygons| -> Result<Polygons, CrsError> {
        let mut polys = polys.clone();
        for r in polys.iter_mut().flatten() {
            crs.project_in_place(r)?;
        }
        Ok(polys)
    };
    let day = as_of;
    let mut parcels = Vec::with_capacity(rows.len());
    for r in &rows {
        let f = ward.parcel(r.key);
        let affected = f.is_some_and(|f| match seg {
            Some(i) => f.donations.iter().any(|d| d.0 == i),
            None => f.affected(),
        });
        let status = f
            .filter(|_| affected)
            .map(|f| (viewer.household)(r.key).1.code(f.status_on(day)));
        parcels.push(SheetParcel {
            id: r.id.to_string(),
            parcel_no: r.parcel_no.clone(),
            status,
            polygons: project(&r.polygons)?,
        });
    }
    let segments = store.segments()?;
    let own_key = seg.map(|i| ward.segments[i].key);
    let mut own_centerline = Vec::new();
    for s in segments.iter().filter(|s| Some(s.key) == own_key) {
        for l in &s.centerline {
            let mut l = l.clone();
            crs.project_in_place(&mut l)?;
            own_centerline.push(l);
        }
    }
    let points = parcels
        .iter()
        .flat_map(|p| p.polygons.iter().flatten().flatten())
        .chain(own_centerline.iter().flatten());
    let (min, max) = sheet::bounds(points).ok_or(SheetError::Empty)?;
    let window = sheet::frame(min, max, paper)?;
    // the window on the ground, in lon/lat, to find what else lies in it
    let wmax = window.max();
    let corners = [
        crs.to_wgs84(window.min_e, window.min_n)?,
        crs.to_wgs84(wmax[0], window.min_n)?,
        crs.to_wgs84(window.min_e, wmax[1])?,
        crs.to_wgs84(wmax[0], wmax[1])?,
    ];
    let lonlat = [
        corners.iter().map(|c| c[0]).fold(f64::INFINITY, f64::min),
        corners.iter().map(|c| c[1]).fold(f64::INFINITY, f64::min),
        corners
            .iter()
            .map(|c| c[0])
            .fold(f64::NEG_INFINITY, f64::max),
        corners
            .iter()
            .map(|c| c[1])
            .fold(f64::NEG_INFINITY, f64::max),
    ];
    let meets = |pts: &mut dyn Iterator<Item = &[f64; 2]>| {
        sheet::bounds(pts).is_some_and(|(a, b)| {
            a[0] <= lonlat[2] && b[0] >= lonlat[0] && a[1] <= lonlat[3] && b[1] >= lonlat[1]
        })
    };
    let others: Vec<_> = store
        .parcels(&ParcelFilter {
            bbox: Some(lonlat),
            ..ParcelFilter::default()
        })?
        .into_iter()
        .filter(|r| !keys.contains(&r.key))
        .collect();
    let neighbours_left_out = others.len().saturating_sub(MAX_NEIGHBOURS);
    let neighbours = others
        .iter()
        .take(MAX_NEIGHBOURS)
        .map(|r| project(&r.polygons))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    let mut corridors = Vec::new();
    for c in store.corridor_outlines()? {
        for poly in c.polygons {
            if meets(&mut poly.iter().flatten()) {
                corridors.extend(project(&vec![poly])?);
            }
        }
    }
    let mut centerlines = Vec::new();
    for s in segments.iter().filter(|s| Some(s.key) != own_key) {
        for l in &s.centerline {
            if meets(&mut l.iter()) {
                let mut l = l.clone();
                crs.project_in_place(&mut l)?;
                centerlines.push(l);
            }
        }
    }
    let tally = match seg {
        Some(i) => ward
            .segment_tallies(day)
            .get(i)
            .copied()
            .unwrap_or_default(),
        None => ward
            .group_figures(day)
            .into_iter()
            .find(|g| g.name.as_deref() == Some(name.as_str()))
            .map(|g| g.tally)
            .unwrap_or_default(),
    };
    let mut table: Vec<SheetRow> = facts
        .iter()
        .filter_map(|p| {
            let area = match seg {
                Some(i) => p.donations.iter().filter(|d| d.0 == i).map(|d| d.1).sum(),
                None => p.area(),
            };
            p.affected().then(|| {
                let (names, audience) = (viewer.household)(p.key);
                SheetRow {
                    map_sheet: p.map_sheet.clone(),
                    parcel_no: p.parcel_no.clone(),
                    owner: p.head.clone().filter(|_| names && viewer.names),
                    status_vi: audience.label_vi(p.status_on(day)),
                    area_m2: area,
                }
            })
        })
        .collect();
    table.sort_by(|a, b| {
        let k = |r: &SheetRow| {
            (
                r.map_sheet.clone().unwrap_or_default(),
                r.parcel_no.clone().unwrap_or_default(),
            )
        };
        let (x, y) = (k(a), k(b));
        crate::campaign::natural_cmp(&x.0, &y.0).then(crate::campaign::natural_cmp(&x.1, &y.1))
    });
    let centre = [
        window.min_e + (wmax[0] - window.min_e) / 2.0,
        window.min_n + (wmax[1] - window.min_n) / 2.0,
    ];
    Ok(SheetDoc {
        ward: format!("Phường {}", ward.name),
        kind,
        name,
        segment_id: seg.map(|i| ward.segments[i].id.clone()),
        crs_name: super::record::crs_name(&crs),
        as_of: if as_of == NaiveDate::MAX {
            today
        } else {
            as_of
        },
        printed_on: today,
        window,
        paper,
        public: viewer.audience == Audience::Public,
        names: viewer.names,
        parcels,
        neighbours,
        corridors,
        centerlines,
        own_centerline,
        neighbours_left_out,
        figures: figures(&tally),
        rows: table,
        convergence_deg: convergence(&crs, centre),
        demo: ward.demo,
    })
}

type Resolved = (AreaKind, String, Option<usize>, ParcelFilter);

/// The area in the read model: a group by its name (or, failing that, the
/// one group whose name ends in that number: `group=3` for "Tổ dân phố 3"),
/// a segment by its id.
fn resolve(ward: &Ward, area: &Area) -> Result<Resolved, SheetOpError> {
    match area {
        Area::Group(g) => {
            let g = g.trim();
            let by_number = || {
                let mut hits = ward.groups.iter().filter(|n| {
                    !g.is_empty()
                        && g.bytes().all(|b| b.is_ascii_digit())
                        && n.rsplit(' ').next().is_some_and(|last| {
                            last.trim_start_matches('0') == g.trim_start_matches('0')
                        })
                });
                match (hits.next(), hits.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            };
            let name = ward
                .groups
                .iter()
                .find(|n| n.as_str() == g)
                .or_else(|| {
                    ward.groups
                        .iter()
                        .find(|n| n.to_lowercase() == g.to_lowercase())
                })
                .or_else(by_number)
                .ok_or_else(|| {
                    SheetOpError::NotFound(format!(
                        "group: không có tổ dân phố {g:?} / no residential group {g:?}"
                    ))
                })?;
            Ok((
                AreaKind::Group,
                name.clone(),
                None,
                ParcelFilter {
                    group: Some(name.clone()),
                    ..ParcelFilter::default()
                },
            ))
        }
        Area::Segment(id) => {
            let id = id.trim();
            let i = ward
                .segments
                .iter()
                .position(|s| s.id == id)
                .ok_or_else(|| {
                    SheetOpError::NotFound(format!(
                        "segment: không có đoạn tuyến {id:?} / no road segment {id:?}"
                    ))
                })?;
            Ok((
                AreaKind::Segment,
                ward.segments[i].name.clone(),
                Some(i),
                ParcelFilter {
                    segment: Some(id.to_string()),
                    ..ParcelFilter::default()
                },
            ))
        }
    }
}

fn figures(t: &Tally) -> SheetFigures {
    SheetFigures {
        affected: t.affected,
        agreed: t.reached(Status::Agreed),
        signed: t.reached(Status::Signed),
        handed_over: t.at(Status::HandedOver),
        not_yet: t.public_at(PublicStatus::NotYet),
        donated_area_m2: t.donated_area_m2,
        handed_over_area_m2: t.handed_over_area_m2,
    }
}

/// Grid north's angle from true north at `centre` (degrees, positive when
/// grid north lies east of true north): γ = atan(tan(λ − λ₀)·sin φ).
fn convergence(crs: &Crs, centre: [f64; 2]) -> Option<f64> {
    let lon0: f64 = crs
        .proj_string()
        .split_whitespace()
        .find_map(|t| t.strip_prefix("+lon_0="))?
        .parse()
        .ok()?;
    let [lon, lat] = crs.to_wgs84(centre[0], centre[1]).ok()?;
    let g = ((lon - lon0).to_radians().tan() * lat.to_radians().sin()).atan();
    Some(g.to_degrees())
}
