//! Time the normalize stage on the seed pages in a loop: `text_speed [ITERATIONS]`.
fn main() -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/seeds/pages.jsonl");
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let pages: Vec<_> = std::fs::read_to_string(path)?
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let msg = sift::message::InputMessage::from_payload(
                l.as_bytes().to_vec(),
                sift::message::InputCoords {
                    topic: "t".into(),
                    partition: 0,
                    offset: i as i64,
                },
            );
            sift::decode::decode(&msg, &Default::default()).ok()
        })
        .collect();
    let norm = sift::normalize::Normalizer::default();
    let t = std::time::Instant::now();
    for _ in 0..n {
        for p in &pages {
            std::hint::black_box(norm.normalize(p));
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!("{:.0} pages/s", (n * pages.len()) as f64 / secs);
    Ok(())
}
