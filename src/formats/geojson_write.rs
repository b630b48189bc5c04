//! RFC 7946 GeoJSON writing of campaign input types.
