//! The client of `bench/load.sh`: editors and readers at once against a
//! running hiendat server; prints p50/p99 per kind of request and the
//! errors. See `driver.rs`.
//!
//!     cargo run --release --example load -- --url http://127.0.0.1:8080 \
//!         --user bench --password '...' [--editors 8] [--readers 16] [--seconds 30]

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
    };
    match driver::run(&load).await {
        Ok(out) => {
            println!(
                "{} editors, {} readers, {} s",
                a.editors, a.readers, a.seconds
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
