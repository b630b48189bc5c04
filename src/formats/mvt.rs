//! Mapbox vector tiles (MVT 2.1, protobuf) written with georust's
//! `geozero` (the encoder maplibre/martin uses): layers of features whose
//! geometry is already in tile units (see [`crate::geometry::tile`]).

use geozero::ToMvt;
use geozero::mvt::tile::{Feature, Layer};
use geozero::mvt::{Message, TagsBuilder, Tile, TileValue};

/// A property's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A layer being written.
pub struct LayerWriter {
    name: String,
    extent: u32,
    features: Vec<Feature>,
    tags: TagsBuilder,
}

impl LayerWriter {
    /// An empty layer `name` of `extent` units a side.
    pub fn new(name: &str, extent: u32) -> LayerWriter {
        LayerWriter {
            name: name.to_string(),
            extent,
            features: Vec::new(),
            tags: TagsBuilder::new(),
        }
    }

    /// Adds a feature: its geometry (in tile units), its id, and its
    /// properties (`None` values are left out).
    pub fn add(
        &mut self,
        geometry: &geo::Geometry,
        id: Option<u64>,
        properties: &[(&str, Option<Value>)],
    ) -> Result<(), String> {
        let mut f = geometry.to_mvt_unscaled().map_err(|e| e.to_string())?;
        f.id = id;
        for (k, v) in properties {
            let Some(v) = v else { continue };
            let v = match v {
                Value::Str(s) => TileValue::Str(s.clone()),
                Value::Int(i) => TileValue::Sint(*i),
                Value::Float(x) => TileValue::Double(*x),
                Value::Bool(b) => TileValue::Bool(*b),
            };
            let (ki, vi) = self.tags.insert_ref(k, v);
            f.tags.push(ki);
            f.tags.push(vi);
        }
        self.features.push(f);
        Ok(())
    }

    /// Features added so far.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no feature was added.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    fn finish(self) -> Layer {
        let (keys, values) = self.tags.into_tags();
        Layer {
            version: 2,
            name: self.name,
            features: self.features,
            keys,
            values: values.into_iter().map(Into::into).collect(),
            extent: Some(self.extent),
        }
    }
}

/// The tile's bytes: its layers that have features (none: an empty tile,
/// zero bytes, which MapLibre reads as a tile with nothing on it).
pub fn encode(layers: Vec<LayerWriter>) -> Vec<u8> {
    let tile = Tile {
        layers: layers
            .into_iter()
            .filter(|l| !l.is_empty())
            .map(LayerWriter::finish)
            .collect(),
    };
    tile.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, MultiLineString};

    #[test]
    fn a_layer_reads_back_with_its_features_and_properties() {
        let mut l = LayerWriter::new("segments", 4096);
        let line = MultiLineString::new(vec![LineString::from(vec![(0.0, 0.0), (10.0, 20.0)])]);
        l.add(
            &geo::Geometry::MultiLineString(line),
            Some(7),
            &[
                ("name", Some(Value::Str("Lê Lợi".into()))),
                ("progress_pct", Some(Value::Float(12.5))),
                ("gone", None),
            ],
        )
        .unwrap();
        let bytes = encode(vec![l, LayerWriter::new("empty", 4096)]);
        let tile = Tile::decode(bytes.as_slice()).unwrap();
        assert_eq!(tile.layers.len(), 1);
        let layer = &tile.layers[0];
        assert_eq!(layer.name, "segments");
        assert_eq!(layer.keys, ["name", "progress_pct"]);
        assert_eq!(layer.features[0].id, Some(7));
        assert_eq!(layer.features[0].tags.len(), 4);
        assert_eq!(layer.values[0].string_value.as_deref(), Some("Lê Lợi"));
        assert!(encode(vec![]).is_empty());
    }
}
