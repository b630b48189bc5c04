//! The donation record (biên bản hiến đất) of one household: a printable A4
//! HTML page, pre-filled from the parcel, its donation, its structures and
//! its record, with a sketch of the parcel and the donated strip and the
//! VN-2000 coordinates of the strip's corners (X = northing, Y = easting).

use chrono::NaiveDate;

/// Everything the page shows. Coordinates are in the ward's projected CRS
/// (VN-2000 / TM-3), as `[easting, northing]` metres.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDoc {
    /// "Phường Ngọc Sơn".
    pub ward: String,
    /// "VN-2000, kinh tuyến trục 105°00′, múi chiếu 3°".
    pub crs_name: String,
    pub parcel_id: String,
    pub map_sheet: Option<String>,
    pub parcel_no: Option<String>,
    pub address: Option<String>,
    /// The head of household (chủ hộ), when known.
    pub owner: Option<String>,
    pub residential_group: Option<String>,
    pub land_use: Option<String>,
    /// The area on the land-use certificate.
    pub legal_area_m2: Option<f64>,
    /// The parcel's area as measured from its geometry.
    pub parcel_area_m2: f64,
    /// One line per segment the parcel donates to.
    pub donations: Vec<RecordDonation>,
    pub structures: Vec<RecordStructure>,
    /// The record itself when one is on file (number, date, signatories,
    /// witness); otherwise the page leaves blanks to fill in by hand.
    pub record: Option<RecordInfo>,
    /// The parcel's rings (exterior first per polygon).
    pub parcel: Vec<Vec<[f64; 2]>>,
    /// The donated strip: the parcel inside the corridors, one exterior
    /// ring per piece (corners numbered in this order in the table).
    pub strips: Vec<Vec<[f64; 2]>>,
    /// Centerline pieces near the parcel, for orientation on the sketch.
    pub centerlines: Vec<Vec<[f64; 2]>>,
    pub printed_on: NaiveDate,
    /// Demo data: the page says so.
    pub demo: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordDonation {
    pub segment: String,
    pub area_m2: f64,
    pub frontage_m: f64,
    pub depth_mean_m: f64,
    pub depth_max_m: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordStructure {
    /// Vietnamese label: "Tường rào".
    pub kind: String,
    pub quantity: Option<f64>,
    /// "m", "m²", "cái".
    pub unit: Option<String>,
    pub value_vnd: Option<i64>,
    pub donated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordInfo {
    pub number: String,
    pub signed_on: NaiveDate,
    pub signatories: Vec<String>,
    pub witness: String,
}
