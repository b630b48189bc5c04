//! What a vector tile reads: the parcels whose box meets the tile's
//! (through the R*Tree), with only what a tile carries, at most a given
//! number; and which parcels' boxes events moved between two versions
//! (the kept tiles elsewhere stay).

use super::{Result, Store, feature_id, wkb};
use crate::campaign::FeatureId;

/// A parcel as a tile draws it.
#[derive(Debug, Clone)]
pub struct TileParcel {
    /// The store's row id.
    pub key: i64,
    pub id: FeatureId,
    pub parcel_no: Option<String>,
    /// WGS84 lon/lat polygons (shell then holes).
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

impl Store {
    /// The current ward's parcels whose box meets `[min_lon, min_lat,
    /// max_lon, max_lat]`, at most `limit` of them (in the index's order).
    pub fn tile_parcels(&self, bbox: [f64; 4], limit: usize) -> Result<Vec<TileParcel>> {
        let [min_lon, min_lat, max_lon, max_lat] = bbox;
        let mut st = self.conn.prepare_cached(
            "SELECT p.id, p.fid, p.fid_is_number, p.parcel_no, p.geometry
             FROM parcel_bbox b CROSS JOIN parcels p ON p.id = b.id
             WHERE b.max_lon >= ?1 AND b.min_lon <= ?2 AND b.max_lat >= ?3 AND b.min_lat <= ?4
               AND p.ward = ?6
             LIMIT ?5",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = st.query((min_lon, max_lon, min_lat, max_lat, limit, self.ward.0))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let blob: Vec<u8> = r.get(4)?;
            out.push(TileParcel {
                key: r.get(0)?,
                id: feature_id(r.get(1)?, r.get(2)?),
                parcel_no: r.get(3)?,
                polygons: wkb::read_multi_polygon(&blob)?,
            });
        }
        Ok(out)
    }

    /// The lon/lat boxes `[min_lon, min_lat, max_lon, max_lat]` of the
    /// parcels of the events with ids in `(after, upto]`, or `None` when
    /// they are more than `limit`. Any ward's: a box too many only costs a
    /// tile built again.
    pub fn event_parcel_boxes(
        &self,
        after: i64,
        upto: i64,
        limit: usize,
    ) -> Result<Option<Vec<[f64; 4]>>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT b.min_lon, b.min_lat, b.max_lon, b.max_lat
             FROM events e CROSS JOIN parcel_bbox b ON b.id = e.parcel
             WHERE e.id > ?1 AND e.id <= ?2
             LIMIT ?3",
        )?;
        let cap = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let boxes = st
            .query_map((after, upto, cap), |r| {
                Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])
            })?
            .collect::<std::result::Result<Vec<[f64; 4]>, _>>()?;
        Ok((boxes.len() <= limit).then_some(boxes))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{event, imported_small};
    use crate::campaign::events::Status;

    #[test]
    fn the_boxes_of_the_parcels_events_moved_between_two_versions() {
        let mut store = imported_small();
        let last = |s: &super::Store| -> i64 {
            let v = s.data_version().unwrap();
            v.split('.').nth(1).unwrap().parse().unwrap()
        };
        let v0 = last(&store);
        store
            .append_event(&event(101, Status::Persuading, (2025, 1, 10), 0))
            .unwrap();
        store
            .append_event(&event(101, Status::Agreed, (2025, 1, 12), 1))
            .unwrap();
        let v1 = last(&store);
        store
            .append_event(&event(103, Status::Persuading, (2025, 1, 11), 2))
            .unwrap();
        let v2 = last(&store);
        let one = store.event_parcel_boxes(v0, v1, 10).unwrap().unwrap();
        assert_eq!(one.len(), 1, "parcel 101 once, for its two events");
        let both = store.event_parcel_boxes(v0, v2, 10).unwrap().unwrap();
        assert_eq!(both.len(), 2);
        let later = store.event_parcel_boxes(v1, v2, 10).unwrap().unwrap();
        assert_eq!(later.len(), 1);
        assert!(
            later[0][0] > one[0][2],
            "103 lies east of 101: {later:?} {one:?}"
        );
        assert_eq!(
            store.event_parcel_boxes(v0, v2, 1).unwrap(),
            None,
            "past the limit"
        );
        assert!(
            store
                .event_parcel_boxes(v2, v2, 10)
                .unwrap()
                .unwrap()
                .is_empty()
        );
    }
}
