//! What a vector tile reads: the parcels whose box meets the tile's
//! (through the R*Tree), with only what a tile carries, at most a given
//! number.

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
}
