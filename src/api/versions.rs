//! Parcel versions over HTTP (issue 15, item 4).

/// A parcel's (row id) version as an `ETag` value (quoted).
pub(super) fn etag(parcel: i64, version: i64) -> String {
    format!("\"p{parcel}v{version}\"")
}
