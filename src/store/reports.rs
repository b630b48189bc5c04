//! Gathering the ward's facts that every figure is computed from
//! ([`Ward`], the read model's input), in a handful of whole-table reads:
//! the figures cover every parcel, so per-parcel queries would cost more
//! than the figures.

use super::{Result, Store, feature_id};
use crate::campaign::events::Timeline;
use crate::campaign::figures::{
    CellFacts, LeadFacts, LeadOf, MemberFacts, ParcelFacts, SegmentFacts, Ward,
};
use crate::campaign::org::Area;
use crate::campaign::structures::StructureLine;
use std::collections::HashMap;

impl Store {
    /// The current ward's name for headers ("Ngọc Sơn"), as `hiendat
    /// import --ward`, `hiendat ward add` or the demo set it
    /// ("(chưa đặt tên)" until then).
    pub fn ward_name(&self) -> Result<String> {
        Ok(self.ward_row()?.name)
    }

    /// The ward's facts, for every parcel: what the read model
    /// ([`crate::campaign::figures`]) computes every figure from.
    pub fn ward(&self) -> Result<Ward> {
        self.facts(true)
    }

    /// The ward's facts as they stand now, for the latest statuses, areas and
    /// progress only: no households, structures, party cells, members,
    /// assignments, visits or leads, and each parcel's timeline cut to its
    /// current status (kept by every event in `parcel_status`), so no replay
    /// of the log (exports: a tenth of a second for 100,000 parcels).
    pub fn ward_now(&self) -> Result<Ward> {
        self.facts(false)
    }

    /// `people`: everything; else what [`Store::ward_now`] says.
    fn facts(&self, people: bool) -> Result<Ward> {
        let mut index = RowIndex::default();
        let mut parcels = Vec::new();
        {
            let mut st = self.conn.prepare(
                "SELECT p.id, p.fid, p.fid_is_number, p.map_sheet, p.parcel_no, g.name
                 FROM parcels p LEFT JOIN residential_groups g ON g.id = p.residential_group
                 WHERE p.ward = (SELECT id FROM temp.ward_in_use)
                 ORDER BY p.id",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    feature_id(r.get(1)?, r.get(2)?),
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            for row in rows {
                let (key, id, map_sheet, parcel_no, group) = row?;
                index.push(key);
                parcels.push(ParcelFacts {
                    key,
                    id,
                    map_sheet,
                    parcel_no,
                    group,
                    head: None,
                    address: None,
                    member_family: false,
                    may_be_named: false,
                    donations: Vec::new(),
                    timeline: Timeline::default(),
                    structures: StructureLine::default(),
                    assignments: Vec::new(),
                    contacts: Vec::new(),
                });
            }
        }
        let mut segment_index: HashMap<i64, usize> = HashMap::new();
        let mut segments = Vec::new();
        let mut groups_of = self.segment_groups()?;
        {
            let mut st = self.conn.prepare(
                "SELECT id, name, fid FROM segments
                          WHERE ward = (SELECT id FROM temp.ward_in_use) ORDER BY id",
            )?;
            for row in st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })? {
                let (key, name, id) = row?;
                segment_index.insert(key, segments.len());
                segments.push(SegmentFacts {
                    key,
                    id,
                    name,
                    groups: groups_of.remove(&key).unwrap_or_default(),
                });
            }
        }
        if people {
            // the first household of a parcel speaks for it
            let mut st = self.conn.prepare(&format!(
                "SELECT parcel, head_name, address, is_member_family, may_be_named
                 FROM households WHERE {} ORDER BY parcel, id",
                self.ward_parcels("parcel")
            ))?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, bool>(3)?,
                    r.get(4)?,
                ))
            })?;
            for row in rows {
                let (key, head, address, member, named) = row?;
                if let Some(p) = index.at(key).map(|i| &mut parcels[i]) {
                    p.member_family |= member;
                    if p.head.is_none() {
                        p.head = Some(head);
                        p.address = address;
                        p.may_be_named = named;
                    }
                }
            }
        }
        {
            let mut st = self.conn.prepare(&format!(
                "SELECT parcel, segment, attributed_area_m2 FROM donations WHERE {}",
                self.ward_parcels("parcel")
            ))?;
            for row in st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, f64>(2)?,
                ))
            })? {
                let (p, s, a) = row?;
                if let (Some(p), Some(&s)) = (index.at(p), segment_index.get(&s)) {
                    parcels[p].donations.push((s, a));
                }
            }
        }
        if people {
            // each parcel's structures day by day: as they stand, replayed
            // through their changes (campaign::structures)
            for (p, (now, changes)) in self.all_structures()? {
                if let Some(p) = index.at(p) {
                    parcels[p].structures = StructureLine::of(&now, &changes);
                }
            }
        }
        let lines = if people {
            self.timelines()?
        } else {
            self.current_timelines(None)?
        };
        for (key, line) in lines {
            if let Some(p) = index.at(key) {
                parcels[p].timeline = line;
            }
        }
        if !people {
            fit(&mut parcels);
            return Ok(Ward {
                name: self.ward_name()?,
                demo: self.is_demo()?,
                parcels,
                segments,
                groups: self.group_names()?,
                ..Ward::default()
            });
        }
        let cells_rows = self.cells()?;
        let cell_index: HashMap<&str, usize> = cells_rows
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.as_str(), i))
            .collect();
        let members_rows = self.members()?;
        let mut member_index: HashMap<String, usize> = HashMap::new();
        let mut members = Vec::new();
        for m in &members_rows {
            member_index.insert(m.code.clone(), members.len());
            let own = m.household.as_ref().and_then(|(k, _)| index.at(*k));
            if let Some(p) = own {
                parcels[p].member_family = true;
            }
            members.push(MemberFacts {
                code: m.code.clone(),
                name: m.name.clone(),
                cell: cell_index.get(m.cell.as_str()).copied().unwrap_or(0),
                household: own,
            });
        }
        for a in self.assignments(None)? {
            if let (Some(p), Some(&m)) = (index.at(a.parcel), member_index.get(&a.member_code)) {
                parcels[p].assignments.push((m, a.from, a.to));
            }
        }
        {
            let mut st = self.conn.prepare(&format!(
                "SELECT parcel, contacted_on FROM contacts WHERE {} ORDER BY contacted_on",
                self.ward_parcels("parcel")
            ))?;
            for row in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
                let (p, d) = row?;
                if let (Some(p), Ok(d)) = (index.at(p), d.parse()) {
                    parcels[p].contacts.push(d);
                }
            }
        }
        fit(&mut parcels);
        // segments read above carry their file ids: no second query
        let segment_by_fid: HashMap<&str, usize> = segments
            .iter()
            .enumerate()
            .map(|(i, seg)| (seg.id.as_str(), i))
            .collect();
        let leads = self
            .leads()?
            .into_iter()
            .filter_map(|l| {
                let of = match l.area {
                    Area::Group(g) => LeadOf::Group(g),
                    Area::Segment(s) => LeadOf::Segment(*segment_by_fid.get(s.as_str())?),
                };
                Some(LeadFacts {
                    name: l.name,
                    title: l.title,
                    of,
                })
            })
            .collect();
        Ok(Ward {
            name: self.ward_name()?,
            demo: self.is_demo()?,
            parcels,
            segments,
            groups: self.group_names()?,
            cells: cells_rows
                .into_iter()
                .map(|c| CellFacts {
                    code: c.code,
                    name: c.name,
                    groups: c.groups,
                })
                .collect(),
            members,
            leads,
            lookups: Default::default(),
        })
    }
}

