//! A small JSON writer for the large answers (GeoJSON of thousands of
//! parcels): fields go straight into one buffer. Building a
//! `serde_json::Value` tree first took most of a bbox request's time.

use crate::campaign::FeatureId;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A JSON document being written; the caller keeps objects and arrays
/// balanced, [`Out`] places the commas.
pub(super) struct Out {
    buf: String,
    /// Nothing written yet in the current object or array (or a key was
    /// just written): the next value takes no comma.
    first: bool,
}

/// Something [`Out`] can write as a JSON value.
pub(super) trait Write {
    fn write(&self, buf: &mut String);
}

impl Write for f64 {
    fn write(&self, buf: &mut String) {
        if self.is_finite() {
            buf.push_str(ryu::Buffer::new().format_finite(*self));
        } else {
            buf.push_str("null");
        }
    }
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Write for $t {
            fn write(&self, buf: &mut String) {
                buf.push_str(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
integer!(i64, u64, usize, u32);

impl Write for bool {
    fn write(&self, buf: &mut String) {
        buf.push_str(if *self { "true" } else { "false" });
    }
}

impl Write for str {
    fn write(&self, buf: &mut String) {
        buf.push('"');
        // Only ASCII needs escaping, so bytes can be scanned: most strings
        // (names, codes) need none and are copied whole.
        let bytes = self.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                b if b < 0x20 => "",
                _ => continue,
            };
            buf.push_str(&self[start..i]);
            if esc.is_empty() {
                buf.push_str(&format!("\\u{b:04x}"));
            } else {
                buf.push_str(esc);
            }
            start = i + 1;
        }
        buf.push_str(&self[start..]);
        buf.push('"');
    }
}

impl Write for String {
    fn write(&self, buf: &mut String) {
        self.as_str().write(buf);
    }
}

impl<T: Write + ?Sized> Write for &T {
    fn write(&self, buf: &mut String) {
        (**self).write(buf);
    }
}

impl<T: Write> Write for Option<T> {
    fn write(&self, buf: &mut String) {
        match self {
            Some(v) => v.write(buf),
            None => buf.push_str("null"),
        }
    }
}

/// A feature id as the files gave it: a number stays a number.
impl Write for FeatureId {
    fn write(&self, buf: &mut String) {
        match self {
            FeatureId::Number(s) if serde_json::from_str::<serde_json::Number>(s).is_ok() => {
                buf.push_str(s)
            }
            FeatureId::Number(s) | FeatureId::Text(s) => s.write(buf),
        }
    }
}

/// A ring or line of `[lon, lat]` points.
pub(super) struct Coords<'a>(pub &'a [[f64; 2]]);

impl Write for Coords<'_> {
    fn write(&self, buf: &mut String) {
        buf.push('[');
        for (i, [x, y]) in self.0.iter().enumerate() {
            if i > 0 {
                buf.push(',');
            }
            buf.push('[');
            x.write(buf);
            buf.push(',');
            y.write(buf);
            buf.push(']');
        }
        buf.push(']');
    }
}

impl Out {
    pub fn with_capacity(bytes: usize) -> Out {
        Out {
            buf: String::with_capacity(bytes),
            first: true,
        }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push(',');
        }
        self.first = false;
    }

    pub fn begin_object(&mut self) {
        self.sep();
        self.buf.push('{');
        self.first = true;
    }

    pub fn end_object(&mut self) {
        self.buf.push('}');
        self.first = false;
    }

    pub fn begin_array(&mut self) {
        self.sep();
        self.buf.push('[');
        self.first = true;
    }

    pub fn end_array(&mut self) {
        self.buf.push(']');
        self.first = false;
    }

    /// A key of the current object; its value comes next.
    pub fn key(&mut self, k: &str) {
        self.sep();
        k.write(&mut self.buf);
        self.buf.push(':');
        self.first = true;
    }

    pub fn value(&mut self, v: impl Write) {
        self.sep();
        v.write(&mut self.buf);
    }

    /// A value already serialised (a small `serde_json` part).
    pub fn json(&mut self, v: &serde_json::Value) {
        self.sep();
        self.buf.push_str(&v.to_string());
    }

    pub fn field(&mut self, k: &str, v: impl Write) {
        self.key(k);
        self.value(v);
    }

    /// A GeoJSON MultiLineString.
    pub fn multi_lines(&mut self, lines: &[Vec<[f64; 2]>]) {
        self.begin_object();
        self.field("type", "MultiLineString");
        self.key("coordinates");
        self.begin_array();
        for l in lines {
            self.value(Coords(l));
        }
        self.end_array();
        self.end_object();
    }

    /// A GeoJSON MultiPolygon (each polygon: exterior, then holes).
    pub fn multi_polygon(&mut self, polys: &[Vec<Vec<[f64; 2]>>]) {
        self.begin_object();
        self.field("type", "MultiPolygon");
        self.key("coordinates");
        self.begin_array();
        for p in polys {
            self.begin_array();
            for r in p {
                self.value(Coords(r));
            }
            self.end_array();
        }
        self.end_array();
        self.end_object();
    }

    /// A document already written (a cached answer).
    pub fn from_body(body: &str) -> Out {
        Out {
            buf: body.to_string(),
            first: false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.buf
    }

    #[cfg(test)]
    pub fn into_string(self) -> String {
        self.buf
    }
}

impl IntoResponse for Out {
    fn into_response(self) -> Response {
        ([(header::CONTENT_TYPE, "application/json")], self.buf).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_it_writes_is_the_json_serde_reads() {
        let mut o = Out::with_capacity(64);
        o.begin_object();
        o.field("tên", "Phố \"Trường\" Thi\n\u{1}\\");
        o.field("n", 3usize);
        o.field("x", 0.1 + 0.2);
        o.field("nan", f64::NAN);
        o.field("none", None::<&str>);
        o.field("id", FeatureId::Number("17".into()));
        o.field("code", FeatureId::Text("A-1".into()));
        o.key("geometry");
        o.multi_polygon(&[vec![vec![[105.8, 19.5], [105.81, 19.5], [105.8, 19.51]]]]);
        o.key("empty");
        o.begin_array();
        o.end_array();
        o.end_object();
        let v: serde_json::Value = serde_json::from_str(&o.into_string()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "tên": "Phố \"Trường\" Thi\n\u{1}\\", "n": 3, "x": 0.1 + 0.2, "nan": null,
                "none": null, "id": 17, "code": "A-1",
                "geometry": { "type": "MultiPolygon",
                    "coordinates": [[[[105.8, 19.5], [105.81, 19.5], [105.8, 19.51]]]] },
                "empty": []
            })
        );
    }
}
