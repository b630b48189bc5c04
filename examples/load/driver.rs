//! The load driver shared by `bench/load.sh` (through `examples/load`) and
//! `tests/store_load.rs`: editors posting events and readers reading the
//! map's answers, at once, against a running server, for a set time.
//!
//! Each editor works on its own parcels (so no write is refused by the
//! transition table): a parcel never contacted goes to `persuading`, then
//! back and forth between `declined` and `persuading`, dated today. The
//! parcels are those nearest the ward's centre (a box grown until there
//! are enough), so that a million-parcel ward costs no whole-ward read.
//!
//! Readers read either the page's JSON ([`Reads::Page`]: in turn the
//! segments, the groups' table, one parcel and the data version) or the
//! map's vector tiles ([`Reads::Tiles`]): each reader pans, one pan every
//! `pan_every`, to a view around one of the editors' parcels at zoom 15,
//! 16 or 17, and asks for the view's 4 × 3 tiles of each layer six at a
//! time, as a browser does; a pan "settles" when its last tile arrives.
//! On 127.0.0.1 each reader connects from its own address (127.0.0.10,
//! .11, …): a reader is one person, and the server's per-client limits
//! see it as one.
//!
//! Every answer that is not a 2xx, and every request that fails, is
//! counted as an error under its kind and status.

use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to run.
pub struct Load {
    /// `http://127.0.0.1:8080`
    pub base: String,
    /// An editor's login: every editor task shares its session.
    pub editor: (String, String),
    pub editors: usize,
    pub readers: usize,
    pub duration: Duration,
    pub reads: Reads,
    /// Each editor's pace: one write every this long (zero: as fast as
    /// the server answers, the stress case).
    pub write_every: Duration,
}

/// What the readers read.
#[derive(Clone, Copy, Debug)]
pub enum Reads {
    /// The page's JSON answers.
    Page,
    /// Vector tiles of these layers, a pan every `pan_every`.
    Tiles {
        layers: &'static [&'static str],
        pan_every: Duration,
    },
}

/// Requests of one pan under way at once (a browser's connections per host).
const PAN_CONNECTIONS: usize = 6;

/// What came back: latencies per kind of request, errors per kind and
/// status.
#[derive(Default)]
pub struct Outcome {
    pub latencies: BTreeMap<&'static str, Vec<Duration>>,
    pub errors: BTreeMap<String, usize>,
}

impl Outcome {
    pub fn error_count(&self) -> usize {
        self.errors.values().sum()
    }

    /// Answers with a 5xx status.
    pub fn server_errors(&self) -> usize {
        self.errors
            .iter()
            .filter(|(k, _)| k.rsplit(' ').next().is_some_and(|s| s.starts_with('5')))
            .map(|(_, n)| n)
            .sum()
    }

    /// Successful requests of `kind`.
    pub fn count(&self, kind: &str) -> usize {
        self.latencies.get(kind).map_or(0, Vec::len)
    }

    fn merge(&mut self, other: Outcome) {
        for (k, mut v) in other.latencies {
            self.latencies.entry(k).or_default().append(&mut v);
        }
        for (k, n) in other.errors {
            *self.errors.entry(k).or_default() += n;
        }
    }

    fn record(&mut self, kind: &'static str, started: Instant, result: Result<u16, String>) {
        match result {
            Ok(s) if (200..300).contains(&s) => {
                self.latencies
                    .entry(kind)
                    .or_default()
                    .push(started.elapsed());
            }
            Ok(s) => *self.errors.entry(format!("{kind} {s}")).or_default() += 1,
            Err(e) => {
                *self
                    .errors
                    .entry(format!("{kind} failed: {e}"))
                    .or_default() += 1
            }
        }
    }

