//! Topic creation for local setups and first deployments (`sift topics`).

use super::client::admin_config;
use crate::config::Settings;
use anyhow::{Context, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;
use std::time::Duration;

/// Create every configured topic that does not exist yet. `events` and the state topic are
/// compacted. Returns the names created.
pub async fn create_topics(
    settings: &Settings,
    partitions: i32,
    replication: i32,
) -> Result<Vec<String>> {
    let admin: AdminClient<DefaultClientContext> = admin_config(&settings.kafka)
        .create()
        .context("creating admin client")?;
    let t = &settings.topics;
    let plain = [&t.input, &t.clean, &t.duplicates, &t.rejected];
    let compacted = [&t.events, &t.state];
    let compact = [("cleanup.policy", "compact")];
    let mut topics: Vec<NewTopic> = plain
        .iter()
        .map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(replication)))
        .collect();
    for n in compacted {
        let mut nt = NewTopic::new(n, partitions, TopicReplication::Fixed(replication));
        for (k, v) in compact {
            nt = nt.set(k, v);
        }
        topics.push(nt);
    }
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let results = admin
        .create_topics(topics.iter(), &opts)
        .await
        .context("CreateTopics request")?;
    let mut created = Vec::new();
    for r in results {
        match r {
            Ok(name) => created.push(name),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => anyhow::bail!("creating topic {name}: {code}"),
        }
    }
    Ok(created)
}
