//! Configuration: embedded documented defaults (`assets/default-config.toml`) plus the user's
//! file, which holds only the keys it changes.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The embedded defaults, printed by `contrail config --defaults`.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/default-config.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ladder {
    pub regular_min_merged: u32,
    pub regular_min_months: u32,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            regular_min_merged: 3,
            regular_min_months: 2,
        }
    }
}

/// Everything analysis depends on. Recorded in the database at sync time (key `analysis`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub internal_domains: Vec<String>,
    pub internal_orgs: Vec<String>,
    pub bot_patterns: Vec<String>,
    pub aliases: Vec<Vec<String>>,
    pub inactive_days: u32,
    pub slow_response_days: u32,
    pub instant_merge_minutes: u32,
    pub internal_hosts: Vec<String>,
    pub offline_phrases: Vec<String>,
    pub ladder: Ladder,
    /// Inferred organisation domains the user rejected (docs/configuration.md).
    pub rejected_domains: Vec<String>,
    /// Suggested merges the user rejected: each a list of person ids.
    pub rejected_merges: Vec<Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            internal_domains: Vec::new(),
            internal_orgs: Vec::new(),
            bot_patterns: Vec::new(),
            aliases: Vec::new(),
            inactive_days: 180,
            slow_response_days: 14,
            instant_merge_minutes: 10,
            internal_hosts: Vec::new(),
            offline_phrases: Vec::new(),
            ladder: Ladder::default(),
            rejected_domains: Vec::new(),
            rejected_merges: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TuiConfig {
    pub theme: String,
    /// action name → key (e.g. "quit" → "Q").
    pub keys: BTreeMap<String, String>,
}

impl Default for TuiConfig {
    fn default() -> Self {
        TuiConfig {
            theme: "default".into(),
            keys: BTreeMap::new(),
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    #[serde(flatten)]
    pub settings: Settings,
    /// Path of the gitdm-style affiliations file ("" = none), relative to the config file.
    pub affiliations_file: String,
    /// Review hosts (or `.suffix`es) outsiders cannot reach, on top of the built-in rules.
    pub private_review_hosts: Vec<String>,
    pub tui: TuiConfig,
}

impl Config {
    /// The platform's config file path (`~/.config/contrail/config.toml` on Linux).
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("dev", "contrail", "contrail")
            .map(|d| d.config_dir().join("config.toml"))
    }

    /// Load `explicit` (must exist), else the default path if it exists, else the defaults.
    /// Returns the config and the file it came from.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => Config::default_path().filter(|p| p.exists()),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let cfg = Config::parse(&text).map_err(|reason| Error::Config {
            path: path.clone(),
            reason,
        })?;
        Ok((cfg, Some(path)))
    }

    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    /// Git import options from this configuration.
    pub fn git_import_options(&self) -> crate::git::ImportOptions {
        crate::git::ImportOptions {
            private_hosts: crate::git::PrivateHosts(self.private_review_hosts.clone()),
            ..crate::git::ImportOptions::default()
        }
    }

    /// The affiliations file path resolved against the config file's directory.
    pub fn affiliations_path(&self, config_file: Option<&Path>) -> Option<PathBuf> {
        if self.affiliations_file.is_empty() {
            return None;
        }
        let p = PathBuf::from(&self.affiliations_file);
        if p.is_absolute() {
            return Some(p);
        }
        Some(match config_file.and_then(Path::parent) {
            Some(dir) => dir.join(p),
            None => p,
        })
    }
}

/// A change the TUI makes to the user's config file (docs/configuration.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigEdit {
    /// Confirm inferred organisation domains: added to `internal_domains`.
    ConfirmDomains(Vec<String>),
    /// Reject inferred domains: added to `rejected_domains`.
    RejectDomains(Vec<String>),
    /// Accept a suggested merge: one more `aliases` entry (logins and emails).
    Alias(Vec<String>),
    /// Reject a suggested merge: one more `rejected_merges` entry (person ids).
    RejectMerge(Vec<String>),
}

