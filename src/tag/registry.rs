//! The publisher registry: known outlets and wire agencies, from `data/publishers.toml` plus an
//! optional user file that adds or overrides entries (no rebuild needed).

use super::source::SourceKind;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The registry shipped with sift.
pub const BUILTIN_PUBLISHERS: &str = include_str!("../../data/publishers.toml");

/// One known publisher or wire agency.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publisher {
    /// Stable id used as `source.id`.
    pub id: String,
    /// Display name (for agencies, also the credit name).
    pub name: String,
    /// Kind of outlet.
    #[serde(default = "unknown_kind")]
    pub kind: SourceKind,
    /// ISO 3166-1 alpha-2 country.
    #[serde(default)]
    pub country: Option<String>,
    /// Homepage domains (a host matches when equal or a subdomain).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Other names and mastheads.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Credit tokens of wire agencies ("AP", "AFP").
    #[serde(default)]
    pub credits: Vec<String>,
    /// In a user file: remove the built-in entry with this id.
    #[serde(default)]
    pub disabled: bool,
}

fn unknown_kind() -> SourceKind {
    SourceKind::Unknown
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    publishers: Vec<Publisher>,
}

/// All known publishers with lookup tables by domain and by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: Vec<Publisher>,
    by_domain: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl Registry {
    /// The built-in registry.
    pub fn builtin() -> Result<Self> {
        Self::build(parse(BUILTIN_PUBLISHERS).context("built-in publisher registry")?)
    }

    /// The built-in registry with the entries of `path` added or overriding (by id).
    pub fn with_overrides(path: &Path) -> Result<Self> {
        let mut entries = parse(BUILTIN_PUBLISHERS).context("built-in publisher registry")?;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading publishers file {}", path.display()))?;
        let user = parse(&text).with_context(|| format!("publishers file {}", path.display()))?;
        for entry in user {
            entries.retain(|e| e.id != entry.id);
            if !entry.disabled {
                entries.push(entry);
            }
        }
        Self::build(entries)
    }

    /// Built from an explicit list (tests, benchmarks).
    pub fn build(entries: Vec<Publisher>) -> Result<Self> {
        let mut reg = Registry::default();
        for (i, e) in entries.iter().enumerate() {
            if e.id.trim().is_empty() || e.name.trim().is_empty() {
                anyhow::bail!("publisher entry {i} has an empty id or name");
            }
            if reg.entries.iter().any(|o| o.id == e.id) {
                anyhow::bail!("publisher id {:?} is listed twice", e.id);
            }
            let idx = reg.entries.len();
            for d in &e.domains {
                let d = d.trim().trim_start_matches("www.").to_ascii_lowercase();
                if !d.is_empty() {
                    reg.by_domain.entry(d).or_insert(idx);
                }
            }
            for n in std::iter::once(&e.name).chain(&e.aliases) {
                let key = name_key(n);
                if !key.is_empty() {
                    reg.by_name.entry(key).or_insert(idx);
                }
            }
            reg.entries.push(e.clone());
        }
        Ok(reg)
    }

    /// All entries.
    pub fn entries(&self) -> &[Publisher] {
        &self.entries
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry by index.
    pub fn get(&self, idx: usize) -> Option<&Publisher> {
        self.entries.get(idx)
    }

    /// The entry whose domain is the host or its longest registered parent domain
    /// (`news.yahoo.co.jp` before `yahoo.co.jp`).
    pub fn by_host(&self, host: &str) -> Option<usize> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let mut rest = host.as_str();
        loop {
            if let Some(&i) = self.by_domain.get(rest) {
                return Some(i);
            }
            let (_, parent) = rest.split_once('.')?;
            if !parent.contains('.') && !self.by_domain.contains_key(parent) {
                return None;
            }
            rest = parent;
        }
    }

    /// The entry with this exact name or alias (case and punctuation insensitive).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name_key(name)).copied()
    }
}

fn parse(text: &str) -> Result<Vec<Publisher>> {
    let file: RegistryFile = toml::from_str(text)?;
    Ok(file.publishers)
}

/// Lookup key for names: lowercase alphanumerics, single spaces (normalize's comparison key).
pub use crate::normalize::text_key as name_key;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_registry_is_large_and_covers_wire_agencies() {
        let reg = Registry::builtin().unwrap();
        assert!(reg.len() >= 200, "{}", reg.len());
        let agencies = reg
            .entries()
            .iter()
            .filter(|e| e.kind == SourceKind::WireAgency)
            .count();
        assert!(agencies >= 40, "{agencies}");
        for id in [
            "reuters",
            "ap",
            "afp",
            "xinhua",
            "tass",
            "ria",
            "interfax",
            "dpa",
            "efe",
            "ansa",
            "kyodo",
            "yonhap",
            "pti",
            "ani",
            "anadolu",
            "irna",
            "wam",
            "spa",
            "mena",
            "bernama",
            "antara",
            "pa-media",
            "canadian-press",
            "aap",
        ] {
            let e = reg.entries().iter().find(|e| e.id == id).unwrap();
            assert_eq!(e.kind, SourceKind::WireAgency, "{id}");
        }
        for e in reg.entries() {
            let c = e.country.as_deref().unwrap_or("");
            assert!(
                c.len() == 2 && c.chars().all(|c| c.is_ascii_uppercase()),
                "{}",
                e.id
            );
        }
    }

    #[test]
    fn hosts_match_the_longest_registered_domain() {
        let reg = Registry::builtin().unwrap();
        let id = |h: &str| reg.by_host(h).map(|i| reg.entries()[i].id.clone());
        assert_eq!(id("news.yahoo.co.jp").as_deref(), Some("yahoo-japan-news"));
        assert_eq!(id("headlines.yahoo.co.jp").as_deref(), Some("yahoo-japan"));
        assert_eq!(id("www.bbc.co.uk").as_deref(), Some("bbc"));
        assert_eq!(id("edition.cnn.com").as_deref(), Some("cnn"));
        assert_eq!(id("example.co.uk"), None);
        assert_eq!(id("co.uk"), None);
    }

    #[test]
    fn user_file_adds_overrides_and_disables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(
            &path,
            r#"publishers = [
  { id = "bbc", name = "British Broadcasting Corporation", kind = "broadcaster", country = "GB", domains = ["bbc.co.uk"] },
  { id = "my-local", name = "Springfield Shopper", kind = "newspaper", country = "US", domains = ["shopper.example"], aliases = ["The Shopper"] },
  { id = "cnn", name = "CNN", disabled = true },
]"#,
        )
        .unwrap();
        let reg = Registry::with_overrides(&path).unwrap();
        let base = Registry::builtin().unwrap();
        assert_eq!(reg.len(), base.len());
        let bbc = reg.get(reg.by_host("www.bbc.co.uk").unwrap()).unwrap();
        assert_eq!(bbc.name, "British Broadcasting Corporation");
        assert_eq!(reg.by_host("bbc.com"), None);
        let mine = reg.get(reg.by_name("the shopper").unwrap()).unwrap();
        assert_eq!(mine.id, "my-local");
        assert_eq!(reg.by_host("edition.cnn.com"), None);

        std::fs::write(&path, "publishers = [ { id = \"x\" } ]").unwrap();
        assert!(Registry::with_overrides(&path).is_err());
        assert!(Registry::with_overrides(&dir.path().join("missing.toml")).is_err());
    }
}
