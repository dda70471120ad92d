//! Tag stage: who published each page ([`Source`]) and which news event it covers ([`EventRef`]).
//!
//! Source resolution is pure: the publisher registry (`data/publishers.toml`, extended or
//! overridden by `publishers_file`), masthead matching and wire-credit detection. Event
//! assignment is stateful and sequential, rebuilt from [`StateEntry`](crate::state::StateEntry)s
//! like dedup state.

mod agencies;
mod centroid;
mod descriptors;
mod event;
mod event_state;
mod features;
mod gazetteer;
mod hints;
mod masthead;
mod page_map;
mod participants;
mod postings;
pub mod registry;
mod source;
mod story_facts;
mod story_time;
mod vector;

pub use agencies::CreditDetector;
pub use event::trace as event_trace;
pub use event::{
    Assignment, EventConfig, EventEntities, EventRef, EventSummary, EventTracker, event_id,
    parse_event_id,
};
pub use gazetteer::EntityKind;
pub use hints::chrome_hints;
pub use registry::{Publisher, Registry};
pub use source::{
    Source, SourceKind, SourceResolver, UNKNOWN_SOURCE, registrable_domain,
    registrable_domain_of_host,
};

use serde::{Deserialize, Serialize};

/// Settings of the tag stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TagConfig {
    /// A publishers file (same format as `data/publishers.toml`) whose entries add to or
    /// override the built-in registry by id; empty for none.
    pub publishers_file: String,
    /// Event clustering settings.
    pub event: EventConfig,
}

impl TagConfig {
    /// Check the settings, loading the publishers file if one is configured.
    pub fn validate(&self) -> anyhow::Result<()> {
        SourceResolver::registry_from_config(self)?;
        let e = &self.event;
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(e.window_days) || !positive(e.time_sigma_days) {
            anyhow::bail!("stages.tag.event.window_days and time_sigma_days must be > 0");
        }
        if e.max_active_events == 0 || e.page_terms == 0 || e.centroid_terms == 0 {
            anyhow::bail!(
                "stages.tag.event.max_active_events, page_terms and centroid_terms must be > 0"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
