//! The demo repository: a fictional project, `orbitkit/orbit`, generated deterministically
//! (fixed seed, fixed base date, no wall clock) and written through the store's upsert API.
//!
//! It is small enough to build in a few milliseconds and rich enough to show every TUI view:
//! an internal team behind a Copybara-style mirror, outsiders climbing the ladder (one of them
//! hired), imported PRs with a credit leak, first-timers nobody answered, a stale bot, a CLA bot
//! nobody satisfied, and a typo-hunt week with a star burst. (Benchmarks use the larger
//! `synth` generator.)

use crate::config::Settings;
use crate::domain::{
    AffiliationFact, Commit, Event, EventKind, IdentityLink, Item, ItemKind, ItemState, PrVia, Ts,
    User, UserKind,
};
use crate::error::Result;
use crate::store::{self, Store};
use std::path::Path;

/// Bump when the generator's output changes, so cached demo databases are rebuilt.
pub const DEMO_VERSION: &str = "2";

pub const DEMO_REPO: &str = "orbitkit/orbit";
pub const INTERNAL_DOMAIN: &str = "orbitlabs.example";
pub const INTERNAL_ORG: &str = "orbitlabs";

/// 2024-01-01T00:00:00Z: day 0 of the demo. Everything is dated relative to it.
pub const BASE: Ts = 1_704_067_200;
const DAY: Ts = 86_400;
const HOUR: Ts = 3_600;
const URL: &str = "https://github.com/orbitkit/orbit";

const COPYBARA_NAME: &str = "Copybara-Service";
const COPYBARA_EMAIL: &str = "copybara-worker@orbitlabs.example";
const WEBFLOW_NAME: &str = "GitHub";
const WEBFLOW_EMAIL: &str = "noreply@github.com";

/// The analysis settings recorded in the demo database.
pub fn settings() -> Settings {
    Settings {
        internal_domains: vec![INTERNAL_DOMAIN.into()],
        internal_orgs: vec![INTERNAL_ORG.into()],
        ..Settings::default()
    }
}

/// A tiny deterministic generator (SplitMix64): the demo must be identical on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A person of the demo cast.
#[derive(Debug, Clone, Copy)]
struct Who {
    login: &'static str,
    name: &'static str,
    /// Git email; `None` = the GitHub noreply address.
    email: Option<&'static str>,
    internal: bool,
}

const TEAM: [Who; 5] = [
    Who {
        login: "ada-okafor",
        name: "Ada Okafor",
        email: Some("ada@orbitlabs.example"),
        internal: true,
    },
    Who {
        login: "bolind",
        name: "Bo Lindqvist",
        email: Some("bo@orbitlabs.example"),
        internal: true,
    },
    Who {
        login: "chenwei-ol",
        name: "Chen Wei",
        email: Some("chen@orbitlabs.example"),
        internal: true,
    },
    Who {
        login: "danaruiz",
        name: "Dana Ruiz",
        email: Some("dana@orbitlabs.example"),
        internal: true,
    },
    Who {
        login: "eli-n",
        name: "Eli Novak",
        email: Some("eli@orbitlabs.example"),
        internal: true,
    },
];

const fn ext(login: &'static str, name: &'static str) -> Who {
    Who {
        login,
        name,
        email: None,
        internal: false,
    }
}

const FERN: Who = ext("fern-k", "Fern Kowalski");
const GUS: Who = Who {
    login: "gus-m",
    name: "Gustavo Mendes",
    email: Some("gus@fastmail.example"),
    internal: false,
};
const HANA: Who = ext("hanasato", "Hana Sato");
const IVO: Who = ext("ivo-p", "Ivo Petrov");
const JULES: Who = ext("jules-r", "Jules Renard");
const KIM: Who = ext("kimtran", "Kim Tran");
const LEE: Who = ext("lee-w", "Lee Wong");
const MO: Who = ext("mo-adeyemi", "Mo Adeyemi");
const NIA: Who = ext("nia-b", "Nia Brooks");
const OMAR: Who = ext("omar-h", "Omar Haddad");
const PIA: Who = ext("pia-l", "Pia Lund");
const QUINN: Who = ext("quinn-s", "Quinn Shaw");
const RAE: Who = ext("rae-d", "Rae Dubois");
const SAM: Who = ext("sam-v", "Sam Varga");
const TOBI: Who = ext("tobi-a", "Tobi Adler");

