//! Source resolution: who published a page. In order of trust: the URL's host against the
//! registry (longest registered domain, then the public-suffix-aware registrable domain), the
//! site name, the crawler's hint, and for pages without a URL the masthead, dateline and footer
//! lines of the page. Agencies come from the normalize stage when it found any, otherwise from
//! credit detection over the text and chrome lines.

use super::agencies::CreditDetector;
use super::masthead::MastheadMatcher;
use super::registry::{Publisher, Registry};
use crate::normalize::Article;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What kind of outlet a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// News agency selling copy to other outlets.
    WireAgency,
    /// Newspaper or magazine (print or its website).
    Newspaper,
    /// TV or radio broadcaster.
    Broadcaster,
    /// Online-only outlet.
    OnlineOutlet,
    /// Aggregator or content farm.
    Aggregator,
    /// Not known.
    Unknown,
}

/// The publisher of a page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Stable id: the registry id, else the registrable domain, else `unknown`.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Homepage domain.
    pub domain: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// Kind of outlet.
    pub kind: SourceKind,
    /// Wire services credited in the page.
    pub agencies: Vec<String>,
}

/// Id of sources nobody could name.
pub const UNKNOWN_SOURCE: &str = "unknown";

/// Resolves sources. Cheap to clone and share across threads.
#[derive(Debug, Clone)]
pub struct SourceResolver {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    registry: Registry,
    credits: CreditDetector,
    mastheads: MastheadMatcher,
}

impl Default for SourceResolver {
    fn default() -> Self {
        Self::new(Registry::builtin().unwrap_or_default())
    }
}

impl SourceResolver {
    /// A resolver over this registry.
    pub fn new(registry: Registry) -> Self {
        let credits = CreditDetector::new(&registry);
        let mastheads = MastheadMatcher::new(&registry);
        Self {
            inner: Arc::new(Inner {
                registry,
                credits,
                mastheads,
            }),
        }
    }

    /// The built-in registry, plus the user's publishers file when one is configured.
    pub fn from_config(cfg: &super::TagConfig) -> anyhow::Result<Self> {
        Ok(Self::new(Self::registry_from_config(cfg)?))
    }

    /// Load the registry [`SourceResolver::from_config`] would use, without building its
    /// matchers (which takes a few hundred million instructions): for validating settings.
    pub fn registry_from_config(cfg: &super::TagConfig) -> anyhow::Result<Registry> {
        let path = cfg.publishers_file.trim();
        if path.is_empty() {
            Registry::builtin()
        } else {
            Registry::with_overrides(std::path::Path::new(path))
        }
    }

    /// The registry in use.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Resolve the source of an article from its URL, site name, the crawler's hint and the
    /// page's chrome lines (see [`super::chrome_hints`]).
    pub fn resolve(&self, article: &Article, hint: Option<&str>, chrome: &[String]) -> Source {
        let reg = &self.inner.registry;
        let host = article
            .url
            .as_deref()
            .or(article.canonical_url.as_deref())
            .and_then(crate::normalize::url::host);
        let site_name = article
            .site_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let hint = hint.map(str::trim).filter(|s| !s.is_empty());

        let mut found: Option<usize> = host.as_deref().and_then(|h| reg.by_host(h));
        let domain = host.as_deref().and_then(registrable_domain_of_host);
        if found.is_none() {
            found = site_name.and_then(|n| reg.by_name(n));
        }
        if found.is_none()
            && let Some(h) = hint
        {
            found = reg.by_host(h).or_else(|| reg.by_name(h));
        }
        if found.is_none() && domain.is_none() {
            found = self
                .inner
                .mastheads
                .find(chrome, article.title.as_deref(), &article.text);
        }
        let agencies = self.agencies(article, chrome);
        match found.and_then(|i| reg.get(i)) {
            Some(p) => from_publisher(p, domain, agencies),
            None => Source {
                id: domain.clone().unwrap_or_else(|| UNKNOWN_SOURCE.into()),
                name: site_name.map(str::to_string),
                domain,
                country: None,
                kind: SourceKind::Unknown,
                agencies,
            },
        }
    }

