//! Tag stage: who published each page ([`Source`]) and which news event it covers ([`EventRef`]).
//!
//! Source resolution is pure. Event assignment is stateful and sequential, rebuilt from
//! [`StateEntry`]s like dedup state.

mod event;
mod source;

pub use event::{EventConfig, EventRef, EventSummary, EventTracker};
pub use source::{Source, SourceKind, SourceResolver};

use serde::{Deserialize, Serialize};

/// Settings of the tag stage.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TagConfig {
    /// Event clustering settings.
    pub event: EventConfig,
}