    /// One line per kind: count, requests per second, p50 and p99 in ms;
    /// then the errors.
    pub fn table(&self, seconds: f64) -> String {
        let mut out = format!(
            "{:<28} {:>7} {:>8} {:>9} {:>9}\n",
            "kind", "ok", "per s", "p50 ms", "p99 ms"
        );
        for (kind, v) in &self.latencies {
            let mut v = v.clone();
            v.sort();
            let at = |q: f64| {
                let i = ((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1;
                v[i].as_secs_f64() * 1e3
            };
            out += &format!(
                "{kind:<28} {:>7} {:>8.1} {:>9.1} {:>9.1}\n",
                v.len(),
                v.len() as f64 / seconds,
                at(0.50),
                at(0.99)
            );
        }
        out += &format!(
            "errors: {} (5xx: {})\n",
            self.error_count(),
            self.server_errors()
        );
        for (k, n) in &self.errors {
            out += &format!("  {k}: {n}\n");
        }
        out
    }
}

/// The headers a page of the same origin sends with a write.
fn same_origin(r: reqwest::RequestBuilder, base: &str) -> reqwest::RequestBuilder {
    r.header("origin", base)
        .header("sec-fetch-site", "same-origin")
}

async fn json_of(c: &Client, url: &str) -> Result<Value, String> {
    let r = c.get(url).send().await.map_err(|e| e.to_string())?;
    let status = r.status();
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{url}: {status} {v}"));
    }
    Ok(v)
}

/// Runs the load and returns what came back.
pub async fn run(l: &Load) -> Result<Outcome, String> {
    let base = l.base.trim_end_matches('/').to_string();
    let editor = Client::builder()
        .cookie_store(true)
        .build()
        .map_err(|e| e.to_string())?;
    let r = same_origin(editor.post(format!("{base}/api/login")), &base)
        .json(&json!({ "name": l.editor.0, "password": l.editor.1 }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("login {}: {}", l.editor.0, r.status()));
    }
    let config = json_of(&editor, &format!("{base}/api/config")).await?;
    let today = config["today"]
        .as_str()
        .ok_or("/api/config: no today")?
        .to_string();
    let bounds: Vec<f64> = config["bounds"]
        .as_array()
        .map(|b| b.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let (parcels, points) = editable_parcels(&editor, &base, &bounds, 8 * l.editors).await?;
    if parcels.len() < l.editors {
        return Err(format!(
            "{} parcels to edit for {} editors",
            parcels.len(),
            l.editors
        ));
    }
    let sample: Vec<String> = parcels.iter().take(64).map(|(id, _)| id.clone()).collect();
    let until = Instant::now() + l.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for e in 0..l.editors {
        let mine: Vec<(String, &'static str)> =
            parcels.iter().skip(e).step_by(l.editors).cloned().collect();
        let (c, base, today) = (editor.clone(), base.clone(), today.clone());
        let every = l.write_every;
        tasks.spawn(async move {
            let mut out = Outcome::default();
            let mut mine = mine;
            let mut k = 0;
            while Instant::now() < until {
                let n = mine.len();
                let (id, status) = &mut mine[k % n];
                k += 1;
                let next = if *status == "persuading" {
                    "declined"
                } else {
                    "persuading"
                };
                let started = Instant::now();
                let r = same_origin(c.post(format!("{base}/api/parcels/{id}/events")), &base)
                    .json(&json!({ "status": next, "occurred_on": today, "note": "load" }))
                    .send()
                    .await;
                let result = match r {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        let _ = r.bytes().await;
                        Ok(s)
                    }
                    Err(e) => Err(e.to_string()),
                };
                if matches!(result, Ok(s) if (200..300).contains(&s)) {
                    *status = next;
                }
                out.record("POST /api/parcels/{id}/events", started, result);
                if !every.is_zero() {
                    tokio::time::sleep_until((started + every).into()).await;
                }
            }
            out
        });
    }
    let points = Arc::new(points);
    for i in 0..l.readers {
        let c = reader_client(&base, i)?;
        let (base, sample) = (base.clone(), sample.clone());
        match l.reads {
            Reads::Page => tasks.spawn(read_page(c, base, sample, i, until)),
            Reads::Tiles { layers, pan_every } => tasks.spawn(pan_tiles(
                c,
                base,
                points.clone(),
                layers,
                pan_every,
                i,
                until,
            )),
        };
    }
    let mut all = Outcome::default();
    while let Some(done) = tasks.join_next().await {
        all.merge(done.map_err(|e| e.to_string())?);
    }
    Ok(all)
}

/// The parcels an editor may move (not contacted, persuading, declined)
/// nearest the ward's centre, at least `want` of them when the ward has
/// them, with a point of each (its first vertex) for the tile readers.
async fn editable_parcels(
    c: &Client,
    base: &str,
    bounds: &[f64],
    want: usize,
) -> Result<(Vec<(String, &'static str)>, Vec<[f64; 2]>), String> {
    let mut half = 1.0 / 64.0;
    loop {
        let bbox = match bounds {
            [w, s, e, n] if half < 0.5 => {
                let (cx, cy) = ((w + e) / 2.0, (s + n) / 2.0);
                let (dx, dy) = ((e - w) * half, (n - s) * half);
                format!("&bbox={},{},{},{}", cx - dx, cy - dy, cx + dx, cy + dy)
            }
            _ => String::new(),
        };
        let mut parcels = Vec::new();
        let mut points = Vec::new();
        for status in ["not_contacted", "persuading", "declined"] {
            let v = json_of(
                c,
                &format!("{base}/api/parcels?status={status}&fields=id{bbox}"),
            )
            .await?;
            for f in v["features"].as_array().into_iter().flatten() {
                let id = &f["properties"]["id"];
                let id = id.as_str().map_or_else(|| id.to_string(), str::to_string);
                parcels.push((id, status));
                if let Some(p) = first_point(&f["geometry"]["coordinates"]) {
                    points.push(p);
                }
            }
        }
        if parcels.len() >= want || bbox.is_empty() {
            return Ok((parcels, points));
        }
        half *= 2.0;
    }
}

fn first_point(v: &Value) -> Option<[f64; 2]> {
    match v.as_array()?.as_slice() {
        [x, y, ..] if x.is_number() => Some([x.as_f64()?, y.as_f64()?]),
        [first, ..] => first_point(first),
        [] => None,
    }
}

/// Reader `i`'s client: from its own loopback address when the server
/// is on 127.0.0.1.
fn reader_client(base: &str, i: usize) -> Result<Client, String> {
    let mut b = Client::builder();
    if base.contains("://127.0.0.1") {
        let host = 10 + (i % 240) as u8;
        b = b.local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, host)));
    }
    b.build().map_err(|e| e.to_string())
}

