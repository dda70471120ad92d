//! URL canonicalization: lowercase scheme and host, no default port, no fragment, no tracking
//! parameters.

use url::Url;

/// Query parameters that only track clicks and never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "ref_src",
    "cmpid",
    "ocid",
    "smid",
    "spm",
    "mkt_tok",
    "__twitter_impression",
];

/// True for a query parameter that only tracks clicks (`utm_*` and the list above); `key` is
/// compared case-insensitively.
pub fn is_tracking_param(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || TRACKING_PARAMS.contains(&k.as_str())
}

/// Resolve a possibly relative `href` against the page URL.
pub fn resolve(base: Option<&str>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    match Url::parse(href) {
        Ok(u) => Some(u.to_string()),
        Err(_) => {
            let base = Url::parse(base?).ok()?;
            base.join(href).ok().map(|u| u.to_string())
        }
    }
}

/// Normalize a URL; `None` when it is not an absolute http(s) URL.
pub fn normalize_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return None;
    }
    url.set_fragment(None);
    // `url` already lowercases scheme and host and drops default ports.
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Some(url.to_string())
}

/// The host of a URL, lowercased, without a leading `www.`.
pub fn host(raw: &str) -> Option<String> {
    let url = Url::parse(raw.trim()).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tracking_fragment_port_and_case() {
        assert_eq!(
            normalize_url("HTTPS://WWW.Example.COM:443/a/b?utm_source=x&id=3&fbclid=y#top")
                .as_deref(),
            Some("https://www.example.com/a/b?id=3")
        );
        assert_eq!(
            normalize_url("http://example.com:80/?utm_medium=a").as_deref(),
            Some("http://example.com/")
        );
        assert_eq!(normalize_url("ftp://example.com/x"), None);
        assert_eq!(normalize_url("not a url"), None);
    }

    #[test]
    fn resolves_relative_canonical() {
        assert_eq!(
            resolve(Some("https://ex.com/news/a.html"), "/news/b").as_deref(),
            Some("https://ex.com/news/b")
        );
        assert_eq!(resolve(None, "/news/b"), None);
    }

    #[test]
    fn host_drops_www() {
        assert_eq!(
            host("https://www.Reuters.com/world").as_deref(),
            Some("reuters.com")
        );
    }
}
