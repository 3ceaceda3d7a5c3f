//! Benchmark helper for `scripts/bench-report`:
//!   synth generate FILE [SEED]   write the issue-4 sized synthetic repository to FILE
//!   synth tiny FILE [SEED]       write a tiny one (the README example)
//!   synth load FILE              the baseline: open FILE read-only and load the whole dataset
//!   synth analyze FILE           load + analyze + render JSON in-process, with the phase times
//!   synth scan FILE              read the events table with and without `ORDER BY at, id`

use contrail::store::Store;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> contrail::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = || {
        contrail::Error::Usage("usage: synth generate|tiny|load|analyze|scan FILE [SEED]".into())
    };
    let (cmd, file) = match (args.get(1), args.get(2)) {
        (Some(c), Some(f)) => (c.as_str(), PathBuf::from(f)),
        _ => return Err(usage()),
    };
    match cmd {
        "generate" | "tiny" => {
            let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
            let t = Instant::now();
            let mut store = Store::open(&file)?;
            let params = if cmd == "tiny" {
                contrail::synth::Params::tiny(seed)
            } else {
                contrail::synth::Params::large(seed)
            };
            let s = contrail::synth::generate(&mut store, &params)?;
            eprintln!(
                "generated {} items, {} people, {} events, {} commits in {:.1}s",
                s.items,
                s.people,
                s.events,
                s.commits,
                t.elapsed().as_secs_f64()
            );
        }
        "load" => {
            let t = Instant::now();
            let ds = Store::open_read_only(&file)?.dataset()?;
            println!(
                "{:.3} load-only seconds ({} events)",
                t.elapsed().as_secs_f64(),
                ds.events.len()
            );
        }
        "analyze" => {
            let t = Instant::now();
            let ds = Store::open_read_only(&file)?.dataset()?;
            let t_load = t.elapsed().as_secs_f64();
            let settings = contrail::session::effective_settings(None, &ds)?;
            // Best of three: the machine may be shared.
            let mut t_an = f64::MAX;
            let mut r = contrail::report::Report::default();
            for _ in 0..3 {
                let t = Instant::now();
                r = contrail::analysis::analyze(&ds, &settings, None);
                t_an = t_an.min(t.elapsed().as_secs_f64());
            }
            let t = Instant::now();
            let out = contrail::report::render(&r, contrail::cli::Format::Json);
            let t_render = t.elapsed().as_secs_f64();
            println!(
                "load {t_load:.3}s analyze {t_an:.3}s (best of 3) render {t_render:.3}s ({} bytes)",
                out.len()
            );
        }
        "scan" => {
            let store = Store::open_read_only(&file)?;
            for order in ["ORDER BY at, id", ""] {
                let t = Instant::now();
                let mut st = store.conn().prepare(&format!(
                    "SELECT id, kind, item, actor, at, association, state, body, target FROM events {order}"
                ))?;
                let mut rows = st.query([])?;
                let mut n = 0u64;
                let mut bytes = 0usize;
                while let Some(r) = rows.next()? {
                    let id: String = r.get(0)?;
                    let body: Option<String> = r.get(7)?;
                    bytes += id.len() + body.map_or(0, |b| b.len());
                    n += 1;
                }
                println!(
                    "events {:<16} {n} rows, {bytes} bytes of ids+bodies in {:.3}s",
                    if order.is_empty() { "unordered" } else { order },
                    t.elapsed().as_secs_f64()
                );
            }
        }
        _ => return Err(usage()),
    }
    Ok(())
}
