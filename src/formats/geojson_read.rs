//! Fast RFC 7946 GeoJSON reading into campaign input types.
