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

/// `[github]`: limits of a GitHub sync (docs/safety.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GithubConfig {
    /// The longest wait GitHub may ask for (rate limits) before the sync stops and says when
    /// to resume: a duration such as "1h", "30m", "90s".
    pub max_wait: String,
    /// The largest response body accepted, in MiB.
    pub max_body_mb: u64,
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig {
            max_wait: "1h".into(),
            max_body_mb: 64,
        }
    }
}

impl GithubConfig {
    /// `max_wait` as a duration.
    pub fn max_wait(&self) -> std::result::Result<std::time::Duration, String> {
        parse_duration(&self.max_wait).ok_or_else(|| {
            format!(
                "github.max_wait {:?} is not a duration; use e.g. \"1h\", \"30m\" or \"90s\"",
                self.max_wait
            )
        })
    }

    /// `max_body_mb` in bytes.
    pub fn max_body_bytes(&self) -> usize {
        usize::try_from(self.max_body_mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
    }
}

/// `90s`, `30m`, `1h`, `2d` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num.parse().ok()?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(std::time::Duration::from_secs(secs))
}

/// The largest config or affiliations file read (a real one is a few KiB; `/dev/zero` is not
/// a config file).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Read a small text file: a regular file of at most [`MAX_FILE_BYTES`].
pub fn read_small_file(path: &Path) -> std::result::Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file (a directory, pipe or device)".into());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(|e| e.to_string())?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("it is larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    Ok(text)
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
    pub github: GithubConfig,
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
        let text = read_small_file(&path).map_err(|reason| Error::Config {
            path: path.clone(),
            reason,
        })?;
        let cfg = Config::parse(&text).map_err(|reason| Error::Config {
            path: path.clone(),
            reason,
        })?;
        Ok((cfg, Some(path)))
    }

    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Refuse values that would silently wreck the analysis: a pattern that matches every
    /// name (`bot_patterns = [""]` makes everyone a bot), an empty alias or domain, an
    /// invalid regular expression or duration.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let s = &self.settings;
        for (key, patterns) in [
            ("bot_patterns", &s.bot_patterns),
            ("internal_hosts", &s.internal_hosts),
        ] {
            for p in patterns {
                let re = regex::RegexBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| format!("{key} entry {p:?} is not a regular expression ({e})"))?;
                if re.is_match("") {
                    return Err(format!(
                        "{key} entry {p:?} matches every name, even an empty one; remove it or make it specific"
                    ));
                }
            }
        }
        for (key, list) in [
            ("internal_domains", &s.internal_domains),
            ("internal_orgs", &s.internal_orgs),
            ("offline_phrases", &s.offline_phrases),
            ("private_review_hosts", &self.private_review_hosts),
        ] {
            if list.iter().any(|v| v.trim().is_empty()) {
                return Err(format!(
                    "{key} holds an empty entry, which would match everything; remove it"
                ));
            }
        }
        if s.aliases.iter().flatten().any(|v| v.trim().is_empty()) {
            return Err("aliases holds an empty identity; remove it".into());
        }
        self.github.max_wait()?;
        if self.github.max_body_mb == 0 {
            return Err("github.max_body_mb must be at least 1".into());
        }
        Ok(())
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
    fn patterns_matching_everyone_and_empty_entries_are_refused() {
        for bad in [
            "bot_patterns = [\"\"]",
            "bot_patterns = [\".*\"]",
            "bot_patterns = [\"(\"]",
            "internal_hosts = [\"x?\"]",
            "internal_domains = [\" \"]",
            "aliases = [[\"a\", \"\"]]",
            "[github]\nmax_wait = \"soon\"",
            "[github]\nmax_body_mb = 0",
        ] {
            assert!(Config::parse(bad).is_err(), "{bad}");
        }
        assert!(Config::parse("bot_patterns = [\"^ci-\"]").is_ok());
    }

    #[test]
    fn durations_of_the_github_section() {
        assert_eq!(
            parse_duration("1h"),
            Some(std::time::Duration::from_secs(3600))
        );
        assert_eq!(
            parse_duration("90"),
            Some(std::time::Duration::from_secs(90))
        );
        assert_eq!(
            parse_duration("30m"),
            Some(std::time::Duration::from_secs(1800))
        );
        assert_eq!(parse_duration("1y"), None);
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
