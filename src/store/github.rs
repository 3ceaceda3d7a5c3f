//! Typed queries of the GitHub sync's bookkeeping: what is stored of stars, forks and each
//! item's comments and reviews, for incremental reads and reconciliation
//! (docs/github-sync.md, "Reconciliation").

use super::Store;
use crate::domain::{EventKind, Ts};
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;

impl Store {
    /// The date stored for event `id` (a star or a fork), if it is stored.
    pub fn event_at(&self, id: &str) -> Result<Option<Ts>> {
        Ok(self
            .conn
            .prepare_cached("SELECT at FROM events WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// How many events of `kind` are stored.
    pub fn count_events(&self, kind: EventKind) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM events WHERE kind = ?1")?
            .query_row([kind.as_str()], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// How many events of `kind` are stored on item `number`.
    pub fn count_item_events(&self, number: u64, kind: EventKind) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM events WHERE item = ?1 AND kind = ?2")?
            .query_row(params![number as i64, kind.as_str()], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The `updatedAt` stored for issue or PR `number`, if it is stored.
    pub fn item_updated_at(&self, number: u64) -> Result<Option<Ts>> {
        Ok(self
            .conn
            .prepare_cached("SELECT updated_at FROM items WHERE number = ?1")?
            .query_row([number as i64], |r| r.get(0))
            .optional()?)
    }

    /// Whether issue or PR `number` is stored.
    pub fn has_item(&self, number: u64) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM items WHERE number = ?1")?
            .query_row([number as i64], |_| Ok(()))
            .optional()?
            .is_some())
    }
}

/// Delete the events of `kind` whose ids are not in `seen` (a complete re-list of stars or
/// forks); returns how many were deleted.
pub fn remove_events_not_in(
    tx: &super::Tx<'_>,
    kind: EventKind,
    seen: &HashSet<String>,
) -> Result<u64> {
    let c: &Connection = tx.conn;
    let ids: Vec<String> = c
        .prepare_cached("SELECT id FROM events WHERE kind = ?1")?
        .query_map([kind.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut del = c.prepare_cached("DELETE FROM events WHERE id = ?1")?;
    let mut n = 0;
    for id in ids.iter().filter(|id| !seen.contains(*id)) {
        n += del.execute([id])? as u64;
    }
    Ok(n)
}

/// Delete what a re-fetch of items `numbers` replaces: their events of `kinds` (the events
/// GitHub lists on an item) and their commits, so deleted comments disappear and a re-fetched
/// page never duplicates.
pub fn clear_items_children(
    tx: &super::Tx<'_>,
    numbers: &[u64],
    kinds: &[EventKind],
) -> Result<()> {
    let c: &Connection = tx.conn;
    let kinds = kinds
        .iter()
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(",");
    let mut del_events = c.prepare_cached(&format!(
        "DELETE FROM events WHERE item = ?1 AND kind IN ({kinds})"
    ))?;
    let mut del_commits = c.prepare_cached("DELETE FROM item_commits WHERE number = ?1")?;
    for n in numbers {
        del_events.execute(params![*n as i64])?;
        del_commits.execute(params![*n as i64])?;
    }
    Ok(())
}

/// Replace the stored members of organisation `org` with `logins`.
pub fn replace_org_members(tx: &super::Tx<'_>, org: &str, logins: &[String]) -> Result<()> {
    let c: &Connection = tx.conn;
    c.execute("DELETE FROM org_members WHERE org = ?1", [org])?;
    super::upsert_org_members(tx, org, logins)
}