const TYPO_HUNTERS: [Who; 14] = [
    ext("aria-dev", "Aria Ghosh"),
    ext("benji-codes", "Benji Park"),
    ext("cleo-m", "Cleo Martin"),
    ext("dev-dario", "Dario Conti"),
    ext("emre-k", "Emre Kaya"),
    ext("faye-l", "Faye Li"),
    ext("gio-b", "Gio Bianchi"),
    ext("hugo-f", "Hugo Faure"),
    ext("isha-p", "Isha Patel"),
    ext("jon-o", "Jon Olsen"),
    ext("kai-z", "Kai Zhou"),
    ext("lina-s", "Lina Said"),
    ext("max-r", "Max Roth"),
    ext("nora-v", "Nora Vos"),
];

const BOT_STALE: &str = "stale[bot]";
const BOT_CLA: &str = "CLAassistant";
const BOT_COPYBARA: &str = "copybara-service[bot]";
const BOT_DEPENDABOT: &str = "dependabot[bot]";

/// What happens to an issue or PR after it is opened.
#[derive(Debug, Clone)]
enum Fate {
    /// A maintainer merges it (`review` = who approved first, if anyone).
    Merged {
        by: &'static str,
        after: Ts,
        review: Option<&'static str>,
        comment: Option<(&'static str, &'static str)>,
    },
    /// Closed unmerged and landed through the internal mirror; `credit` keeps the outsider as
    /// git author (otherwise the importing employee takes the authorship: a credit leak).
    Imported {
        importer: &'static str,
        after: Ts,
        credit: bool,
    },
    /// Marked stale and closed by the stale bot.
    Stale { after: Ts },
    /// The CLA bot asks; nobody signs; it stays open or the stale bot closes it.
    ClaUnsigned { closed_after: Option<Ts> },
    /// Nobody but bots ever answers; it stays open.
    Silence,
    /// Someone answers after `after`, optionally closing it later.
    Answered {
        by: &'static str,
        after: Ts,
        body: &'static str,
        close_after: Option<Ts>,
    },
    /// Closed unmerged by a maintainer with no comment.
    ClosedSilently { by: &'static str, after: Ts },
}

#[derive(Debug, Clone)]
struct Spec {
    at: Ts,
    author: Who,
    kind: ItemKind,
    title: String,
    body: String,
    lines: (i64, i64),
    labels: Vec<String>,
    fate: Fate,
}

/// Everything the generator writes.
#[derive(Debug, Default, Clone)]
pub struct DemoData {
    pub commits: Vec<Commit>,
    pub items: Vec<Item>,
    pub item_commits: Vec<(u64, String)>,
    pub events: Vec<Event>,
    pub users: Vec<User>,
    pub org_members: Vec<String>,
    pub identity_links: Vec<IdentityLink>,
    pub affiliations: Vec<AffiliationFact>,
}

fn sha(rng: &mut Rng) -> String {
    format!(
        "{:016x}{:016x}{:08x}",
        rng.next_u64(),
        rng.next_u64(),
        rng.next_u64() as u32
    )
}

fn noreply(id: u64, login: &str) -> String {
    format!("{id}+{login}@users.noreply.github.com")
}

struct Gen {
    rng: Rng,
    data: DemoData,
    specs: Vec<Spec>,
    /// Commits before sequencing: (time, commit).
    commits: Vec<Commit>,
    event_seq: u64,
    ids: std::collections::BTreeMap<&'static str, u64>,
}

impl Gen {
    fn user_id(&mut self, login: &'static str) -> u64 {
        let next = 1_000_000 + self.ids.len() as u64 * 7_919;
        *self.ids.entry(login).or_insert(next)
    }

    fn git_email(&mut self, w: Who) -> String {
        match w.email {
            Some(e) => e.to_string(),
            None => {
                let id = self.user_id(w.login);
                noreply(id, w.login)
            }
        }
    }

    fn event(&mut self, kind: EventKind, item: Option<u64>, actor: &str, at: Ts) -> &mut Event {
        self.event_seq += 1;
        self.data.events.push(Event {
            id: format!("demo-ev-{:06}", self.event_seq).into(),
            kind,
            item,
            actor: Some(actor.into()),
            at,
            association: None,
            state: None,
            body: None,
            target: None,
        });
        let last = self.data.events.len() - 1;
        &mut self.data.events[last]
    }

