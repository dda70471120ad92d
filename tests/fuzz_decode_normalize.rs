//! Property-based fuzzing (proptest) of the input decoder and the normalizer through their public
//! API only: arbitrary bytes, headers, envelopes with wrong types, and generated hostile HTML
//! (deep nesting, broken markup, odd entities, control characters). The property: no panic,
//! and every decode either yields a page or a rejection with a non-empty reason.
//! More cases: `PROPTEST_CASES=20000 cargo test --release --test fuzz_decode_normalize`.

use proptest::prelude::*;
use sift::decode::{DecodeConfig, decode};
use sift::message::{InputCoords, InputMessage};
use sift::normalize::{NormalizeConfig, Normalizer};

fn msg(payload: Vec<u8>, headers: Vec<(String, Option<Vec<u8>>)>) -> InputMessage {
    let mut m = InputMessage::from_payload(
        payload,
        InputCoords {
            topic: "fuzz".into(),
            partition: 0,
            offset: 0,
        },
    );
    m.headers = headers;
    m
}

/// Decode, and normalize whatever decodes: must not panic; rejections carry a reason.
fn run(m: &InputMessage) {
    let normalizer = Normalizer::new(NormalizeConfig::default());
    match decode(m, &DecodeConfig::default()) {
        Ok(page) => {
            let _ = normalizer.normalize(&page);
        }
        Err(rej) => assert!(!rej.message.is_empty(), "{:?} without a message", rej.kind),
    }
}

const TOKENS: &[&str] = &[
    "<html>",
    "</html>",
    "<head>",
    "</head>",
    "<body>",
    "</body>",
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<article>",
    "</article>",
    "<script>",
    "</script>",
    "<style>",
    "</style>",
    "<!--",
    "-->",
    "<title>",
    "</title>",
    "<h1>",
    "</h1>",
    "<a href='https://x.example/a?b=1'>",
    "</a>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<br/>",
    "<img src=x>",
    "<meta charset='koi8-r'>",
    "<meta property='article:published_time' content='2026-02-30T25:61:00Z'>",
    "<meta name='author' content=''>",
    "<link rel='canonical' href='::::'>",
    "<![CDATA[",
    "]]>",
    "<time datetime='yesterday'>",
    "&amp;",
    "&#x1F600;",
    "&#99999999;",
    "&#0;",
    "&nbsp;",
    "&",
    "<",
    ">",
    "\"",
    "'",
    "text ",
    "The minister said on Monday ",
    "日本語のテキスト ",
    "\u{0}",
    "\u{202e}",
    "\u{feff}",
    "\u{fffd}",
    "\r\n",
    "\t",
    "<svg><path d='M0'/></svg>",
    "<li>",
    "<ul>",
    "<noscript>",
    "<template>",
    "<iframe>",
    "<form>",
    "<p class='byline'>By ",
    "<span>",
];

fn html() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(TOKENS), 0..300),
        0usize..3000,
        ".{0,80}",
    )
        .prop_map(|(tokens, depth, noise)| {
            let mut s = String::new();
            s.push_str(&"<div>".repeat(depth));
            for t in tokens {
                s.push_str(t);
            }
            s.push_str(&noise);
            s.push_str(&"</div>".repeat(depth / 2));
            s
        })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: &[&str] = &[
    "id",
    "url",
    "fetched_at",
    "content_type",
    "body",
    "body_base64",
    "content_encoding",
    "headers",
    "source",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_and_headers_never_panic(
        payload in prop::collection::vec(any::<u8>(), 0..4096),
        headers in prop::collection::vec(
            (prop::sample::select(&["content-type", "id", "url", "fetched_at", "content-encoding", "x"][..]),
             prop::option::of(prop::collection::vec(any::<u8>(), 0..64))),
            0..8),
    ) {
        let headers = headers.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        run(&msg(payload, headers));
    }

    #[test]
    fn envelopes_with_arbitrary_field_values_never_panic(
        fields in prop::collection::vec((prop::sample::select(FIELDS), json_value()), 0..9),
    ) {
        let obj: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        run(&msg(serde_json::to_vec(&obj).unwrap(), Vec::new()));
    }

    #[test]
    fn hostile_html_never_panics_the_normalizer(
        body in html(),
        url in prop::option::of(prop::sample::select(&[
            "https://www.bbc.co.uk/news/x?utm_source=t", "not a url", "", "http://[::1", "https://例え.jp/パス"][..])),
        content_type in prop::sample::select(&["text/html", "text/html; charset=utf-8", "text/plain", "application/xhtml+xml"][..]),
    ) {
        let env = serde_json::json!({
            "id": "fuzz", "url": url, "content_type": content_type, "body": body,
            "fetched_at": "2026-11-20T10:00:00Z",
        });
        run(&msg(serde_json::to_vec(&env).unwrap(), Vec::new()));
    }

    #[test]
    fn raw_html_bytes_in_any_charset_never_panic(
        body in html(),
        charset in prop::sample::select(&["utf-8", "windows-1252", "shift_jis", "utf-16le", "koi8-r", "bogus"][..]),
        gzip in any::<bool>(),
    ) {
        let mut headers = vec![("content-type".to_string(), Some(format!("text/html; charset={charset}").into_bytes()))];
        let mut payload = body.into_bytes();
        if gzip {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&payload).unwrap();
            payload = e.finish().unwrap();
            headers.push(("content-encoding".to_string(), Some(b"gzip".to_vec())));
        }
        run(&msg(payload, headers));
    }
}

/// Pages too large for a tansu round trip, straight through decode + normalize: 100,000-deep
/// nesting and a million attributes on one element. Must finish, without a panic.
#[test]
fn hundred_thousand_deep_html_and_a_million_attributes_finish() {
    for (name, body) in [
        (
            "deep",
            format!(
                "<html><body>{}<p>deep text here</p>{}</body></html>",
                "<div>".repeat(100_000),
                "</div>".repeat(100_000)
            ),
        ),
        (
            "attributes",
            format!(
                "<html><body><p{}>many attributes</p></body></html>",
                (0..1_000_000).map(|k| format!(" a{k}")).collect::<String>()
            ),
        ),
    ] {
        let t = std::time::Instant::now();
        let env = serde_json::json!({"id": name, "content_type": "text/html", "body": body});
        run(&msg(serde_json::to_vec(&env).unwrap(), Vec::new()));
        eprintln!(
            "{name}: {} bytes in {:.2}s",
            body.len(),
            t.elapsed().as_secs_f64()
        );
    }
}
