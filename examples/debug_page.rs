//! Print the block classification of one page of a gold file: `debug_page FILE ID`.
use std::io::BufRead;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(id)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: debug_page GOLD.jsonl.gz ID");
    };
    for line in sift::eval::extract::open_lines(std::path::Path::new(path))?.lines() {
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line)?;
        if v["gold"]["id"]
            .as_str()
            .is_some_and(|g| g.ends_with(id.as_str()))
        {
            let body = v["page"]["body"].as_str().unwrap_or_default();
            print!("{}", sift::normalize::debug_blocks(body));
        }
    }
    Ok(())
}