    fn star(&mut self, login: &str, at: Ts) {
        self.data.events.push(Event {
            id: format!("star:{login}").into(),
            kind: EventKind::Star,
            item: None,
            actor: Some(login.into()),
            at,
            association: None,
            state: None,
            body: None,
            target: None,
        });
    }

    fn spec(&mut self, day: f64, author: Who, kind: ItemKind, title: &str, fate: Fate) {
        let at = BASE + (day * DAY as f64) as Ts + self.rng.below(6 * HOUR as u64) as Ts;
        let lines = match kind {
            ItemKind::Pr => (5 + self.rng.below(120) as i64, self.rng.below(40) as i64),
            ItemKind::Issue => (0, 0),
        };
        self.specs.push(Spec {
            at,
            author,
            kind,
            title: title.to_string(),
            body: String::new(),
            lines,
            labels: Vec::new(),
            fate,
        });
    }

    fn mirror_commit(&mut self, author: Who, at: Ts, subject: &str) {
        let email = self.git_email(author);
        let revid = 600_000_000 + self.rng.below(99_999_999);
        let message = format!("{subject}\n\nPiperOrigin-RevId: {revid}\n");
        self.commits.push(with_markers(Commit {
            sha: sha(&mut self.rng),
            author_name: author.name.into(),
            author_email: email.clone(),
            raw_author_email: email,
            author_time: at,
            committer_name: COPYBARA_NAME.into(),
            committer_email: COPYBARA_EMAIL.into(),
            committer_time: at + 20 * 60,
            subject: subject.into(),
            message,
            parent_count: 1,
            applied_by_other: true,
            trailers: vec![("PiperOrigin-RevId".into(), revid.to_string())],
            ..Commit::default()
        }));
    }
}

/// `c` with the markers the git import would store for it (one detector for both).
fn with_markers(mut c: Commit) -> Commit {
    c.markers = crate::git::markers::of_commit(&c, &crate::git::PrivateHosts::default());
    c
}

const MIRROR_SUBJECTS: [&str; 12] = [
    "Internal change",
    "Speed up orbit propagation for large catalogs",
    "Refactor the ephemeris cache",
    "Fix flaky integration test on arm64",
    "Bump the internal toolchain",
    "Add tracing spans to the planner",
    "Clean up deprecated TLE parser paths",
    "Tune default solver tolerances",
    "Move conjunction checks behind a feature flag",
    "Update generated protos",
    "Simplify error handling in the loader",
    "Document the frame conversion API",
];

/// Generate the demo data (pure; deterministic).
pub fn generate() -> DemoData {
    let mut g = Gen {
        rng: Rng::new(0x0_5EED_0B17),
        data: DemoData::default(),
        specs: Vec::new(),
        commits: Vec::new(),
        event_seq: 0,
        ids: Default::default(),
    };
    cast(&mut g);
    stories(&mut g);
    stars(&mut g);
    mirror(&mut g);
    realise(&mut g);
    g.data
}

/// Users, org membership, identity links and the hire.
fn cast(g: &mut Gen) {
    let mut all: Vec<Who> = TEAM.to_vec();
    all.extend([
        FERN, GUS, HANA, IVO, JULES, KIM, LEE, MO, NIA, OMAR, PIA, QUINN, RAE, SAM, TOBI,
    ]);
    all.extend(TYPO_HUNTERS);
    for w in &all {
        let id = g.user_id(w.login) as i64;
        g.data.users.push(User {
            login: w.login.into(),
            kind: UserKind::User,
            name: Some(w.name.into()),
            company: w.internal.then(|| "@orbitlabs".to_string()),
            email: None,
            database_id: Some(id),
        });
        if let Some(e) = w.email {
            g.data.identity_links.push(IdentityLink {
                email: e.into(),
                login: w.login.into(),
                reason: "commit author on GitHub".into(),
            });
        }
    }
    for bot in [BOT_STALE, BOT_CLA, BOT_COPYBARA, BOT_DEPENDABOT] {
        let id = g.user_id(bot) as i64;
        g.data.users.push(User {
            login: bot.into(),
            kind: UserKind::Bot,
            name: None,
            company: None,
            email: None,
            database_id: Some(id),
        });
    }
    g.data.org_members = TEAM.iter().map(|w| w.login.to_string()).collect();
    // Gus is hired on 2025-02-01 and switches to his work address.
    let hired = BASE + 397 * DAY;
    g.data.identity_links.push(IdentityLink {
        email: "gus@orbitlabs.example".into(),
        login: GUS.login.into(),
        reason: "commit author on GitHub".into(),
    });
    g.data.affiliations.push(AffiliationFact {
        identity: format!("login:{}", GUS.login),
        org: "Orbit Labs".into(),
        internal: true,
        from: Some(hired),
        until: None,
        source: "demo affiliations file line 3".into(),
    });
    g.data.affiliations.push(AffiliationFact {
        identity: format!("login:{}", GUS.login),
        org: "Independent".into(),
        internal: false,
        from: None,
        until: Some(hired),
        source: "demo affiliations file line 2".into(),
    });
    for w in TEAM {
        g.data.affiliations.push(AffiliationFact {
            identity: format!("login:{}", w.login),
            org: "Orbit Labs".into(),
            internal: true,
            from: None,
            until: None,
            source: "demo affiliations file line 1".into(),
        });
    }
}

/// The issues and PRs: each story is a few specs with a fate.
fn stories(g: &mut Gen) {
    use Fate::*;
    use ItemKind::{Issue, Pr};
    let [ada, bo, chen, dana, eli] = TEAM;

    // The team's own PRs: public review early on, then instant merges with empty bodies.
    for i in 0..10 {
        let day = 5.0 + i as f64 * 9.0;
        let author = TEAM[i % 5];
        let reviewer = TEAM[(i + 1) % 5].login;
        g.spec(
            day,
            author,
            Pr,
            [
                "Add TLE parser",
                "Planner: batch mode",
                "CI: cache toolchains",
                "Frame conversions",
                "Docs: getting started",
            ][i % 5],
            Merged {
                by: reviewer,
                after: 20 * HOUR,
                review: Some(reviewer),
                comment: None,
            },
        );
    }
    for i in 0..8 {
        let day = 140.0 + i as f64 * 40.0;
        g.spec(
            day,
            TEAM[(i + 2) % 5],
            Pr,
            [
                "Sync internal changes",
                "Fix release script",
                "Hotfix: planner crash",
                "Bump deps",
            ][i % 4],
            Merged {
                by: TEAM[(i + 2) % 5].login,
                after: 4 * 60,
                review: None,
                comment: None,
            },
        );
    }
    g.spec(
        60.0,
        dana,
        Issue,
        "Roadmap: conjunction screening",
        Answered {
            by: eli.login,
            after: 2 * HOUR,
            body: "Tracked internally in b/31337; see go/orbit-roadmap.",
            close_after: Some(30 * DAY),
        },
    );
    g.spec(
        200.0,
        chen,
        Issue,
        "Planner memory regression",
        Answered {
            by: ada.login,
            after: 3 * HOUR,
            body: "Discussed offline, fixed internally.",
            close_after: Some(2 * DAY),
        },
    );

    // Fern climbs: issue → PRs merged over months → reviews others → regular/reviewer.
    g.spec(
        20.0,
        FERN,
        Issue,
        "Docs: frame conversion example is wrong",
        Answered {
            by: bo.login,
            after: 5 * HOUR,
            body: "Good catch, would you like to send a PR?",
            close_after: Some(6 * DAY),
        },
    );
    for (k, title) in [
        "Fix frame conversion example",
        "Add Kepler solver tests",
        "Support TLE epoch rollover",
        "Planner: expose step size",
        "Speed up catalog load",
    ]
    .iter()
    .enumerate()
    {
        g.spec(
            25.0 + k as f64 * 45.0,
            FERN,
            Pr,
            title,
            Merged {
                by: ada.login,
                after: 2 * DAY,
                review: Some(bo.login),
                comment: Some((bo.login, "Thanks! Small nit inline.")),
            },
        );
    }
    // Gus climbs to regular, then is hired (affiliation from 2025-02-01).
    g.spec(
        70.0,
        GUS,
        Issue,
        "Crash on empty catalog",
        Answered {
            by: chen.login,
            after: 8 * HOUR,
            body: "Reproduced, thanks.",
            close_after: Some(10 * DAY),
        },
    );
    for (k, title) in [
        "Handle empty catalogs",
        "Add --json to the CLI",
        "Windows path fixes",
        "Planner: retry on timeout",
    ]
    .iter()
    .enumerate()
    {
        g.spec(
            90.0 + k as f64 * 50.0,
            GUS,
            Pr,
            title,
            Merged {
                by: chen.login,
                after: DAY,
                review: Some(ada.login),
                comment: None,
            },
        );
    }
    for (k, title) in ["Ephemeris cache eviction", "Parallel propagation"]
        .iter()
        .enumerate()
    {
        g.spec(
            410.0 + k as f64 * 40.0,
            Who {
                email: Some("gus@orbitlabs.example"),
                internal: true,
                ..GUS
            },
            Pr,
            title,
            Merged {
                by: ada.login,
                after: 6 * 60,
                review: None,
                comment: None,
            },
        );
    }
    // Hana: one merged PR, then her second is imported and the importer takes the credit.
    g.spec(
        110.0,
        HANA,
        Pr,
        "Fix off-by-one in pass predictions",
        Merged {
            by: bo.login,
            after: 3 * DAY,
            review: Some(bo.login),
            comment: None,
        },
    );
    g.spec(
        180.0,
        HANA,
        Pr,
        "Add SGP4 deep-space corrections",
        Imported {
            importer: chen.login,
            after: 9 * DAY,
            credit: false,
        },
    );
    // Ivo: imported with credit kept in git, but GitHub shows "Closed".
    g.spec(
        150.0,
        IVO,
        Pr,
        "Vectorise the drag model",
        Imported {
            importer: dana.login,
            after: 12 * DAY,
            credit: true,
        },
    );
    g.spec(
        260.0,
        TOBI,
        Pr,
        "Use f64 for epochs everywhere",
        Imported {
            importer: eli.login,
            after: 20 * DAY,
            credit: false,
        },
    );
    // First-timers nobody answered.
    g.spec(
        45.0,
        JULES,
        Issue,
        "Question: is the planner thread-safe?",
        Silence,
    );
    g.spec(95.0, KIM, Pr, "Add Homebrew formula", Silence);
    g.spec(520.0, LEE, Issue, "Install fails on Alpine (musl)", Silence);
    g.spec(531.0, MO, Pr, "Fix panic when TLE line 2 is short", Silence);
    g.spec(
        495.0,
        NIA,
        Issue,
        "Feature request: export to CZML",
        Silence,
    );
    g.spec(
        538.0,
        FERN,
        Issue,
        "Planner ignores --step on replays",
        Silence,
    );
    // Stale bot and CLA bot.
    g.spec(
        130.0,
        OMAR,
        Pr,
        "Add ARM NEON path for propagation",
        Stale { after: 60 * DAY },
    );
    g.spec(
        300.0,
        SAM,
        Pr,
        "Rewrite config loader",
        ClosedSilently {
            by: eli.login,
            after: 5 * DAY,
        },
    );
    g.spec(
        240.0,
        PIA,
        Pr,
        "Add Julia bindings",
        ClaUnsigned { closed_after: None },
    );
    g.spec(
        526.0,
        QUINN,
        Pr,
        "Typo in error message",
        ClaUnsigned { closed_after: None },
    );
    // A slow answer.
    g.spec(
        160.0,
        RAE,
        Issue,
        "Docs for custom force models?",
        Answered {
            by: dana.login,
            after: 31 * DAY,
            body: "Sorry for the delay — not yet.",
            close_after: None,
        },
    );
    // Typo-hunt week (2024-10-07 … 13): one-line docs PRs from first-timers who never return.
    for (k, w) in TYPO_HUNTERS.iter().enumerate() {
        let day = 280.0 + (k % 7) as f64;
        let file = [
            "README.md",
            "docs/guide.md",
            "docs/api.md",
            "CONTRIBUTING.md",
        ][k % 4];
        let fate = if k % 3 == 2 {
            Silence
        } else {
            Merged {
                by: ada.login,
                after: 10 * HOUR,
                review: None,
                comment: None,
            }
        };
        let idx = g.specs.len();
        g.spec(day, *w, Pr, &format!("Fix typo in {file}"), fate);
        if let Some(s) = g.specs.get_mut(idx) {
            s.lines = (1, 1);
            s.labels = vec!["documentation".into(), "hacktoberfest".into()];
        }
    }
    // Dependabot keeps the lights on.
    for i in 0..6 {
        let who = Who {
            login: BOT_DEPENDABOT,
            name: "dependabot[bot]",
            email: Some("49699333+dependabot[bot]@users.noreply.github.com"),
            internal: false,
        };
        g.spec(
            30.0 + i as f64 * 85.0,
            who,
            Pr,
            "Bump serde from 1.0.1 to 1.0.2",
            Merged {
                by: bo.login,
                after: DAY,
                review: None,
                comment: None,
            },
        );
    }
}

/// Stargazers: a low baseline, a burst in the typo-hunt week, and a launch-day spike.
fn stars(g: &mut Gen) {
    let mut n = 0u32;
    let mut push = |g: &mut Gen, at: Ts| {
        n += 1;
        let login = format!("stargazer-{n:04}");
        g.star(&login, at);
    };
    for day in 0..545i64 {
        let base = if day < 10 { 8 } else { g.rng.below(3) as i64 };
        let burst = match day {
            280..=286 => 30 + g.rng.below(20) as i64,
            400 => 60,
            _ => 0,
        };
        for _ in 0..(base + burst) {
            let at = BASE + day * DAY + g.rng.below(DAY as u64) as Ts;
            push(g, at);
        }
    }
    // Some contributors starred first.
    for (w, day) in [(FERN, 15), (GUS, 65), (HANA, 100), (MO, 530), (JULES, 44)] {
        g.star(w.login, BASE + day * DAY);
    }
}

/// The mirror: a few Copybara-synced commits every week, no public PR.
fn mirror(g: &mut Gen) {
    for week in 0..78i64 {
        let n = 2 + g.rng.below(4);
        for _ in 0..n {
            let author = if week > 57 && g.rng.chance(20) {
                Who {
                    email: Some("gus@orbitlabs.example"),
                    internal: true,
                    ..GUS
                }
            } else {
                TEAM[g.rng.below(5) as usize]
            };
            let at = BASE + week * 7 * DAY + g.rng.below(7 * DAY as u64) as Ts;
            let subject = MIRROR_SUBJECTS[g.rng.below(MIRROR_SUBJECTS.len() as u64) as usize];
            g.mirror_commit(author, at, subject);
        }
    }
}

/// Number the specs in time order and turn them into items, events and commits.
fn realise(g: &mut Gen) {
    let mut specs = std::mem::take(&mut g.specs);
    specs.sort_by_key(|s| s.at);
    for (i, s) in specs.into_iter().enumerate() {
        let number = i as u64 + 1;
        realise_one(g, number, s);
    }
    // Commits: newest first gets seq 0, like the importer's walk from HEAD.
    let mut commits = std::mem::take(&mut g.commits);
    commits.sort_by(|a, b| {
        b.committer_time
            .cmp(&a.committer_time)
            .then(a.sha.cmp(&b.sha))
    });
    for (seq, c) in commits.iter_mut().enumerate() {
        c.seq = seq as i64;
    }
    g.data.commits = commits;
    g.data
        .events
        .sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
}

fn association(w: Who, at: Ts) -> &'static str {
    let hired = BASE + 397 * DAY;
    if w.internal || (w.login == GUS.login && at >= hired) {
        "MEMBER"
    } else {
        "CONTRIBUTOR"
    }
}

