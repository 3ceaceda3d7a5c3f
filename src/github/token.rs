//! The GitHub token: where it comes from, and a wrapper that never prints it.
//!
//! The secret only leaves [`Token`] through [`Token::expose`], which is called in exactly one
//! place (building the HTTP client). `Debug` and `Display` print `Token(***)`.

use crate::error::{Error, Result};
use std::process::{Command, Stdio};

/// A GitHub token whose `Debug`/`Display` are redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into())
    }

    /// The secret itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// `GITHUB_TOKEN`, then `GH_TOKEN`, then `gh auth token` (for `host` when it is not github.com).
pub fn resolve(host: Option<&str>) -> Result<Token> {
    resolve_with(|k| std::env::var(k).ok(), || gh_auth_token(host))
}

/// [`resolve`] with the environment and `gh` injected (tests).
pub fn resolve_with(
    env: impl Fn(&str) -> Option<String>,
    gh: impl FnOnce() -> Option<String>,
) -> Result<Token> {
    for key in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Some(v) = env(key).map(|v| v.trim().to_string())
            && !v.is_empty()
        {
            return Ok(Token(v));
        }
    }
    gh().map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(Token)
        .ok_or(Error::NoToken)
}

/// Ask the GitHub CLI for its token; `None` when gh is missing or not logged in.
fn gh_auth_token(host: Option<&str>) -> Option<String> {
    let mut cmd = Command::new("gh");
    cmd.args(["auth", "token"]);
    if let Some(h) = host.filter(|h| *h != "github.com" && *h != "api.github.com") {
        cmd.args(["--hostname", h]);
    }
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_and_display_are_redacted() {
        let t = Token::new("ghp_secret123");
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert_eq!(format!("{t}"), "***");
        assert!(!format!("{:?}", Some(&t)).contains("secret"));
    }

    #[test]
    fn token_sources_in_order_github_token_gh_token_gh_cli() {
        let env = |k: &str| match k {
            "GITHUB_TOKEN" => Some("a".to_string()),
            "GH_TOKEN" => Some("b".to_string()),
            _ => None,
        };
        assert_eq!(
            resolve_with(env, || Some("c".into())).unwrap().expose(),
            "a"
        );
        let env = |k: &str| (k == "GH_TOKEN").then(|| "b".to_string());
        assert_eq!(
            resolve_with(env, || Some("c".into())).unwrap().expose(),
            "b"
        );
        let t = resolve_with(|_| Some("  ".into()), || Some("c\n".into())).unwrap();
        assert_eq!(t.expose(), "c");
        assert!(matches!(
            resolve_with(|_| None, || None),
            Err(Error::NoToken)
        ));
    }
}