    /// Agencies credited: the normalize stage's list (canonicalized) when present, else own
    /// detection over the article text and the chrome lines.
    fn agencies(&self, article: &Article, chrome: &[String]) -> Vec<String> {
        let credits = &self.inner.credits;
        let mut out: Vec<String> = Vec::new();
        for a in &article.agencies {
            let name = credits.canonical_name(a).unwrap_or(a.as_str()).to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
        if out.is_empty() {
            if let Some(t) = &article.title {
                credits.detect(t, &mut out);
            }
            credits.detect(&article.text, &mut out);
            for line in chrome {
                credits.detect(line, &mut out);
            }
        }
        out.truncate(16);
        out
    }
}

fn from_publisher(p: &Publisher, url_domain: Option<String>, agencies: Vec<String>) -> Source {
    Source {
        id: p.id.clone(),
        name: Some(p.name.clone()),
        domain: url_domain.or_else(|| p.domains.first().cloned()),
        country: p.country.clone(),
        kind: p.kind,
        agencies,
    }
}

/// The registrable domain (eTLD+1) of a URL, e.g. `bbc.co.uk` for `https://news.bbc.co.uk/x`.
pub fn registrable_domain(url: &str) -> Option<String> {
    registrable_domain_of_host(&crate::normalize::url::host(url)?)
}

/// The registrable domain of a host name (public-suffix aware); IP addresses stay as they are.
pub fn registrable_domain_of_host(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Some(host);
    }
    let domain = psl::domain(host.as_bytes())?;
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Quality;

    fn article(url: Option<&str>, site: Option<&str>, text: &str) -> Article {
        Article {
            text: text.into(),
            title: None,
            published_at: None,
            published_at_source: None,
            authors: vec![],
            agencies: vec![],
            site_name: site.map(str::to_string),
            url: url.map(str::to_string),
            canonical_url: None,
            language: None,
            word_count: 0,
            quality: Quality { is_article: true },
        }
    }

    #[test]
    fn registrable_domain_is_public_suffix_aware() {
        assert_eq!(
            registrable_domain("https://news.bbc.co.uk/world").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            registrable_domain("https://news.yahoo.co.jp/articles/1").as_deref(),
            Some("yahoo.co.jp")
        );
        assert_eq!(
            registrable_domain("http://www.xinhuanet.com/english/").as_deref(),
            Some("xinhuanet.com")
        );
        assert_eq!(registrable_domain("not a url"), None);
    }

    #[test]
    fn urls_resolve_through_the_registry() {
        let r = SourceResolver::default();
        let s = r.resolve(
            &article(Some("https://news.bbc.co.uk/world/x"), None, ""),
            None,
            &[],
        );
        assert_eq!((s.id.as_str(), s.kind), ("bbc", SourceKind::Broadcaster));
        assert_eq!(s.domain.as_deref(), Some("bbc.co.uk"));
        assert_eq!(s.country.as_deref(), Some("GB"));
        let s = r.resolve(
            &article(Some("https://news.yahoo.co.jp/a/1"), None, ""),
            None,
            &[],
        );
        assert_eq!(s.id, "yahoo-japan-news");
        let s = r.resolve(
            &article(
                Some("https://blog.example.co.uk/p"),
                Some("Example Blog"),
                "",
            ),
            None,
            &[],
        );
        assert_eq!(s.id, "example.co.uk");
        assert_eq!(s.name.as_deref(), Some("Example Blog"));
        assert_eq!(s.kind, SourceKind::Unknown);
        let s = r.resolve(&article(None, Some("The Guardian"), ""), None, &[]);
        assert_eq!(s.id, "guardian");
        let s = r.resolve(&article(None, None, "Some text."), Some("reuters.com"), &[]);
        assert_eq!(s.id, "reuters");
        let s = r.resolve(&article(None, None, "Some text."), None, &[]);
        assert_eq!(s.id, UNKNOWN_SOURCE);
    }

    #[test]
    fn normalize_agencies_are_preferred_and_canonicalized() {
        let r = SourceResolver::default();
        let mut a = article(None, None, "GAZA (AFP) - text");
        a.agencies = vec!["Associated Press".into(), "SD-Agencies".into()];
        let s = r.resolve(&a, None, &[]);
        assert_eq!(s.agencies, ["AP", "SD-Agencies"]);
    }
}
