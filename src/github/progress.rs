//! What the user sees while a sync runs: indicatif bars per collection on a terminal, plain
//! log lines on stderr otherwise (`--no-progress`, pipes, CI), or nothing (tests).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// indicatif bars on stderr.
    Bars,
    /// One plain line per page on stderr.
    Lines,
    /// Nothing (library callers, tests).
    Silent,
}

impl ProgressMode {
    /// Bars when stderr is a terminal and the user did not ask for `--no-progress`.
    pub fn detect(no_progress: bool) -> ProgressMode {
        use std::io::IsTerminal;
        if !no_progress && std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Lines
        }
    }
}

/// Where a sync reports progress as short lines instead of drawing on the terminal — the TUI's
/// status bar during a background refresh (page counts, rate limit left, countdowns).
#[derive(Clone)]
pub struct ProgressSink(pub Arc<dyn Fn(String) + Send + Sync>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}

pub struct Progress {
    mode: ProgressMode,
    sink: Option<ProgressSink>,
    multi: MultiProgress,
    bars: HashMap<&'static str, ProgressBar>,
    counts: HashMap<&'static str, (u64, Option<u64>)>,
}

impl Progress {
    pub fn new(mode: ProgressMode) -> Progress {
        Progress::with_sink(mode, None)
    }

    /// Like [`Progress::new`], and every update also goes to `sink` as one line.
    pub fn with_sink(mode: ProgressMode, sink: Option<ProgressSink>) -> Progress {
        let multi = MultiProgress::with_draw_target(match mode {
            ProgressMode::Bars => ProgressDrawTarget::stderr(),
            _ => ProgressDrawTarget::hidden(),
        });
        Progress {
            mode,
            sink,
            multi,
            bars: HashMap::new(),
            counts: HashMap::new(),
        }
    }

    /// A collection starts; `total` when GitHub told us how many there are.
    pub fn start(&mut self, name: &'static str, total: Option<u64>) {
        self.counts.insert(name, (0, total));
        if self.mode != ProgressMode::Bars || self.bars.contains_key(name) {
            if let Some(bar) = self.bars.get(name)
                && let Some(t) = total
            {
                bar.set_length(t);
            }
            return;
        }
        let bar = self.multi.add(ProgressBar::new(total.unwrap_or(0)));
        let style = ProgressStyle::with_template(
            "{prefix:>13} {bar:24} {pos:>6}/{len:<6} eta {eta:>3} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(name);
        self.bars.insert(name, bar);
    }

    /// `n` more records of `name` were stored; `remaining` is the GraphQL rate limit left.
    pub fn advance(&mut self, name: &'static str, n: u64, remaining: Option<u64>) {
        let entry = self.counts.entry(name).or_insert((0, None));
        entry.0 += n;
        let (done, total) = *entry;
        let left = remaining
            .map(|r| format!("rate limit {r}"))
            .unwrap_or_default();
        if let Some(sink) = &self.sink {
            let of = total.map(|t| format!("/{t}")).unwrap_or_default();
            (sink.0)(format!("GitHub {name}: {done}{of} · {left} left"));
        }
        match self.mode {
            ProgressMode::Bars => {
                if let Some(bar) = self.bars.get(name) {
                    // Unknown totals (incremental syncs) grow with the count.
                    if total.is_none_or(|t| done > t) {
                        bar.set_length(done);
                    }
                    bar.inc(n);
                    bar.set_message(left);
                }
            }
            ProgressMode::Lines => {
                let of = total.map(|t| format!("/{t}")).unwrap_or_default();
                eprintln!("github: {name}: {done}{of} stored ({left} left)");
            }
            ProgressMode::Silent => {}
        }
    }

    pub fn finish(&mut self, name: &'static str) {
        let done = self.counts.get(name).map(|c| c.0).unwrap_or(0);
        match self.mode {
            ProgressMode::Bars => {
                if let Some(bar) = self.bars.get(name) {
                    bar.set_length(done.max(bar.position()));
                    bar.finish();
                }
            }
            ProgressMode::Lines => eprintln!("github: {name}: done ({done} stored)"),
            ProgressMode::Silent => {}
        }
    }

    /// A one-off message above the bars (or a plain line).
    pub fn note(&self, msg: &str) {
        if let Some(sink) = &self.sink {
            (sink.0)(format!("GitHub: {msg}"));
        }
        match self.mode {
            ProgressMode::Bars => {
                let _ = self.multi.println(msg);
            }
            ProgressMode::Lines => eprintln!("github: {msg}"),
            ProgressMode::Silent => {}
        }
    }

    /// Wait `actual` (≤ `announced`, when tests cap waits), showing a countdown from
    /// `announced` on a terminal (and to the sink, once a second), one line otherwise.
    pub async fn countdown(&self, reason: &str, announced: Duration, actual: Duration) {
        if self.mode == ProgressMode::Lines {
            eprintln!("github: {reason}: waiting {} s", announced.as_secs());
        }
        let bar =
            (self.mode == ProgressMode::Bars).then(|| self.multi.add(ProgressBar::new_spinner()));
        if bar.is_none() && self.sink.is_none() {
            tokio::time::sleep(actual).await;
            return;
        }
        let started = std::time::Instant::now();
        loop {
            let elapsed = started.elapsed();
            if elapsed >= actual {
                break;
            }
            let left = announced.saturating_sub(elapsed).as_secs();
            if let Some(bar) = &bar {
                bar.set_message(format!("{reason}: waiting {left} s"));
                bar.tick();
            }
            if let Some(sink) = &self.sink {
                (sink.0)(format!("GitHub {reason}: waiting {left} s"));
            }
            tokio::time::sleep((actual - elapsed).min(Duration::from_secs(1))).await;
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
}
