//! The client of `bench/load.sh`: editors and readers at once against a
//! running hiendat server; prints p50/p99 per kind of request and the
//! errors. See `driver.rs`.
//!
//!     cargo run --release --example load -- --url http://127.0.0.1:8080 \
//!         --user bench --password '...' [--editors 8] [--readers 16] [--seconds 30] \
//!         [--reads page|tiles] [--pan-every-ms 3000] [--layers parcels,segments] \
//!         [--write-every-ms 0]

#[allow(dead_code)] // the test uses more of it
mod driver;

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    url: String,
    /// An editor's login name
    #[arg(long)]
    user: String,
    #[arg(long, env = "LOAD_PASSWORD")]
    password: String,
    #[arg(long, default_value_t = 8)]
    editors: usize,
    #[arg(long, default_value_t = 16)]
    readers: usize,
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// What readers read: the page's JSON, or vector tiles as a panning map
    #[arg(long, value_parser = ["page", "tiles"], default_value = "page")]
    reads: String,
    /// Tile readers: one pan every this many milliseconds per reader
    #[arg(long, default_value_t = 3000)]
    pan_every_ms: u64,
    /// Each editor writes once every this many milliseconds (0: as fast as it can)
    #[arg(long, default_value_t = 0)]
    write_every_ms: u64,
    /// Tile readers: the layers each pan asks for
    #[arg(long, value_delimiter = ',', default_value = "parcels,segments")]
    layers: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let a = Args::parse();
    let load = driver::Load {
        base: a.url,
        editor: (a.user, a.password),
        editors: a.editors,
        readers: a.readers,
        duration: Duration::from_secs(a.seconds),
        write_every: Duration::from_millis(a.write_every_ms),
        reads: if a.reads == "tiles" {
            let layers: Vec<&'static str> = a
                .layers
                .iter()
                .map(|l| &*Box::leak(l.clone().into_boxed_str()))
                .collect();
            driver::Reads::Tiles {
                layers: Box::leak(layers.into_boxed_slice()),
                pan_every: Duration::from_millis(a.pan_every_ms),
            }
        } else {
            driver::Reads::Page
        },
    };
    match driver::run(&load).await {
        Ok(out) => {
            println!(
                "{} editors (a write every {} ms each; 0 = at once), {} readers ({}), {} s",
                a.editors, a.write_every_ms, a.readers, a.reads, a.seconds
            );
            print!("{}", out.table(a.seconds as f64));
            if out.error_count() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}
