//! Hostile input through a real broker: a generated corpus of more than 10,000 bad messages of
//! every kind the issue lists, produced to tansu and consumed by a `sift run` process. Every
//! invalid message must land on `pages.rejected` with the expected reason; well-formed but
//! hostile pages (100k-deep HTML, a million attributes) must be accounted for without a crash;
//! the worker's peak RSS must stay bounded.

mod common;

use common::*;
use rdkafka::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

/// One generated message: payload, Kafka headers, what it is and the reasons it may get
/// (empty = a well-formed hostile page that may also be accepted).
struct Hostile {
    payload: Vec<u8>,
    headers: Vec<(String, Vec<u8>)>,
    family: &'static str,
    reasons: &'static [&'static str],
}

struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 32) as u8).collect()
    }
}

fn h(payload: Vec<u8>, family: &'static str, reasons: &'static [&'static str]) -> Hostile {
    Hostile {
        payload,
        headers: Vec::new(),
        family,
        reasons,
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The corpus. `scale` multiplies the counts of the cheap families (1 = CI, > 10,000 messages).
fn corpus(scale: usize) -> Vec<Hostile> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut g = Gen(0x5EED_1234_ABCD_0001);
    let mut out = Vec::new();
    let valid = serde_json::to_vec(&serde_json::json!({
        "id": "v", "url": "https://example.com/a", "content_type": "text/html",
        "body": "<html><body><p>Hello world, a valid page.</p></body></html>"
    }))
    .unwrap();
    for i in 0..2500 * scale {
        // Truncated envelopes and '{' followed by junk text.
        let cut = 1 + i % (valid.len() - 2);
        out.push(h(valid[..cut].to_vec(), "invalid_json", &["invalid_json"]));
    }
    for i in 0..2000 * scale {
        let mut p = br#"{"id": "u", "body": "text "#.to_vec();
        p.extend(g.bytes(8 + i % 32).into_iter().map(|b| b | 0x80));
        p.extend(br#""}"#);
        out.push(h(p, "invalid_utf8", &["invalid_utf8", "invalid_json"]));
    }
    let wrong: [&str; 10] = [
        r#"{"body": 12}"#,
        r#"{"body": ["a"]}"#,
        r#"{"body": {"x": 1}}"#,
        r#"{"body": true}"#,
        r#"{"id": 5, "body": "x"}"#,
        r#"{"url": ["u"], "body": "x"}"#,
        r#"{"fetched_at": 17, "body": "x"}"#,
        r#"{"headers": "h", "body": "x"}"#,
        r#"{"content_type": 3, "body": "x"}"#,
        r#"{"body": "x", "fetched_at": "yesterday"}"#,
    ];
    for i in 0..2000 * scale {
        out.push(h(
            wrong[i % wrong.len()].as_bytes().to_vec(),
            "wrong_types",
            &["invalid_envelope"],
        ));
    }
    let empty: [(&str, &[&str]); 6] = [
        ("", &["empty_body"]),
        ("   \n", &["empty_body"]),
        ("{}", &["empty_body"]),
        (r#"{"body": ""}"#, &["empty_body"]),
        (r#"{"body": "   \n\t "}"#, &["empty_body"]),
        (r#"{"body_base64": ""}"#, &["empty_body"]),
    ];
    for i in 0..1000 * scale {
        let (p, r) = empty[i % empty.len()];
        out.push(h(p.as_bytes().to_vec(), "empty", r));
    }
    for i in 0..1500 * scale {
        // Binary junk: raw payloads (no JSON object), some with a text content-type header.
        let mut m = h(
            g.bytes(64 + i % 4000),
            "binary_junk",
            &["unsupported_content_type", "invalid_utf8", "empty_body"],
        );
        if i % 3 == 0 {
            m.headers
                .push(("content-type".into(), b"text/plain".to_vec()));
        }
        out.push(m);
    }
    for i in 0..20 * scale {
        // 100,000-deep JSON nesting (arrays and objects).
        let depth = 100_000;
        let p = if i % 2 == 0 {
            let mut s = String::from(r#"{"body": "#);
            s.push_str(&"[".repeat(depth));
            s.push_str(&"]".repeat(depth));
            s.push('}');
            s
        } else {
            let mut s = String::new();
            for _ in 0..depth {
                s.push_str(r#"{"a":"#);
            }
            s.push('1');
            s.push_str(&"}".repeat(depth));
            s
        };
        // Valid JSON nested past serde's recursion limit is invalid_json; nesting inside an
        // ignored field parses, so the envelope has no body (or a body of the wrong type).
        out.push(h(
            p.into_bytes(),
            "deep_json",
            &["invalid_json", "invalid_envelope", "empty_body"],
        ));
    }
    for i in 0..1000 * scale {
        // Invalid base64, bad gzip, unsupported encodings.
        let p = match i % 3 {
            0 => br#"{"body_base64": "!!!not base64!!!"}"#.to_vec(),
            1 => serde_json::to_vec(&serde_json::json!({
                "body_base64": b64.encode(g.bytes(100)), "content_encoding": "gzip"}))
            .unwrap(),
            _ => serde_json::to_vec(&serde_json::json!({
                "body_base64": b64.encode(b"abc"), "content_encoding": "br"}))
            .unwrap(),
        };
        out.push(h(
            p,
            "bad_encoding",
            &["invalid_base64", "invalid_encoding", "unsupported_encoding"],
        ));
    }
    // Gzip bombs: concatenated gzip members of 1 MiB each (zeros, or 'a'), 100 MiB inflated
    // from ~100 KB, far past the 10 MiB body limit.
    let member_zero = gzip(&vec![0u8; 1 << 20]);
    let member_text = gzip(&vec![b'a'; 1 << 20]);
    let bomb_zero = b64.encode(member_zero.repeat(100));
    let bomb_text = b64.encode(member_text.repeat(100));
    for i in 0..40 {
        let body = if i % 2 == 0 { &bomb_zero } else { &bomb_text };
        let p = serde_json::to_vec(&serde_json::json!({
            "id": format!("bomb-{i}"), "content_type": "text/html",
            "content_encoding": "gzip", "body_base64": body}))
        .unwrap();
        out.push(h(p, "gzip_bomb", &["body_too_large"]));
    }
    // Bodies at the broker's size limit (Kafka's default message.max.bytes is ~1 MB; tansu 0.6
    // does not hand out larger records): accepted as pages, but their clean record is larger
    // than the worker's producer limit, so each becomes a dead letter with that reason.
    for i in 0..4 {
        let body = format!("Headline {i}\n\n") + &"word ".repeat(199_000 + i);
        let p = serde_json::to_vec(&serde_json::json!({"id": format!("big-{i}"), "body": body}))
            .unwrap();
        // Valid, so they may be accepted; what matters is that each is accounted for.
        out.push(h(p, "size_limit", &[]));
    }
    // Huge header maps: Kafka headers and the envelope's headers map.
    for i in 0..20 {
        let mut m = h(
            b"a plain text page with far too many headers".to_vec(),
            "huge_headers",
            &["invalid_envelope"],
        );
        if i % 2 == 0 {
            // 2,000 Kafka headers (twice the limit); tansu stores one row per header and
            // slows to a crawl on fetch with tens of thousands.
            m.headers = (0..2_000)
                .map(|k| (format!("x-h{k}"), b"v".to_vec()))
                .collect();
        } else {
            let map: serde_json::Map<String, serde_json::Value> = (0..50_000)
                .map(|k| (format!("h{k}"), serde_json::Value::from("v")))
                .collect();
            m.payload =
                serde_json::to_vec(&serde_json::json!({"body": "text", "headers": map})).unwrap();
        }
        out.push(m);
    }
    // Well-formed but hostile HTML under the ~1 MB record limit: 80,000-deep nesting and
    // 130,000 attributes (100,000-deep and a million attributes run in-process in
    // tests/fuzz_decode_normalize.rs).
    for i in 0..3 {
        let body = if i % 3 != 1 {
            format!(
                "<html><body>{}<p>deep</p>{}</body></html>",
                "<div>".repeat(80_000),
                "</div>".repeat(80_000)
            )
        } else {
            let attrs: String = (0..130_000).map(|k| format!(" a{k}")).collect();
            format!("<html><body><p{attrs}>many attributes</p></body></html>")
        };
        let p = serde_json::to_vec(&serde_json::json!({
            "id": format!("hostile-html-{i}"), "content_type": "text/html", "body": body}))
        .unwrap();
        out.push(h(p, "hostile_html", &[]));
    }
    out
}

/// Read clean, duplicates and rejected from the beginning, each partition up to its end offset,
/// until every input coordinate in `want` has an outcome (topic, reject kind) or the timeout
/// passes. Partition by partition to the end offsets, never "until idle": tansu can pause a
/// fetch of a partition full of dead letters for many seconds under load.
fn read_outcomes(
    broker: &Broker,
    want: &[(i32, i64)],
    timeout: Duration,
) -> BTreeMap<(i32, i64), (String, String)> {
    let mut out = BTreeMap::new();
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline && want.iter().any(|k| !out.contains_key(k)) {
        for topic in [CLEAN, DUPLICATES, REJECTED] {
            for r in broker.read_all(topic, Duration::from_secs(60)) {
                let v = &r.value;
                let k = (
                    v["input"]["partition"].as_i64().unwrap_or(-1) as i32,
                    v["input"]["offset"].as_i64().unwrap_or(-1),
                );
                let reason = v["error"]["kind"].as_str().unwrap_or("").to_string();
                if topic == REJECTED {
                    assert!(
                        v["error"]["message"]
                            .as_str()
                            .is_some_and(|s| !s.is_empty()),
                        "rejection without a message: {k:?}"
                    );
                }
                out.insert(k, (topic.to_string(), reason));
            }
        }
    }
    out
}

#[test]
fn ten_thousand_hostile_messages_are_rejected_with_reasons_in_bounded_memory() {
    let scale = std::env::var("SIFT_HOSTILE_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let t0 = Instant::now();
    let corpus = corpus(scale);
    let bytes: usize = corpus.iter().map(|m| m.payload.len()).sum();
    eprintln!(
        "corpus: {} messages, {:.1} MB, generated in {:.1}s",
        corpus.len(),
        bytes as f64 / 1e6,
        t0.elapsed().as_secs_f64()
    );
    assert!(corpus.len() >= 10_000);

    let broker = Broker::start();
    broker.create_topics(6);
    let rt = rt();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", broker.brokers())
        .set("message.max.bytes", "30000000")
        .set("linger.ms", "5")
        .create()
        .expect("producer");
    let produced: Vec<(i32, i64)> = rt.block_on(async {
        let mut futs = Vec::new();
        for (i, m) in corpus.iter().enumerate() {
            let mut hd = OwnedHeaders::new();
            for (k, v) in &m.headers {
                hd = hd.insert(Header {
                    key: k,
                    value: Some(v.as_slice()),
                });
            }
            // Large messages get a partition of their own: tansu reads every remaining value
            // of a partition on each fetch, so mixing them in would slow all partitions.
            let partition = if m.payload.len() > 100_000 {
                5
            } else {
                i as i32 % 5
            };
            let rec = FutureRecord::<(), _>::to(INPUT)
                .payload(m.payload.as_slice())
                .partition(partition)
                .headers(hd);
            futs.push(producer.send(rec, Duration::from_secs(120)));
        }
        let mut out = Vec::new();
        for f in futs {
            let d = f.await.expect("delivered");
            out.push((d.partition, d.offset));
        }
        out
    });
    let by_coord: BTreeMap<(i32, i64), &Hostile> =
        produced.iter().copied().zip(corpus.iter()).collect();

    let started = Instant::now();
    // tansu scans a partition's remaining values on every fetch: fetch big chunks.
    let w = Worker::start(
        &broker,
        "g-hostile",
        &[
            (
                "SIFT__KAFKA__CONSUMER_PROPERTIES__MAX_PARTITION_FETCH_BYTES",
                "16777216",
            ),
            (
                "SIFT__KAFKA__CONSUMER_PROPERTIES__FETCH_MAX_BYTES",
                "67108864",
            ),
            // Slow fetches of large values hold up tansu's heartbeat answers.
            ("SIFT__KAFKA__SESSION_TIMEOUT_MS", "45000"),
        ],
    );
    assert!(w.wait_ready(Duration::from_secs(60)), "{}", w.log_text());
    let pid = w.child.id();
    let caught_up = w.wait_caught_up(6, Duration::from_secs(400));
    let secs = started.elapsed().as_secs_f64();
    let hwm_kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0);
    assert_eq!(w.child.id(), pid);
    let mut w = w;
    assert!(
        w.child.try_wait().ok().flatten().is_none(),
        "worker died: {}",
        w.log_text()
    );

    // Which topic and reason each input got: read the outputs until every input is seen (tansu
    // can take many seconds per fetch of a partition full of dead letters).
    let outcome = read_outcomes(&broker, &produced, Duration::from_secs(240));
    let missing = produced.iter().filter(|k| !outcome.contains_key(k)).count();
    let mut table: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for (k, m) in &by_coord {
        let Some((topic, reason)) = outcome.get(k) else {
            continue;
        };
        let label = if topic == REJECTED {
            reason.clone()
        } else {
            topic.clone()
        };
        *table.entry((m.family, label)).or_insert(0) += 1;
        let ok = if m.reasons.is_empty() {
            true
        } else {
            topic == REJECTED && m.reasons.contains(&reason.as_str())
        };
        if !ok {
            wrong.push((m.family, topic.clone(), reason.clone(), k));
        }
    }
    eprintln!(
        "hostile input: {} messages, {missing} missing, {} with an unexpected outcome, worker peak RSS {:.0} MiB, {secs:.1}s",
        produced.len(),
        wrong.len(),
        hwm_kb as f64 / 1024.0
    );
    for ((family, label), n) in &table {
        eprintln!("  {family:<14} -> {label:<26} {n}");
    }
    assert!(caught_up, "worker caught up: {}", w.log_text());
    assert_eq!(missing, 0, "{}", w.log_text());
    assert!(wrong.is_empty(), "{:?}", &wrong[..wrong.len().min(20)]);
    assert!(hwm_kb > 0, "VmHWM read");
    assert!(hwm_kb < 1024 * 1024, "peak RSS {hwm_kb} kB exceeds 1 GiB");
}
