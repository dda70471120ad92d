//! librdkafka client configuration from [`KafkaSettings`], with pass-through properties.

use crate::config::KafkaSettings;
use rdkafka::ClientConfig;

/// Consumer configuration: manual offset commits, cooperative-sticky assignment.
pub fn consumer_config(k: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &k.brokers)
        .set("group.id", &k.group_id)
        .set("client.id", format!("{}-consumer", k.client_id))
        .set("partition.assignment.strategy", "cooperative-sticky")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", &k.auto_offset_reset)
        .set("session.timeout.ms", k.session_timeout_ms.to_string())
        .set(
            "statistics.interval.ms",
            k.statistics_interval_ms.to_string(),
        );
    for (key, value) in k.properties.iter().chain(&k.consumer_properties) {
        c.set(key, value);
    }
    c
}

/// Idempotent producer configuration.
pub fn producer_config(k: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &k.brokers)
        .set("client.id", format!("{}-producer", k.client_id))
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", k.linger_ms.to_string())
        .set("compression.codec", &k.compression)
        .set("queue.buffering.max.kbytes", "262144");
    for (key, value) in k.properties.iter().chain(&k.producer_properties) {
        c.set(key, value);
    }
    c
}

/// Configuration of an assign-only reader (state log), no group commits.
pub fn reader_config(k: &KafkaSettings, suffix: &str) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &k.brokers)
        .set("group.id", format!("{}-{suffix}", k.group_id))
        .set("client.id", format!("{}-{suffix}", k.client_id))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false");
    for (key, value) in k.properties.iter().chain(&k.consumer_properties) {
        c.set(key, value);
    }
    c
}

/// Admin client configuration.
pub fn admin_config(k: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &k.brokers)
        .set("client.id", format!("{}-admin", k.client_id));
    for (key, value) in &k.properties {
        c.set(key, value);
    }
    c
}