/// Row id → index in the parcels read (in row id order): where the ids run
/// without gaps (an import's), the index is the id's distance from the
/// first; else a binary search. No hash map of a million keys, hashed for
/// each of the millions of rows joined to them.
#[derive(Debug, Default)]
struct RowIndex(Vec<i64>);

impl RowIndex {
    fn push(&mut self, key: i64) {
        self.0.push(key);
    }

    fn at(&self, key: i64) -> Option<usize> {
        let first = *self.0.first()?;
        let guess = usize::try_from(key.checked_sub(first)?).ok()?;
        if self.0.get(guess) == Some(&key) {
            return Some(guess);
        }
        self.0.binary_search(&key).ok()
    }
}

/// Each parcel's lists at their length: read row by row, they grew by
/// doubling, and a million parcels keep them for as long as the server runs.
fn fit(parcels: &mut [ParcelFacts]) {
    for p in parcels {
        p.donations.shrink_to_fit();
        p.timeline.0.shrink_to_fit();
        p.assignments.shrink_to_fit();
        p.contacts.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::RowIndex;

    #[test]
    fn row_ids_are_found_with_or_without_gaps_and_unknown_ones_are_not() {
        let mut dense = RowIndex::default();
        (5..105).for_each(|k| dense.push(k));
        assert_eq!(dense.at(5), Some(0));
        assert_eq!(dense.at(104), Some(99));
        assert_eq!(
            (dense.at(4), dense.at(105), dense.at(-3)),
            (None, None, None)
        );
        let mut gaps = RowIndex::default();
        [2, 3, 7, 8, 20].into_iter().for_each(|k| gaps.push(k));
        assert_eq!(gaps.at(7), Some(2));
        assert_eq!(gaps.at(20), Some(4));
        assert_eq!(gaps.at(3), Some(1));
        assert_eq!((gaps.at(4), gaps.at(21), gaps.at(1)), (None, None, None));
        assert_eq!(RowIndex::default().at(1), None);
    }
}
