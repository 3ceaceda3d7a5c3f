//! The store: migrations, validation of foreign/newer files, idempotent upserts.

use contrail::domain::{Event, EventKind};
use contrail::store::{self, Store};

#[test]
fn migrations_applied_twice_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite");
    drop(Store::open(&path).unwrap());
    let s = Store::open(&path).unwrap();
    let v: i64 = s
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, store::schema_version());
}

#[test]
fn a_foreign_file_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, b"hello, not a database").unwrap();
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(err.contains("is not a contrail database"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"hello, not a database");
}

#[test]
fn another_programs_sqlite_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(err.contains("another program"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_newer_schema_is_refused_with_upgrade_advice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", store::schema_version() + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(
        err.contains("newer contrail") && err.contains("upgrade"),
        "{err}"
    );
}

#[test]
fn upserting_the_same_events_twice_changes_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    let ev = Event {
        id: "star:alice".into(),
        kind: EventKind::Star,
        item: None,
        actor: Some("alice".into()),
        at: 1_700_000_000,
        association: None,
        state: None,
        body: None,
        target: None,
    };
    for _ in 0..2 {
        s.write(|c| store::upsert_events(c, std::slice::from_ref(&ev)))
            .unwrap();
    }
    let ds = s.dataset().unwrap();
    assert_eq!(ds.events, vec![ev]);
}

#[test]
fn read_only_open_never_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.sqlite");
    drop(Store::open(&path).unwrap());
    let mut ro = Store::open_read_only(&path).unwrap();
    assert!(ro.write(|c| store::set_state(c, "k", "v")).is_err());
}
