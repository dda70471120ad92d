//! Dump every block of every page of a gold file as JSON lines (kept?, class, ancestors, text)
//! for error analysis of the body extraction: `body_blocks GOLD.jsonl.gz > blocks.jsonl`.
use std::io::{BufRead, Write};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        anyhow::bail!("usage: body_blocks GOLD.jsonl.gz");
    };
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for line in sift::eval::extract::open_lines(std::path::Path::new(path))?.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let body = v["page"]["body"].as_str().unwrap_or_default();
        let rows = sift::normalize::debug_block_rows(body);
        let blocks: Vec<_> = rows
            .into_iter()
            .map(|(kept, class, boiler, text, path)| {
                serde_json::json!({"k": kept, "c": class, "b": boiler, "t": text, "p": path})
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": v["gold"]["id"], "blocks": blocks})
        )?;
    }
    Ok(())
}