fn realise_one(g: &mut Gen, number: u64, s: Spec) {
    let author = s.author;
    let mut item = Item {
        number,
        kind: s.kind,
        url: format!(
            "{URL}/{}/{number}",
            if s.kind == ItemKind::Pr {
                "pull"
            } else {
                "issues"
            }
        ),
        title: s.title.clone(),
        body: s.body.clone(),
        author: Some(author.login.into()),
        author_association: Some(association(author, s.at).into()),
        state: ItemState::Open,
        is_draft: false,
        created_at: s.at,
        updated_at: s.at,
        closed_at: None,
        merged_at: None,
        merged_by: None,
        merge_commit_sha: None,
        additions: (s.kind == ItemKind::Pr).then_some(s.lines.0),
        deletions: (s.kind == ItemKind::Pr).then_some(s.lines.1),
        changed_files: (s.kind == ItemKind::Pr).then_some(1 + s.lines.0 / 40),
        labels: s.labels.clone(),
        head_repo_owner: (s.kind == ItemKind::Pr).then(|| author.login.to_string()),
    };
    if author.login == BOT_DEPENDABOT {
        item.head_repo_owner = Some(DEMO_REPO.split('/').next().unwrap_or_default().into());
        item.author_association = Some("NONE".into());
    }
    let close = |item: &mut Item, at: Ts| {
        item.state = ItemState::Closed;
        item.closed_at = Some(at);
        item.updated_at = at;
    };
    match s.fate {
        Fate::Merged {
            by,
            after,
            review,
            comment,
        } => {
            let at = s.at + after;
            if let Some((who, body)) = comment {
                g.event(EventKind::Comment, Some(number), who, s.at + after / 3)
                    .body = Some(body.into());
            }
            if let Some(r) = review {
                let e = g.event(EventKind::Review, Some(number), r, s.at + after / 2);
                e.state = Some("APPROVED".into());
                e.association = Some("MEMBER".into());
            }
            g.event(EventKind::Merged, Some(number), by, at);
            g.event(EventKind::Closed, Some(number), by, at);
            item.state = ItemState::Merged;
            item.merged_at = Some(at);
            item.closed_at = Some(at);
            item.updated_at = at;
            item.merged_by = Some(by.into());
            // The squash commit lands through GitHub's web flow.
            let email = g.git_email(author);
            let sha_ = sha(&mut g.rng);
            item.merge_commit_sha = Some(sha_.clone());
            let subject = format!("{} (#{number})", s.title);
            g.commits.push(with_markers(Commit {
                sha: sha_.clone(),
                author_name: author.name.into(),
                author_email: email.clone(),
                raw_author_email: email,
                author_time: s.at,
                committer_name: WEBFLOW_NAME.into(),
                committer_email: WEBFLOW_EMAIL.into(),
                committer_time: at,
                message: format!("{subject}\n"),
                subject,
                parent_count: 1,
                pr_number: Some(number),
                pr_via: Some(PrVia::Squash),
                ..Commit::default()
            }));
            g.data.item_commits.push((number, sha_));
        }
        Fate::Imported {
            importer,
            after,
            credit,
        } => {
            let at = s.at + after;
            let imp = TEAM
                .iter()
                .copied()
                .find(|w| w.login == importer)
                .unwrap_or(TEAM[0]);
            g.event(
                EventKind::Comment,
                Some(number),
                imp.login,
                s.at + after / 2,
            )
            .body = Some("Thanks! I'm importing this internally.".into());
            let sha_ = sha(&mut g.rng);
            let e = g.event(EventKind::Comment, Some(number), BOT_COPYBARA, at);
            e.body = Some(
                format!(
                    "This PR was imported and landed as {}. Closing.",
                    &sha_[..12]
                )
                .into(),
            );
            g.event(EventKind::Closed, Some(number), BOT_COPYBARA, at + 60);
            close(&mut item, at + 60);
            let (git_author, email) = if credit {
                let e = g.git_email(author);
                (author, e)
            } else {
                (imp, g.git_email(imp))
            };
            let revid = 600_000_000 + g.rng.below(99_999_999);
            let subject = format!("PR #{number}: {}", s.title);
            let message = format!(
                "{subject}\n\nImported from GitHub PR {URL}/pull/{number}\n\n\
                 Merging this change closes #{number}\n\nPiperOrigin-RevId: {revid}\n"
            );
            g.commits.push(with_markers(Commit {
                sha: sha_,
                author_name: git_author.name.into(),
                author_email: email.clone(),
                raw_author_email: email,
                author_time: s.at,
                committer_name: COPYBARA_NAME.into(),
                committer_email: COPYBARA_EMAIL.into(),
                committer_time: at,
                subject,
                message,
                parent_count: 1,
                imported_pr: Some(number),
                applied_by_other: true,
                trailers: vec![("PiperOrigin-RevId".into(), revid.to_string())],
                ..Commit::default()
            }));
        }
        Fate::Stale { after } => {
            let e = g.event(
                EventKind::Comment,
                Some(number),
                BOT_STALE,
                s.at + after - 7 * DAY,
            );
            e.body = Some(
                "This pull request has been automatically marked as stale because it has not \
                 had recent activity. It will be closed if no further activity occurs."
                    .into(),
            );
            let e = g.event(
                EventKind::Labeled,
                Some(number),
                BOT_STALE,
                s.at + after - 7 * DAY,
            );
            e.target = Some("stale".into());
            g.event(EventKind::Closed, Some(number), BOT_STALE, s.at + after);
            close(&mut item, s.at + after);
        }
        Fate::ClaUnsigned { closed_after } => {
            let e = g.event(EventKind::Comment, Some(number), BOT_CLA, s.at + 60);
            e.body = Some(
                "Thank you for your submission! We really appreciate it. Like many open source \
                 projects, we ask that you sign our Contributor License Agreement before we can \
                 accept your contribution. The CLA is not signed yet."
                    .into(),
            );
            if let Some(after) = closed_after {
                g.event(EventKind::Closed, Some(number), BOT_STALE, s.at + after);
                close(&mut item, s.at + after);
            }
        }
        Fate::Silence => {}
        Fate::Answered {
            by,
            after,
            body,
            close_after,
        } => {
            let e = g.event(EventKind::Comment, Some(number), by, s.at + after);
            e.body = Some(body.into());
            e.association = Some("MEMBER".into());
            if let Some(c) = close_after {
                let e = g.event(EventKind::Closed, Some(number), by, s.at + c);
                e.state = Some("COMPLETED".into());
                close(&mut item, s.at + c);
            }
        }
        Fate::ClosedSilently { by, after } => {
            g.event(EventKind::Closed, Some(number), by, s.at + after);
            close(&mut item, s.at + after);
        }
    }
    g.data.items.push(item);
}

