//! Typed loads: the whole repository history as plain vectors for the pure analysis layer.

use crate::domain::{
    AffiliationFact, Commit, Dataset, Event, EventKind, IdentityLink, Item, ItemKind, ItemState,
    Note, PrVia, User, UserKind,
};
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension};
use std::sync::Arc;

/// One `Arc<str>` per distinct text: a million events share a few thousand actor logins and a
/// handful of associations and states. One interner per column, so the last value (often
/// repeated: associations, states) is checked before hashing.
#[derive(Default)]
struct Interner {
    all: crate::domain::FastSet<Arc<str>>,
    last: Option<Arc<str>>,
}

impl Interner {
    fn get(&mut self, s: Option<&str>) -> Option<Arc<str>> {
        let s = s?;
        if let Some(l) = self.last.as_ref().filter(|l| ***l == *s) {
            return Some(l.clone());
        }
        let a = match self.all.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<str> = s.into();
                self.all.insert(a.clone());
                a
            }
        };
        self.last = Some(a.clone());
        Some(a)
    }
}

/// Column `i` as text borrowed from the row (no `String` allocated); `None` for NULL.
fn text<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    let v = r.get_ref(i)?;
    v.as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(e)))
}

fn list(s: String) -> Vec<String> {
    serde_json::from_str(&s).unwrap_or_default()
}

