//! The load driver shared by `bench/load.sh` (through `examples/load`) and
//! `tests/store_load.rs`: editors posting events and readers reading the
//! map's answers, at once, against a running server, for a set time.
//!
//! Each editor works on its own parcels (so no write is refused by the
//! transition table): a parcel never contacted goes to `persuading`, then
//! back and forth between `declined` and `persuading`, dated today. Each
//! reader asks in turn for the segments, the groups' table, one parcel
//! and the data version. Every answer that is not a 2xx, and every
//! request that fails, is counted as an error under its kind and status.

use reqwest::Client;
use serde_json::{Value, json};
use std::collections::BTreeMap;
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
}

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
    let today = json_of(&editor, &format!("{base}/api/config")).await?["today"]
        .as_str()
        .ok_or("/api/config: no today")?
        .to_string();
    // The parcels the editors may move back and forth, with their status.
    let mut parcels: Vec<(String, &'static str)> = Vec::new();
    for status in ["not_contacted", "persuading", "declined"] {
        let v = json_of(
            &editor,
            &format!("{base}/api/parcels?status={status}&fields=id"),
        )
        .await?;
        for f in v["features"].as_array().into_iter().flatten() {
            let id = &f["properties"]["id"];
            let id = id.as_str().map_or_else(|| id.to_string(), str::to_string);
            parcels.push((id, status));
        }
    }
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
            }
            out
        });
    }
    for i in 0..l.readers {
        let c = Client::new();
        let (base, sample) = (base.clone(), sample.clone());
        tasks.spawn(async move {
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
                let result = match c.get(format!("{base}{path}")).send().await {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        match r.bytes().await {
                            Ok(_) => Ok(s),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                out.record(kind, started, result);
            }
            out
        });
    }
    let mut all = Outcome::default();
    while let Some(done) = tasks.join_next().await {
        all.merge(done.map_err(|e| e.to_string())?);
    }
    Ok(all)
}