async fn get(c: &Client, url: String) -> Result<u16, String> {
    match c.get(url).send().await {
        Ok(r) => {
            let s = r.status().as_u16();
            match r.bytes().await {
                Ok(_) => Ok(s),
                Err(e) => Err(e.to_string()),
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

async fn read_page(
    c: Client,
    base: String,
    sample: Vec<String>,
    i: usize,
    until: Instant,
) -> Outcome {
    let mut out = Outcome::default();
    let mut k = i;
    while Instant::now() < until {
        let (kind, path): (&'static str, String) = match k % 4 {
            0 => ("GET /api/segments", "/api/segments".into()),
            1 => ("GET /api/summary/groups", "/api/summary/groups".into()),
            2 => (
                "GET /api/parcels/{id}",
                format!("/api/parcels/{}", sample[k % sample.len()]),
            ),
            _ => ("GET /api/version", "/api/version".into()),
        };
        k += 1;
        let started = Instant::now();
        let result = get(&c, format!("{base}{path}")).await;
        out.record(kind, started, result);
    }
    out
}

/// The tile (x, y) holding a point at zoom z (Web Mercator).
fn tile_of(p: [f64; 2], z: u32) -> (i64, i64) {
    let n = f64::from(1u32 << z);
    let lat = p[1].to_radians();
    let x = (p[0] + 180.0) / 360.0 * n;
    let y = (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    (x.floor() as i64, y.floor() as i64)
}

fn tile_kind(layer: &str, z: u32) -> &'static str {
    match (layer, z) {
        ("parcels", 15) => "GET /tiles/parcels/15",
        ("parcels", 16) => "GET /tiles/parcels/16",
        ("parcels", _) => "GET /tiles/parcels/17",
        ("segments", _) => "GET /tiles/segments/15-17",
        ("groups", _) => "GET /tiles/groups/15-17",
        _ => "GET /tiles/(other)",
    }
}

async fn pan_tiles(
    c: Client,
    base: String,
    points: Arc<Vec<[f64; 2]>>,
    layers: &'static [&'static str],
    pan_every: Duration,
    i: usize,
    until: Instant,
) -> Outcome {
    let mut out = Outcome::default();
    if points.is_empty() {
        return out;
    }
    // Readers start spread over one pan interval, as people do.
    let offset = pan_every.mul_f64(i as f64 / 32.0 % 1.0);
    tokio::time::sleep(offset).await;
    let limit = Arc::new(tokio::sync::Semaphore::new(PAN_CONNECTIONS));
    let mut k = 0usize;
    while Instant::now() < until {
        let started = Instant::now();
        let z = 15 + (k % 3) as u32;
        // A spread of views: a stride through the points, another per reader.
        let p = points[(i * 7919 + k * 104_729) % points.len()];
        k += 1;
        let (cx, cy) = tile_of(p, z);
        let mut pan = tokio::task::JoinSet::new();
        for layer in layers {
            for x in cx - 1..=cx + 2 {
                for y in cy - 1..=cy + 1 {
                    let (c, limit) = (c.clone(), limit.clone());
                    let url = format!("{base}/tiles/{layer}/{z}/{x}/{y}.mvt");
                    pan.spawn(async move {
                        let _permit = limit.acquire_owned().await;
                        let t = Instant::now();
                        (tile_kind(layer, z), t, get(&c, url).await)
                    });
                }
            }
        }
        let mut failed = false;
        while let Some(done) = pan.join_next().await {
            let (kind, t, result) =
                done.unwrap_or_else(|e| ("GET /tiles (task)", Instant::now(), Err(e.to_string())));
            failed |= !matches!(result, Ok(s) if (200..300).contains(&s));
            out.record(kind, t, result);
        }
        if !failed {
            out.record("pan settled (all tiles)", started, Ok(200));
        }
        tokio::time::sleep_until((started + pan_every).into()).await;
    }
    out
}
