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

/// Configuration of the state-entry producer: [`producer_config`] with its own client id and
/// `kafka.state_linger_ms` as linger (set last, so a `linger.ms` in `producer_properties` applies
/// to the output producer only).
pub fn state_producer_config(k: &KafkaSettings) -> ClientConfig {
    let mut c = producer_config(k);
    c.set("client.id", format!("{}-state-producer", k.client_id))
        .set("linger.ms", k.state_linger_ms.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn settings(env: &[(&str, &str)]) -> KafkaSettings {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Settings::load_from(None, env).unwrap().kafka
    }

    #[test]
    fn state_entries_default_to_few_batches_and_few_tail_fetches() {
        // Latency at 416 pages/s on tansu (config/default.toml): 1 ms linger and 20 ms tail
        // fetches spent the broker's and worker's CPU on listing tiny state batches.
        let k = settings(&[]);
        assert_eq!(state_producer_config(&k).get("linger.ms"), Some("5"));
        assert_eq!(k.state_fetch_wait_max_ms, 100);
    }

    #[test]
    fn the_state_producer_has_its_own_linger_and_client_id() {
        let k = settings(&[
            ("SIFT__KAFKA__LINGER_MS", "7"),
            ("SIFT__KAFKA__STATE_LINGER_MS", "2"),
            // An output-producer property that would otherwise also set the state linger.
            ("SIFT__KAFKA__PRODUCER_PROPERTIES__LINGER_MS", "9"),
            ("SIFT__KAFKA__PRODUCER_PROPERTIES__ACKS", "all"),
        ]);
        let out = producer_config(&k);
        let state = state_producer_config(&k);
        assert_eq!(out.get("linger.ms"), Some("9"));
        assert_eq!(state.get("linger.ms"), Some("2"));
        assert_eq!(state.get("client.id"), Some("sift-state-producer"));
        assert_eq!(out.get("client.id"), Some("sift-producer"));
        // Everything else is the same producer configuration.
        assert_eq!(state.get("enable.idempotence"), Some("true"));
        assert_eq!(state.get("acks"), Some("all"));
    }
}
