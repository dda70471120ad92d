//! Evaluation commands (`sift eval …`): score the stages against gold data sets.
//!
//! Gold data is read at run time from files the user names; none of it is compiled in.

pub mod dedup;
pub mod events;
pub mod extract;
pub mod predictions;
pub mod scoring;
