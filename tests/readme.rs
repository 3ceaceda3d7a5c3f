//! The README stays true: its configuration reference is the embedded defaults, verbatim.

#[test]
fn readme_shows_the_embedded_default_config_verbatim() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(contrail::config::DEFAULT_CONFIG),
        "README.md's configuration block differs from assets/default-config.toml; paste the file in again"
    );
}

#[test]
fn readme_names_the_test_command_ci_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    for cmd in [
        "cargo test --locked",
        "cargo clippy --locked --all-targets -- -D warnings",
        "cargo fmt --all -- --check",
    ] {
        assert!(
            readme.contains(cmd) && ci.contains(cmd),
            "{cmd} must be in README.md and .ci/run"
        );
    }
}
