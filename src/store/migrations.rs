//! The schema, as an append-only list of migrations keyed by `PRAGMA user_version`.
//!
//! Never edit a released entry: append a new one. `Store::open` applies the missing ones in one
//! exclusive transaction and refuses a database written by a newer contrail.

pub const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE repository (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    full_name TEXT,
    git_path TEXT,
    default_branch TEXT,
    head_sha TEXT,
    api_url TEXT
);

-- Analysis settings recorded at sync time, so a snapshot gives the same numbers anywhere.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A rowid table: rows are appended in the order the import writes them, and the only index
-- is the unique one on sha (every query is by sha or reads the whole table). Trailers are a
-- JSON array of [key, value] pairs in message order.
CREATE TABLE commits (
    sha TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    author_name TEXT NOT NULL,
    author_email TEXT NOT NULL,
    raw_author_email TEXT NOT NULL,
    author_time INTEGER NOT NULL,
    committer_name TEXT NOT NULL,
    committer_email TEXT NOT NULL,
    committer_time INTEGER NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    parent_count INTEGER NOT NULL,
    pr_number INTEGER,
    pr_via TEXT,
    imported_pr INTEGER,
    applied_by_other INTEGER NOT NULL,
    markers TEXT NOT NULL DEFAULT '[]',
    trailers TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE items (
    number INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('issue', 'pr')),
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT COLLATE NOCASE,
    author_association TEXT,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed', 'merged')),
    is_draft INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    merged_at INTEGER,
    merged_by TEXT COLLATE NOCASE,
    merge_commit_sha TEXT,
    additions INTEGER,
    deletions INTEGER,
    changed_files INTEGER,
    labels TEXT NOT NULL DEFAULT '[]',
    head_repo_owner TEXT
);
CREATE INDEX items_author ON items(author);

-- Commits a PR contains, as the API lists them.
CREATE TABLE item_commits (
    number INTEGER NOT NULL,
    sha TEXT NOT NULL,
    PRIMARY KEY (number, sha)
) WITHOUT ROWID;

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    item INTEGER,
    actor TEXT COLLATE NOCASE,
    at INTEGER NOT NULL,
    association TEXT,
    state TEXT,
    body TEXT,
    target TEXT
) WITHOUT ROWID;
CREATE INDEX events_item ON events(item);
CREATE INDEX events_actor ON events(actor);

CREATE TABLE users (
    login TEXT PRIMARY KEY COLLATE NOCASE,
    kind TEXT NOT NULL,
    name TEXT,
    company TEXT,
    email TEXT,
    database_id INTEGER
) WITHOUT ROWID;

CREATE TABLE org_members (
    org TEXT NOT NULL COLLATE NOCASE,
    login TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (org, login)
) WITHOUT ROWID;

-- Source evidence that a git email belongs to a GitHub login.
CREATE TABLE identity_links (
    email TEXT NOT NULL COLLATE NOCASE,
    login TEXT NOT NULL COLLATE NOCASE,
    reason TEXT NOT NULL,
    PRIMARY KEY (email, login)
) WITHOUT ROWID;

-- Dated affiliation facts (affiliations file, config), each with its source.
CREATE TABLE affiliations (
    identity TEXT NOT NULL COLLATE NOCASE,
    org TEXT NOT NULL,
    internal INTEGER NOT NULL,
    from_ts INTEGER,
    until_ts INTEGER,
    source TEXT NOT NULL
);
CREATE UNIQUE INDEX affiliations_key
    ON affiliations(identity, org, ifnull(from_ts, -1), ifnull(until_ts, -1));

-- Watermarks, cursors and ETags of the sync.
CREATE TABLE sync_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The user's own notes and tags on people; never touched by a sync.
CREATE TABLE notes (
    person TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
];