/// Write `data` into `store` in one transaction, with the demo's repository and settings.
pub fn write(store: &mut Store, data: &DemoData, repo: &str, settings: &Settings) -> Result<()> {
    let json = serde_json::to_string(settings)?;
    store.write(|c| {
        store::set_repository(c, Some(repo), None, Some("main"), None, None)?;
        store::set_setting(c, "analysis", &json)?;
        store::set_setting(c, "demo_version", DEMO_VERSION)?;
        store::upsert_users(c, &data.users)?;
        store::upsert_org_members(c, INTERNAL_ORG, &data.org_members)?;
        store::upsert_identity_links(c, &data.identity_links)?;
        store::replace_affiliations(c, &data.affiliations)?;
        store::upsert_commits(c, &data.commits)?;
        store::upsert_items(c, &data.items)?;
        store::upsert_item_commits(c, &data.item_commits)?;
        store::upsert_events(c, &data.events)?;
        store::set_state(c, "github.demo", "complete")?;
        Ok(())
    })
}

/// Build the demo into `store`.
pub fn build(store: &mut Store) -> Result<()> {
    write(store, &generate(), DEMO_REPO, &settings())
}

/// The cached demo database: rebuilt when missing or from another generator version; the
/// user's notes survive as long as the version does not change.
pub fn ensure_db(path: &Path) -> Result<()> {
    if path.exists() {
        let current = Store::open(path)
            .ok()
            .and_then(|s| s.setting("demo_version").ok().flatten())
            .is_some_and(|v| v == DEMO_VERSION);
        if current {
            return Ok(());
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(std::path::PathBuf::from(p));
        }
    }
    let mut store = Store::open(path)?;
    build(&mut store)
}