impl ConfigEdit {
    /// What the edit did, for the status bar.
    pub fn describe(&self) -> String {
        match self {
            ConfigEdit::ConfirmDomains(d) => {
                format!("confirmed {} as the organisation", d.join(", "))
            }
            ConfigEdit::RejectDomains(d) => {
                format!("rejected {} as the organisation", d.join(", "))
            }
            ConfigEdit::Alias(a) => format!("merged {}", a.join(" = ")),
            ConfigEdit::RejectMerge(ids) => format!("kept {} apart", ids.join(" and ")),
        }
    }
}

/// Apply `edit` to the config file at `path` (created, with its directory, when missing),
/// keeping every other key and comment; the file is replaced atomically. The result must
/// still parse as a config.
pub fn apply_edit(path: &Path, edit: &ConfigEdit) -> Result<()> {
    let err = |reason: String| Error::Config {
        path: path.to_path_buf(),
        reason,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(err(e.to_string())),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| err(e.message().to_string()))?;
    let (key, values, nested) = match edit {
        ConfigEdit::ConfirmDomains(v) => ("internal_domains", v, false),
        ConfigEdit::RejectDomains(v) => ("rejected_domains", v, false),
        ConfigEdit::Alias(v) => ("aliases", v, true),
        ConfigEdit::RejectMerge(v) => ("rejected_merges", v, true),
    };
    let item = doc
        .entry(key)
        .or_insert(toml_edit::value(toml_edit::Array::new()));
    let array = item
        .as_array_mut()
        .ok_or_else(|| err(format!("`{key}` is not a list")))?;
    if nested {
        let mut inner = toml_edit::Array::new();
        for v in values {
            inner.push(v.as_str());
        }
        array.push(inner);
    } else {
        for v in values {
            if !array.iter().any(|x| x.as_str() == Some(v.as_str())) {
                array.push(v.as_str());
            }
        }
    }
    let out = doc.to_string();
    Config::parse(&out).map_err(err)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, out).map_err(|e| err(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_parse_to_the_default_struct() {
        assert_eq!(Config::parse(DEFAULT_CONFIG).unwrap(), Config::default());
    }

    #[test]
    fn a_user_file_holds_only_what_it_changes() {
        let c = Config::parse("inactive_days = 90\n[ladder]\nregular_min_merged = 5\n").unwrap();
        assert_eq!(c.settings.inactive_days, 90);
        assert_eq!(c.settings.ladder.regular_min_merged, 5);
        assert_eq!(c.settings.ladder.regular_min_months, 2);
        assert_eq!(c.settings.slow_response_days, 14);
    }

    #[test]
    fn edits_keep_the_users_comments_and_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        apply_edit(
            &path,
            &ConfigEdit::ConfirmDomains(vec!["corp.example".into()]),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            Config::parse(&text).unwrap().settings.internal_domains,
            ["corp.example"]
        );
        std::fs::write(&path, "# mine\ninactive_days = 90 # keep\n").unwrap();
        apply_edit(&path, &ConfigEdit::RejectDomains(vec!["x.example".into()])).unwrap();
        apply_edit(&path, &ConfigEdit::RejectDomains(vec!["x.example".into()])).unwrap();
        apply_edit(
            &path,
            &ConfigEdit::Alias(vec!["a@x.org".into(), "a@y.org".into()]),
        )
        .unwrap();
        apply_edit(
            &path,
            &ConfigEdit::RejectMerge(vec!["email:b@x.org".into(), "email:b@y.org".into()]),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# mine") && text.contains("# keep"), "{text}");
        let c = Config::parse(&text).unwrap().settings;
        assert_eq!(c.inactive_days, 90);
        assert_eq!(c.rejected_domains, ["x.example"]);
        assert_eq!(
            c.aliases,
            vec![vec!["a@x.org".to_string(), "a@y.org".to_string()]]
        );
        assert_eq!(c.rejected_merges.len(), 1);
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let err = Config::parse("inactive_dayz = 3").unwrap_err();
        assert!(err.contains("inactive_dayz"), "{err}");
    }
}
