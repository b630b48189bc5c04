//! What partial imports (issue 17, item 7) read inside the import's
//! transaction: how much is stored (what is kept, whether a ward has
//! segments), the parcels' extent, and the donations before they are
//! measured again (what the summary compares). A child of `store::import`,
//! kept apart so that file stays near its size.

use super::super::Result;
use super::ImportTx;

impl ImportTx<'_> {
    /// How many segments and parcels the ward holds (what a partial
    /// import keeps, and whether a ward has segments to measure against).
    pub fn layer_totals(&self) -> Result<(usize, usize)> {
        Ok(self.tx.query_row(
            "SELECT (SELECT count(*) FROM segments WHERE ward = ?1),
                    (SELECT count(*) FROM parcels WHERE ward = ?1)",
            [self.ward],
            |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
        )?)
    }

    /// Those of `ids` (file ids, as text) that name a stored parcel, or a
    /// stored segment when not `parcels`: in the order given.
    pub fn stored_among<'a>(
        &self,
        parcels: bool,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<&'a str>> {
        let mut st = self.tx.prepare_cached(if parcels {
            "SELECT 1 FROM parcels WHERE ward = ?2 AND fid = ?1"
        } else {
            "SELECT 1 FROM segments WHERE ward = ?2 AND fid = ?1"
        })?;
        let mut out = Vec::new();
        for id in ids {
            if st.exists((id, self.ward))? {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The lon/lat box `(min, max)` of the ward's stored parcels (none: no
    /// parcel).
    pub fn parcels_extent(&self) -> Result<Option<[[f64; 2]; 2]>> {
        let b: [Option<f64>; 4] = self.tx.query_row(
            "SELECT min(b.min_lon), min(b.min_lat), max(b.max_lon), max(b.max_lat)
             FROM parcel_bbox b JOIN parcels p ON p.id = b.id WHERE p.ward = ?1",
            [self.ward],
            |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
        )?;
        Ok(match b {
            [Some(a), Some(b), Some(c), Some(d)] => Some([[a, b], [c, d]]),
            _ => None,
        })
    }

    /// The stored donations of `parcels` (row ids), as (parcel, segment,
    /// attributed area m²): what a re-measure is compared with.
    pub fn attributed_of(&self, parcels: &[i64]) -> Result<Vec<(i64, i64, f64)>> {
        let mut out = Vec::new();
        if parcels.len() > 4096 {
            // many (a first import, a new CRS): one pass over the table
            let wanted: std::collections::HashSet<i64> = parcels.iter().copied().collect();
            let mut st = self
                .tx
                .prepare("SELECT parcel, segment, attributed_area_m2 FROM donations")?;
            for row in st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
                let row: (i64, i64, f64) = row?;
                if wanted.contains(&row.0) {
                    out.push(row);
                }
            }
            return Ok(out);
        }
        let mut st = self.tx.prepare_cached(
            "SELECT segment, attributed_area_m2 FROM donations WHERE parcel = ?1",
        )?;
        for &p in parcels {
            for row in st.query_map([p], |r| Ok((p, r.get(0)?, r.get(1)?)))? {
                out.push(row?);
            }
        }
        Ok(out)
    }
}