/// Where `contrail demo` keeps its database: the platform cache dir.
pub fn default_demo_path() -> Result<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "contrail", "contrail").ok_or_else(|| {
        crate::error::Error::Usage("cannot find a cache directory for the demo database".into())
    })?;
    Ok(dirs.cache_dir().join("demo.sqlite"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_deterministic() {
        let a = generate();
        let b = generate();
        assert_eq!(a.items, b.items);
        assert_eq!(a.commits, b.commits);
        assert_eq!(a.events, b.events);
    }

    #[test]
    fn the_demo_has_every_story() {
        let d = generate();
        assert!(d.commits.iter().any(|c| c.imported_pr.is_some()));
        assert!(d.commits.iter().filter(|c| !c.markers.is_empty()).count() > 100);
        assert!(
            d.events
                .iter()
                .any(|e| e.actor.as_deref() == Some(BOT_STALE) && e.kind == EventKind::Closed)
        );
        assert!(d.events.iter().any(|e| e.actor.as_deref() == Some(BOT_CLA)));
        assert!(
            d.items
                .iter()
                .filter(|i| i.title.starts_with("Fix typo"))
                .count()
                >= 10
        );
        assert!(
            d.affiliations
                .iter()
                .any(|a| a.from.is_some() && a.internal)
        );
    }

    #[test]
    fn the_demo_builds_fast_into_a_store() {
        let mut s = Store::open_in_memory().unwrap();
        let t = std::time::Instant::now();
        build(&mut s).unwrap();
        assert!(t.elapsed().as_millis() < 2_000);
        let ds = s.dataset().unwrap();
        assert_eq!(ds.repo.as_deref(), Some(DEMO_REPO));
        assert!(ds.items.len() > 50);
    }
}
