//! Parsing WKT (1 and 2, ESRI) into a tree of nodes.

use super::*;

#[derive(Debug)]
pub(super) enum Arg {
    Text(String),
    Num(f64),
    Word(String),
    Node(Node),
}

#[derive(Debug)]
pub(super) struct Node {
    /// Upper-cased keyword.
    pub(super) key: String,
    args: Vec<Arg>,
}

impl Node {
    pub(super) fn name(&self) -> &str {
        match self.args.first() {
            Some(Arg::Text(s)) | Some(Arg::Word(s)) => s,
            _ => "",
        }
    }

    pub(super) fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.args.iter().filter_map(|a| match a {
            Arg::Node(n) => Some(n),
            _ => None,
        })
    }

    pub(super) fn child(&self, keys: &[&str]) -> Option<&Node> {
        self.nodes().find(|n| keys.contains(&n.key.as_str()))
    }

    pub(super) fn children<'a>(
        &'a self,
        keys: &'a [&'a str],
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes().filter(move |n| keys.contains(&n.key.as_str()))
    }

    pub(super) fn nums(&self) -> Vec<f64> {
        self.args
            .iter()
            .filter_map(|a| match a {
                Arg::Num(x) => Some(*x),
                _ => None,
            })
            .collect()
    }

    pub(super) fn num(&self, i: usize) -> Option<f64> {
        self.nums().get(i).copied()
    }

    /// The EPSG code of its AUTHORITY (WKT 1) or ID (WKT 2).
    pub(super) fn epsg(&self) -> Option<u32> {
        self.children(&["AUTHORITY", "ID"]).find_map(|a| {
            if !a.name().eq_ignore_ascii_case("EPSG") {
                return None;
            }
            match a.args.get(1) {
                Some(Arg::Text(s)) => s.trim().parse().ok(),
                Some(Arg::Num(x)) if x.fract() == 0.0 && *x > 0.0 && *x < 1e9 => Some(*x as u32),
                _ => None,
            }
        })
    }
}

/// Nesting deeper than this is not a CRS (and would exhaust the stack).
pub(super) const MAX_DEPTH: usize = 32;

pub(super) struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == 0)
        {
            self.i += 1;
        }
    }

    fn err(&self, vi: &str, en: &str) -> SrsError {
        malformed(
            &format!("{vi} tại ký tự {}", self.i + 1),
            &format!("{en} at character {}", self.i + 1),
        )
    }

    fn word(&mut self) -> &str {
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }

    fn node(&mut self, key: String, depth: usize) -> Result<Node, SrsError> {
        if depth > MAX_DEPTH {
            return Err(self.err("lồng quá sâu", "nested too deep"));
        }
        let close = match self.s.get(self.i) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return Err(self.err("thiếu '['", "'[' expected")),
        };
        self.i += 1;
        let mut args = Vec::new();
        loop {
            self.ws();
            match self.s.get(self.i) {
                None => return Err(self.err("thiếu ']' ở cuối", "missing closing ']'")),
                Some(c) if *c == close && args.is_empty() => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            args.push(self.arg(depth)?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(c) if *c == close => {
                    self.i += 1;
                    break;
                }
                None => return Err(self.err("thiếu ']' ở cuối", "missing closing ']'")),
                _ => return Err(self.err("thiếu ',' hoặc ']'", "',' or ']' expected")),
            }
        }
        Ok(Node { key, args })
    }

    fn arg(&mut self, depth: usize) -> Result<Arg, SrsError> {
        match self.s.get(self.i) {
            Some(b'"') => {
                self.i += 1;
                let mut out = Vec::new();
                loop {
                    match self.s.get(self.i) {
                        None => return Err(self.err("chuỗi chưa đóng", "unterminated string")),
                        // WKT escapes a quote by doubling it
                        Some(b'"') if self.s.get(self.i + 1) == Some(&b'"') => {
                            out.push(b'"');
                            self.i += 2;
                        }
                        Some(b'"') => {
                            self.i += 1;
                            break;
                        }
                        Some(c) => {
                            out.push(*c);
                            self.i += 1;
                        }
                    }
                }
                Ok(Arg::Text(String::from_utf8_lossy(&out).into_owned()))
            }
            Some(c) if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|c| {
                    c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
                }) {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i])
                    .ok()
                    .and_then(|t| t.parse::<f64>().ok())
                    .filter(|x| x.is_finite())
                    .map(Arg::Num)
                    .ok_or_else(|| self.err("số không hợp lệ", "invalid number"))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let w = self.word().to_string();
                self.ws();
                if matches!(self.s.get(self.i), Some(b'[') | Some(b'(')) {
                    Ok(Arg::Node(self.node(w.to_ascii_uppercase(), depth + 1)?))
                } else {
                    Ok(Arg::Word(w))
                }
            }
            _ => Err(self.err("ký tự không mong đợi", "unexpected character")),
        }
    }
}

pub(super) fn parse_wkt(text: &str) -> Result<Node, SrsError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if !p.s.get(p.i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return Err(if p.i >= p.s.len() {
            malformed("trống", "empty")
        } else {
            p.err("không phải WKT", "not WKT")
        });
    }
    let key = p.word().to_ascii_uppercase();
    p.ws();
    let node = p.node(key, 0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("dư nội dung sau WKT", "trailing content after the WKT"));
    }
    Ok(node)
}
