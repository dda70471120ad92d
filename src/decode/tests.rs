use super::*;
use crate::message::{InputCoords, InputMessage};
use base64::Engine;
use std::io::Write;

fn coords() -> InputCoords {
    InputCoords {
        topic: "pages.raw".into(),
        partition: 0,
        offset: 7,
    }
}

fn msg(payload: &[u8]) -> InputMessage {
    InputMessage::from_payload(payload.to_vec(), coords())
}

fn cfg() -> DecodeConfig {
    DecodeConfig::default()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn json_envelope_with_text_body() {
    let page = decode(
        &msg(br#"{"id":"a1","url":"https://x.com/a","fetched_at":"2015-12-16T03:10:00Z","content_type":"text/plain","body":"Hello world"}"#),
        &cfg(),
    )
    .unwrap();
    assert_eq!(page.id, "a1");
    assert_eq!(page.kind, BodyKind::Text);
    assert_eq!(page.body, "Hello world");
    assert_eq!(
        page.fetched_at.unwrap().to_rfc3339(),
        "2015-12-16T03:10:00+00:00"
    );
}

#[test]
fn fetched_at_without_offset_is_utc_and_garbage_is_rejected() {
    for (raw, want) in [
        (
            "2026-01-03T12:15:11.299007",
            "2026-01-03T12:15:11.299007+00:00",
        ),
        ("2026-01-03 12:15:11", "2026-01-03T12:15:11+00:00"),
        ("Tue, 15 Dec 2015 14:05:00 GMT", "2015-12-15T14:05:00+00:00"),
        ("2015-12-15T14:05:00+08:00", "2015-12-15T06:05:00+00:00"),
    ] {
        let payload = format!(r#"{{"body":"x","fetched_at":"{raw}"}}"#);
        let page = decode(&msg(payload.as_bytes()), &cfg()).unwrap();
        assert_eq!(page.fetched_at.unwrap().to_rfc3339(), want, "{raw}");
    }
    let err = decode(&msg(br#"{"body":"x","fetched_at":"last tuesday"}"#), &cfg()).unwrap_err();
    assert_eq!(err.kind, RejectKind::InvalidEnvelope);
}

#[test]
fn missing_fetched_at_falls_back_to_message_timestamp() {
    let mut m = msg(br#"{"body":"<html><p>x</p></html>"}"#);
    m.timestamp_ms = Some(1_450_000_000_000);
    let page = decode(&m, &cfg()).unwrap();
    assert_eq!(
        page.fetched_at.unwrap().timestamp_millis(),
        1_450_000_000_000
    );
    assert_eq!(page.kind, BodyKind::Html);
    assert!(page.id.starts_with("p-"));
}

#[test]
fn derived_id_is_stable_and_content_sensitive() {
    let a = decode(&msg(br#"{"url":"u","body":"same"}"#), &cfg()).unwrap();
    let b = decode(&msg(br#"{"url":"u","body":"same"}"#), &cfg()).unwrap();
    let c = decode(&msg(br#"{"url":"u","body":"other"}"#), &cfg()).unwrap();
    assert_eq!(a.id, b.id);
    assert_ne!(a.id, c.id);
}

#[test]
fn base64_latin1_html_uses_meta_charset() {
    let html =
        b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>caf\xe9</p></body></html>";
    let payload = format!(
        r#"{{"content_type":"text/html","body_base64":"{}"}}"#,
        b64(html)
    );
    let page = decode(&msg(payload.as_bytes()), &cfg()).unwrap();
    assert!(page.body.contains("café"), "{}", page.body);
    assert_eq!(page.charset, "windows-1252");
}

#[test]
fn declared_charset_wins_over_guess() {
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("<p>日本語のニュース記事です</p>");
    let payload = format!(
        r#"{{"content_type":"text/html; charset=Shift_JIS","body_base64":"{}"}}"#,
        b64(&bytes)
    );
    let page = decode(&msg(payload.as_bytes()), &cfg()).unwrap();
    assert!(page.body.contains("日本語のニュース記事です"));
}

#[test]
fn gzip_body_is_inflated() {
    let payload = format!(
        r#"{{"content_type":"text/plain","content_encoding":"gzip","body_base64":"{}"}}"#,
        b64(&gzip(b"compressed text"))
    );
    assert_eq!(
        decode(&msg(payload.as_bytes()), &cfg()).unwrap().body,
        "compressed text"
    );
}

#[test]
fn gzip_bomb_is_rejected_not_inflated() {
    let bomb = gzip(&vec![b'a'; 50 * 1024 * 1024]);
    assert!(bomb.len() < 100 * 1024);
    let payload = format!(
        r#"{{"content_encoding":"gzip","body_base64":"{}"}}"#,
        b64(&bomb)
    );
    let err = decode(&msg(payload.as_bytes()), &cfg()).unwrap_err();
    assert_eq!(err.kind, RejectKind::BodyTooLarge);
}

#[test]
fn oversize_body_is_rejected() {
    let small = DecodeConfig {
        max_body_bytes: 10,
        ..cfg()
    };
    let err = decode(
        &msg(br#"{"body":"this body is longer than ten bytes"}"#),
        &small,
    )
    .unwrap_err();
    assert_eq!(err.kind, RejectKind::BodyTooLarge);
}

#[test]
fn bad_inputs_are_rejected_with_their_kind() {
    let cases: &[(&[u8], RejectKind)] = &[
        (b"{not json", RejectKind::InvalidJson),
        (b"{\"body\": \"a\xff\"}", RejectKind::InvalidUtf8),
        (br#"{"body": 42}"#, RejectKind::InvalidEnvelope),
        (
            br#"{"body": "x", "fetched_at": "yesterday"}"#,
            RejectKind::InvalidEnvelope,
        ),
        (br#"{"body_base64": "!!!"}"#, RejectKind::InvalidBase64),
        (br#"{"body": "   "}"#, RejectKind::EmptyBody),
        (br#"{"url": "u"}"#, RejectKind::EmptyBody),
        (
            br#"{"body": "x", "body_base64": "eA=="}"#,
            RejectKind::InvalidEnvelope,
        ),
        (
            br#"{"body_base64": "eA==", "content_encoding": "br"}"#,
            RejectKind::UnsupportedEncoding,
        ),
        (
            br#"{"body_base64": "eA==", "content_encoding": "gzip"}"#,
            RejectKind::InvalidEncoding,
        ),
        (
            br#"{"body": "x", "content_type": "application/pdf"}"#,
            RejectKind::UnsupportedContentType,
        ),
        (b"", RejectKind::EmptyBody),
    ];
    for (payload, kind) in cases {
        let err = decode(&msg(payload), &cfg()).unwrap_err();
        assert_eq!(
            err.kind,
            *kind,
            "payload {:?}: {}",
            String::from_utf8_lossy(payload),
            err.message
        );
        assert!(!err.message.is_empty());
    }
}

#[test]
fn raw_payload_with_metadata_in_headers() {
    let mut m = msg(b"<html><title>T</title><p>raw</p></html>");
    m.headers = vec![
        (
            "content-type".into(),
            Some(b"text/html; charset=utf-8".to_vec()),
        ),
        ("id".into(), Some(b"raw-1".to_vec())),
        ("url".into(), Some(b"https://example.com/x".to_vec())),
        ("x-crawler".into(), Some(b"c1".to_vec())),
    ];
    let page = decode(&m, &cfg()).unwrap();
    assert_eq!(page.id, "raw-1");
    assert_eq!(page.url.as_deref(), Some("https://example.com/x"));
    assert_eq!(page.kind, BodyKind::Html);
    assert_eq!(
        page.headers.get("x-crawler").map(String::as_str),
        Some("c1")
    );
}

#[test]
fn raw_payload_without_headers_is_sniffed() {
    let page = decode(&msg(b"Plain text page\n\nSecond paragraph."), &cfg()).unwrap();
    assert_eq!(page.kind, BodyKind::Text);
}

#[test]
fn non_utf8_header_metadata_is_rejected() {
    let mut m = msg(b"text");
    m.headers = vec![("url".into(), Some(vec![0xff, 0xfe]))];
    assert_eq!(
        decode(&m, &cfg()).unwrap_err().kind,
        RejectKind::InvalidUtf8
    );
}

#[test]
fn naive_fetched_at_is_taken_as_utc() {
    let page = decode(
        &msg(br#"{"fetched_at":"2026-01-03T12:15:11.299007","content_type":"text/html","body":"<p>x</p>"}"#),
        &cfg(),
    )
    .unwrap();
    assert_eq!(
        page.fetched_at.unwrap().to_rfc3339(),
        "2026-01-03T12:15:11.299007+00:00"
    );
}

#[test]
fn binary_junk_and_huge_header_maps_are_rejected() {
    let coords = crate::message::InputCoords {
        topic: "t".into(),
        partition: 0,
        offset: 0,
    };
    let cfg = DecodeConfig::default();
    let mut x = 0x1234_5678_9abc_def0u64;
    let junk: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let msg = InputMessage::from_payload(junk, coords.clone());
    let err = decode(&msg, &cfg).unwrap_err();
    assert_eq!(err.kind, RejectKind::UnsupportedContentType, "{err:?}");
    let headers: serde_json::Map<String, serde_json::Value> = (0..5000)
        .map(|i| (format!("h{i}"), serde_json::Value::from("v")))
        .collect();
    let env = serde_json::json!({"body": "some text here", "headers": headers});
    let msg = InputMessage::from_payload(serde_json::to_vec(&env).unwrap(), coords.clone());
    assert_eq!(
        decode(&msg, &cfg).unwrap_err().kind,
        RejectKind::InvalidEnvelope
    );
    let mut msg = InputMessage::from_payload(b"plain text page body".to_vec(), coords);
    msg.headers = (0..2000)
        .map(|i| (format!("h{i}"), Some(b"v".to_vec())))
        .collect();
    assert_eq!(
        decode(&msg, &cfg).unwrap_err().kind,
        RejectKind::InvalidEnvelope
    );
    // Ordinary text with a few odd characters stays text.
    let ok = InputMessage::from_payload(
        "Caf\u{e9} \u{1} prices rose by 3% on Monday, officials said."
            .as_bytes()
            .to_vec(),
        crate::message::InputCoords {
            topic: "t".into(),
            partition: 0,
            offset: 1,
        },
    );
    assert!(decode(&ok, &cfg).is_ok());
}

#[test]
fn double_encoded_utf8_is_repaired() {
    // "Investor’s" encoded as UTF-8, read as Latin-1, written out as UTF-8 again.
    let broken = "<title>A DIY Investor\u{e2}\u{80}\u{99}s Guide</title>";
    assert_eq!(
        super::charset::repair_mojibake(broken).as_deref(),
        Some("<title>A DIY Investor\u{2019}s Guide</title>")
    );
    // Real text (no C1 controls, or characters beyond Latin-1) is left alone.
    assert_eq!(super::charset::repair_mojibake("Café ’ naïve"), None);
    assert_eq!(super::charset::repair_mojibake("x\u{85} \u{2019}"), None);
    let env = serde_json::json!({"body": broken, "content_type": "text/html"});
    let msg = InputMessage::from_payload(
        serde_json::to_vec(&env).unwrap(),
        crate::message::InputCoords {
            topic: "t".into(),
            partition: 0,
            offset: 1,
        },
    );
    let page = decode(&msg, &DecodeConfig::default()).unwrap();
    assert!(page.body.contains("Investor\u{2019}s"));
}

#[test]
fn binary_share_matches_the_char_by_char_count() {
    fn reference(body: &str) -> Option<f64> {
        let (mut n, mut bad) = (0usize, 0usize);
        for c in body.chars().take(64 * 1024) {
            n += 1;
            if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) {
                bad += 1;
            }
        }
        let share = 100.0 * bad as f64 / n.max(1) as f64;
        (share > 5.0).then_some(share)
    }
    let long = format!("{}\u{1}\u{85}", "é\u{fffd}x\u{7}".repeat(20_000));
    // Long ASCII runs (the eight-byte path) with bad bytes at every offset mod 8 and around
    // the 64 Ki limit.
    let mut ascii: Vec<u8> = b"The quick brown fox jumps. ".repeat(2_600);
    for (k, pos) in [
        3usize, 17, 40, 41, 42, 43, 44, 45, 46, 47, 65_530, 65_535, 65_536, 65_540,
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(b) = ascii.get_mut(pos) {
            *b = [0x01, 0x7f, 0x1f, 0x00, b'\n', 0x0c, 0x1b][k % 7];
        }
    }
    let ascii = String::from_utf8(ascii).unwrap();
    let dense = "ab\u{1}cdefgh\u{7f}ijklmnop\u{8}".repeat(3_000);
    let mixed = "abcdefgh深圳abcdefg\u{fffd}abcdefgh\u{2}".repeat(2_000);
    // Just over 5 %, past the 64 Ki limit: the share must be exact.
    let sparse = "abcdefghijklmnopq\u{1}".repeat(5_000);
    let sparse_shifted = format!("xyz{sparse}");
    assert!(binary_share(&sparse).is_some());
    for body in [
        ascii.as_str(),
        dense.as_str(),
        mixed.as_str(),
        sparse.as_str(),
        sparse_shifted.as_str(),
        "",
        "plain text\twith\ttabs\r\n",
        "\u{0}\u{1}\u{2} abc \u{7f}\u{80}\u{9f}\u{a0}",
        "\u{fffd}\u{fffd} 深圳 \u{c}\u{b}",
        long.as_str(),
    ] {
        assert_eq!(binary_share(body), reference(body), "{body:?}");
    }
    // Random mixes of good and bad chars of every UTF-8 length, at every alignment.
    const PIECES: &[&str] = &[
        "a",
        "Z",
        " ",
        "\n",
        "\t",
        "\r",
        "\u{c}",
        "\u{b}",
        "\u{1}",
        "\u{7f}",
        "\u{80}",
        "\u{9f}",
        "\u{a0}",
        "é",
        "’",
        "深",
        "\u{fffd}",
        "\u{fffe}",
        "\u{10000}",
        "Investor’s ",
        "abcdefgh",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..5_000 {
        let mut body = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 60) as usize;
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            body.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        assert_eq!(binary_share(&body), reference(&body), "{body:?}");
    }
    // NBSP-heavy text (the eight-byte path takes chunks holding C2 A0) with C1 controls,
    // U+FFFD and BOMs at every alignment, and across the 64 Ki limit.
    for pad in 0..9 {
        let nbsp = format!(
            "{}{}",
            "x".repeat(pad),
            "Kerry\u{a0}\u{a0}said \u{201c}yes\u{201d}\u{a0}深圳\u{85}ab\u{a0}\u{fffd}\u{feff}c\u{9f}\u{a0}".repeat(4_000)
        );
        assert_eq!(binary_share(&nbsp), reference(&nbsp), "{pad}");
        let clean = format!(
            "{}{}",
            "y".repeat(pad),
            "a\u{a0}b\u{a0}\u{a0}cd’é\n".repeat(9_000)
        );
        assert_eq!(binary_share(&clean), reference(&clean), "{pad}");
        let c1 = format!(
            "{}{}",
            "z".repeat(pad),
            "abc\u{a0}\u{80}\u{a0}defg".repeat(9_000)
        );
        assert_eq!(binary_share(&c1), reference(&c1), "{pad}");
    }
    // The 64 Ki char limit falls inside runs of multi-byte chars.
    for pad in 0..9 {
        let body = format!(
            "{}{}{}",
            "x".repeat(pad),
            "深é\u{1}".repeat(30_000),
            "\u{1}".repeat(9)
        );
        assert_eq!(binary_share(&body), reference(&body), "{pad}");
    }
}