pub fn load_dataset(conn: &Connection) -> Result<Dataset> {
    let mut ds = Dataset {
        repo: conn
            .query_row("SELECT full_name FROM repository WHERE id = 1", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten(),
        ..Dataset::default()
    };

    {
        let mut st = conn.prepare(
            "SELECT sha, seq, author_name, author_email, raw_author_email, author_time,
                committer_name, committer_email, committer_time, subject, message, parent_count,
                pr_number, pr_via, imported_pr, applied_by_other, markers, trailers
             FROM commits ORDER BY seq",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Commit {
                sha: r.get(0)?,
                seq: r.get(1)?,
                author_name: r.get(2)?,
                author_email: r.get(3)?,
                raw_author_email: r.get(4)?,
                author_time: r.get(5)?,
                committer_name: r.get(6)?,
                committer_email: r.get(7)?,
                committer_time: r.get(8)?,
                subject: r.get(9)?,
                message: r.get(10)?,
                parent_count: r.get(11)?,
                pr_number: r.get::<_, Option<i64>>(12)?.map(|n| n as u64),
                pr_via: r
                    .get::<_, Option<String>>(13)?
                    .and_then(|s| PrVia::parse(&s)),
                imported_pr: r.get::<_, Option<i64>>(14)?.map(|n| n as u64),
                applied_by_other: r.get(15)?,
                markers: list(r.get(16)?),
                trailers: serde_json::from_str(&r.get::<_, String>(17)?).unwrap_or_default(),
            })
        })?;
        for row in rows {
            ds.commits.push(row?);
        }
    }
    {
        let mut st = conn.prepare(
            "SELECT number, kind, url, title, body, author, author_association, state, is_draft,
                created_at, updated_at, closed_at, merged_at, merged_by, merge_commit_sha,
                additions, deletions, changed_files, labels, head_repo_owner
             FROM items ORDER BY number",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Item {
                number: r.get::<_, i64>(0)? as u64,
                kind: ItemKind::parse(&r.get::<_, String>(1)?).unwrap_or(ItemKind::Issue),
                url: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
                author: r.get(5)?,
                author_association: r.get(6)?,
                state: ItemState::parse(&r.get::<_, String>(7)?).unwrap_or(ItemState::Open),
                is_draft: r.get(8)?,
                created_at: r.get(9)?,
                updated_at: r.get(10)?,
                closed_at: r.get(11)?,
                merged_at: r.get(12)?,
                merged_by: r.get(13)?,
                merge_commit_sha: r.get(14)?,
                additions: r.get(15)?,
                deletions: r.get(16)?,
                changed_files: r.get(17)?,
                labels: list(r.get(18)?),
                head_repo_owner: r.get(19)?,
            })
        })?;
        for row in rows {
            ds.items.push(row?);
        }
    }
    {
        let mut st = conn.prepare("SELECT number, sha FROM item_commits ORDER BY number, sha")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (n, sha) = row?;
            ds.item_commits.entry(n).or_default().push(sha);
        }
    }
    {
        // In primary-key (id) order: a plain scan of the table, no sort. Analysis never needs
        // the events in time order (every fact is a minimum or maximum by (at, id)); the TUI
        // sorts the few lists it reads in time order itself.
        let mut st = conn.prepare(
            "SELECT id, kind, item, actor, at, association, state, body, target
             FROM events ORDER BY id",
        )?;
        let (mut actors, mut associations, mut states, mut targets) = (
            Interner::default(),
            Interner::default(),
            Interner::default(),
            Interner::default(),
        );
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            // Unknown kinds (from a newer contrail) are skipped rather than misread.
            let Some(kind) = EventKind::parse(text(r, 1)?.unwrap_or_default()) else {
                continue;
            };
            ds.events.push(Event {
                id: text(r, 0)?.unwrap_or_default().into(),
                kind,
                item: r.get::<_, Option<i64>>(2)?.map(|n| n as u64),
                actor: actors.get(text(r, 3)?),
                at: r.get(4)?,
                association: associations.get(text(r, 5)?),
                state: states.get(text(r, 6)?),
                // Bodies are mostly unique in real repositories: not worth a lookup.
                body: text(r, 7)?.map(Box::from),
                target: targets.get(text(r, 8)?),
            });
        }
        ds.events.shrink_to_fit();
    }
    {
        let mut st = conn.prepare(
            "SELECT login, kind, name, company, email, database_id FROM users ORDER BY login",
        )?;
        let rows = st.query_map([], |r| {
            Ok(User {
                login: r.get(0)?,
                kind: UserKind::parse(&r.get::<_, String>(1)?).unwrap_or(UserKind::User),
                name: r.get(2)?,
                company: r.get(3)?,
                email: r.get(4)?,
                database_id: r.get(5)?,
            })
        })?;
        for row in rows {
            ds.users.push(row?);
        }
    }
    {
        let mut st = conn.prepare("SELECT org, login FROM org_members ORDER BY org, login")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            ds.org_members.push(row?);
        }
    }
    {
        let mut st =
            conn.prepare("SELECT email, login, reason FROM identity_links ORDER BY email, login")?;
        let rows = st.query_map([], |r| {
            Ok(IdentityLink {
                email: r.get(0)?,
                login: r.get(1)?,
                reason: r.get(2)?,
            })
        })?;
        for row in rows {
            ds.identity_links.push(row?);
        }
    }
    {
        let mut st = conn.prepare(
            "SELECT identity, org, internal, from_ts, until_ts, source FROM affiliations
             ORDER BY identity, from_ts",
        )?;
        let rows = st.query_map([], |r| {
            Ok(AffiliationFact {
                identity: r.get(0)?,
                org: r.get(1)?,
                internal: r.get(2)?,
                from: r.get(3)?,
                until: r.get(4)?,
                source: r.get(5)?,
            })
        })?;
        for row in rows {
            ds.affiliations.push(row?);
        }
    }
    {
        let mut st = conn.prepare("SELECT key, value FROM settings")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (k, v) = row?;
            ds.settings.insert(k, v);
        }
    }
    {
        let mut st =
            conn.prepare("SELECT person, text, tags, updated_at FROM notes ORDER BY person")?;
        let rows = st.query_map([], |r| {
            Ok(Note {
                person: r.get(0)?,
                text: r.get(1)?,
                tags: list(r.get(2)?),
                updated_at: r.get(3)?,
            })
        })?;
        for row in rows {
            ds.notes.push(row?);
        }
    }
    ds.has_git = !ds.commits.is_empty();
    ds.has_github = !ds.items.is_empty()
        || !ds.events.is_empty()
        || conn
            .query_row(
                "SELECT 1 FROM sync_state WHERE key LIKE 'github.%' LIMIT 1",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
    Ok(ds)
}
