//! Source resolution: URL's registrable domain (public-suffix aware), site name, crawler hint.

use crate::normalize::Article;
use serde::{Deserialize, Serialize};

/// What kind of outlet a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// News agency selling copy to other outlets.
    WireAgency,
    /// Newspaper (print or its website).
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
    /// Stable id (registrable domain, or `unknown`).
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Homepage domain.
    pub domain: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country: Option<String>,
    /// Kind of outlet.
    pub kind: SourceKind,
    /// Wire services credited in the text.
    pub agencies: Vec<String>,
}

/// Resolves sources. Cheap to share across threads.
#[derive(Debug, Clone, Default)]
pub struct SourceResolver;

impl SourceResolver {
    /// Resolve the source of an article from its URL, site name and the crawler's hint.
    pub fn resolve(&self, article: &Article, hint: Option<&str>) -> Source {
        let domain = article
            .url
            .as_deref()
            .or(article.canonical_url.as_deref())
            .and_then(registrable_domain);
        let name = article
            .site_name
            .clone()
            .or_else(|| hint.map(str::to_string));
        Source {
            id: domain.clone().unwrap_or_else(|| "unknown".into()),
            name,
            domain,
            country: None,
            kind: SourceKind::Unknown,
            agencies: article.agencies.clone(),
        }
    }
}

/// The registrable domain (eTLD+1) of a URL, e.g. `bbc.co.uk` for `https://news.bbc.co.uk/x`.
pub fn registrable_domain(url: &str) -> Option<String> {
    let host = crate::normalize::url::host(url)?;
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

    #[test]
    fn registrable_domain_is_public_suffix_aware() {
        assert_eq!(
            registrable_domain("https://news.bbc.co.uk/world").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(
            registrable_domain("http://www.xinhuanet.com/english/").as_deref(),
            Some("xinhuanet.com")
        );
        assert_eq!(registrable_domain("not a url"), None);
    }
}
