//! `sift eval extract`. (Owned by the extract work stream; replaced by the real evaluation.)

use anyhow::Result;
use std::path::Path;

/// Run the evaluation against the gold file and print the scores.
pub fn run(_settings: &crate::config::Settings, _gold: &Path) -> Result<()> {
    anyhow::bail!("sift eval extract is not available yet")
}
