//! Configuration: `config/default.toml` (compiled in), then `--config FILE` / `SIFT_CONFIG`,
//! then `SIFT__SECTION__KEY` environment variables. Unknown keys and wrong types are errors
//! that name the key.

use crate::pipeline::StageConfig;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The defaults, documented, as shipped in `config/default.toml`.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Effective configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Kafka connection and client behaviour.
    pub kafka: KafkaSettings,
    /// Topic names.
    pub topics: TopicSettings,
    /// Ops HTTP server.
    pub http: HttpSettings,
    /// Worker concurrency and shutdown.
    pub pipeline: PipelineSettings,
    /// Delivery guarantee: at-least-once (default) or exactly-once (Kafka transactions).
    pub delivery: DeliverySettings,
    /// Stage settings.
    pub stages: StageConfig,
    /// Logging.
    pub log: LogSettings,
}

/// Kafka settings. `properties` pass through to both clients, `consumer_properties` and
/// `producer_properties` to one. In environment variables, `_` in a property name stands for
/// `.` (`SIFT__KAFKA__PROPERTIES__SECURITY_PROTOCOL=ssl`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaSettings {
    /// Bootstrap servers, comma-separated.
    pub brokers: String,
    /// Consumer group id.
    pub group_id: String,
    /// Client id prefix.
    pub client_id: String,
    /// Consumer session timeout.
    pub session_timeout_ms: u64,
    /// How often stored offsets are committed.
    pub commit_interval_ms: u64,
    /// Group watchdog: re-join the group when input partitions not owned by this replica have
    /// lag and no commit progress for this long; 0 disables.
    pub stall_rejoin_ms: u64,
    /// librdkafka statistics interval (lag metrics); 0 disables.
    pub statistics_interval_ms: u64,
    /// Where a group without committed offsets starts: `earliest` or `latest`.
    pub auto_offset_reset: String,
    /// Producer linger (output records).
    pub linger_ms: u64,
    /// Linger of the state-entry producer (`sift run`, at-least-once mode), a producer of its
    /// own so state writes never queue behind output records.
    pub state_linger_ms: u64,
    /// Scheduler time slice (µs) requested for the worker's hand-off threads (every thread of
    /// `sift run` but the CPU pool's), so they preempt busy stage threads when they wake; 0 keeps
    /// the kernel default (see `kafka::sched`).
    pub hand_off_slice_us: u64,
    /// Producer compression codec.
    pub compression: String,
    /// `fetch.wait.max.ms` of the state-log tail: how long the broker may hold a fetch of the
    /// state topic open when it has nothing new. Bounds how late a replica learns what another
    /// accepted on brokers that do not answer a waiting fetch when data arrives (dedup's
    /// consistency window, docs/dedup.md); costs one fetch per interval while idle.
    pub state_fetch_wait_max_ms: u64,
    /// librdkafka properties for both clients.
    pub properties: BTreeMap<String, String>,
    /// librdkafka properties for the consumer only.
    pub consumer_properties: BTreeMap<String, String>,
    /// librdkafka properties for the producer only.
    pub producer_properties: BTreeMap<String, String>,
}

/// Topic names.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSettings {
    /// Raw pages in.
    pub input: String,
    /// Unique clean pages.
    pub clean: String,
    /// Copies.
    pub duplicates: String,
    /// Dead letters.
    pub rejected: String,
    /// Event summaries (compacted).
    pub events: String,
    /// Stage state (compacted, internal).
    pub state: String,
}

/// Ops HTTP server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// Bind address.
    pub host: String,
    /// Port (0 picks a free one).
    pub port: u16,
}

/// Concurrency, backpressure and shutdown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSettings {
    /// Most input messages in flight (taken, not yet acknowledged downstream).
    pub max_in_flight: usize,
    /// CPU threads for stage work; 0 = one per core.
    pub worker_threads: usize,
    /// On revoke, how long to wait for in-flight work of revoked partitions.
    pub drain_timeout_ms: u64,
    /// On SIGTERM/SIGINT, how long to drain before exiting anyway.
    pub shutdown_timeout_ms: u64,
}

/// Delivery guarantee of `sift run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// Outputs acknowledged before input offsets are committed; a crash may repeat outputs
    /// (same keys, ids and verdicts).
    AtLeastOnce,
    /// Outputs, state entries and input offsets committed in one Kafka transaction; readers
    /// with `isolation.level=read_committed` see each input's outputs once.
    ExactlyOnce,
}

/// Delivery settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// `at_least_once` or `exactly_once`.
    pub mode: DeliveryMode,
    /// Transactional id of this replica (exactly-once only). Must be stable across restarts of
    /// the same replica and unique among replicas (e.g. the pod name of a StatefulSet).
    pub transactional_id: String,
    /// Broker-side limit on an open transaction (`transaction.timeout.ms`).
    pub transaction_timeout_ms: u64,
    /// Most input messages per transaction.
    pub max_batch_messages: usize,
    /// Longest time a transaction collects input before it is committed.
    pub max_batch_ms: u64,
}

/// Logging.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `tracing` filter, e.g. `info` or `sift=debug,rdkafka=warn`.
    pub level: String,
    /// `json` or `text`.
    pub format: String,
}

impl Settings {
    /// Load defaults, then the optional file, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        Self::load_from(file, std::env::vars())
    }

    /// Like [`Settings::load`] with an explicit environment (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self> {
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            DEFAULT_TOML,
            config::FileFormat::Toml,
        ));
        if let Some(path) = file {
            if !path.exists() {
                bail!("config file {} does not exist", path.display());
            }
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        let mut property_overrides = Vec::new();
        for (key, value) in env {
            let Some(rest) = key.strip_prefix("SIFT__") else {
                continue;
            };
            let parts: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
            if let [section, map, prop] = parts.as_slice()
                && section == "kafka"
                && matches!(
                    map.as_str(),
                    "properties" | "consumer_properties" | "producer_properties"
                )
            {
                // Dots are not allowed in env names; librdkafka names have no underscores.
                property_overrides.push((map.clone(), prop.replace('_', "."), value));
                continue;
            }
            let path = parts.join(".");
            builder = builder
                .set_override(path.clone(), value)
                .with_context(|| format!("environment variable {key} ({path})"))?;
        }
        let cfg = builder.build().context("reading configuration")?;
        let mut settings: Settings = cfg
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        for (map, prop, value) in property_overrides {
            let k = &mut settings.kafka;
            let target = match map.as_str() {
                "properties" => &mut k.properties,
                "consumer_properties" => &mut k.consumer_properties,
                _ => &mut k.producer_properties,
            };
            target.insert(prop, value);
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Check values that types alone cannot.
    pub fn validate(&self) -> Result<()> {
        let k = &self.kafka;
        if k.brokers.trim().is_empty() {
            bail!("invalid configuration: kafka.brokers is empty");
        }
        if k.group_id.trim().is_empty() {
            bail!("invalid configuration: kafka.group_id is empty");
        }
        if !matches!(k.auto_offset_reset.as_str(), "earliest" | "latest") {
            bail!("invalid configuration: kafka.auto_offset_reset must be earliest or latest");
        }
        if k.commit_interval_ms == 0 {
            bail!("invalid configuration: kafka.commit_interval_ms must be > 0");
        }
        if k.stall_rejoin_ms != 0 && k.stall_rejoin_ms <= k.session_timeout_ms {
            bail!(
                "invalid configuration: kafka.stall_rejoin_ms must exceed kafka.session_timeout_ms (or be 0 to disable the group watchdog)"
            );
        }
        let t = &self.topics;
        let names = [
            ("topics.input", &t.input),
            ("topics.clean", &t.clean),
            ("topics.duplicates", &t.duplicates),
            ("topics.rejected", &t.rejected),
            ("topics.events", &t.events),
            ("topics.state", &t.state),
        ];
        for (i, (key, name)) in names.iter().enumerate() {
            if name.trim().is_empty() {
                bail!("invalid configuration: {key} is empty");
            }
            if let Some((other, _)) = names[..i].iter().find(|(_, n)| n == name) {
                bail!("invalid configuration: {key} and {other} are both {name:?}");
            }
        }
        let p = &self.pipeline;
        if p.max_in_flight == 0 {
            bail!("invalid configuration: pipeline.max_in_flight must be > 0");
        }
        if p.drain_timeout_ms >= k.session_timeout_ms {
            bail!(
                "invalid configuration: pipeline.drain_timeout_ms must be below kafka.session_timeout_ms"
            );
        }
        if self.stages.decode.max_body_bytes == 0 {
            bail!("invalid configuration: stages.decode.max_body_bytes must be > 0");
        }
        self.stages
            .tag
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid configuration: stages.tag: {e:#}"))?;
        let d = &self.delivery;
        if d.mode == DeliveryMode::ExactlyOnce {
            if d.transactional_id.trim().is_empty() {
                bail!(
                    "invalid configuration: delivery.transactional_id must be set (stable per replica) when delivery.mode = \"exactly_once\""
                );
            }
            if d.max_batch_messages == 0 || d.max_batch_ms == 0 {
                bail!(
                    "invalid configuration: delivery.max_batch_messages and delivery.max_batch_ms must be > 0"
                );
            }
            if d.transaction_timeout_ms <= d.max_batch_ms {
                bail!(
                    "invalid configuration: delivery.transaction_timeout_ms must exceed delivery.max_batch_ms"
                );
            }
        }
        if !matches!(self.log.format.as_str(), "json" | "text") {
            bail!("invalid configuration: log.format must be json or text");
        }
        Ok(())
    }

    /// The configuration as TOML with secrets replaced by `***`.
    pub fn redacted_toml(&self) -> Result<String> {
        let mut copy = self.clone();
        for map in [
            &mut copy.kafka.properties,
            &mut copy.kafka.consumer_properties,
            &mut copy.kafka.producer_properties,
        ] {
            for (key, value) in map.iter_mut() {
                if is_secret(key) {
                    *value = "***".into();
                }
            }
        }
        copy.kafka.brokers = redact_userinfo(&copy.kafka.brokers);
        Ok(toml::to_string_pretty(&copy)?)
    }
}

/// Property names whose values are secrets.
pub fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "secret",
        "token",
        "key.pem",
        "keystore",
        "private",
        "sasl.jaas",
        "oauthbearer.config",
        "credential",
    ]
    .iter()
    .any(|s| k.contains(s))
}

fn redact_userinfo(brokers: &str) -> String {
    brokers
        .split(',')
        .map(|b| match b.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => b.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load_and_validate() {
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.topics.input, "pages.raw");
        assert_eq!(s.topics.clean, "pages.clean");
        assert_eq!(s.stages.decode.max_body_bytes, 10 * 1024 * 1024);
    }

    #[test]
    fn required_env_names_override() {
        let s = Settings::load_from(
            None,
            env(&[
                ("SIFT__KAFKA__BROKERS", "b1:9092,b2:9092"),
                ("SIFT__KAFKA__GROUP_ID", "g2"),
                ("SIFT__TOPICS__INPUT", "in"),
                ("SIFT__TOPICS__CLEAN", "c"),
                ("SIFT__TOPICS__DUPLICATES", "d"),
                ("SIFT__TOPICS__REJECTED", "r"),
                ("SIFT__TOPICS__EVENTS", "e"),
                ("SIFT__HTTP__PORT", "9999"),
                ("SIFT__KAFKA__PROPERTIES__SECURITY_PROTOCOL", "sasl_ssl"),
                ("SIFT__KAFKA__PROPERTIES__SASL_PASSWORD", "hunter2"),
                ("SIFT__STAGES__DECODE__MAX_BODY_BYTES", "1000"),
            ]),
        )
        .unwrap();
        assert_eq!(s.kafka.brokers, "b1:9092,b2:9092");
        assert_eq!(s.kafka.group_id, "g2");
        assert_eq!(
            (
                s.topics.input.as_str(),
                s.topics.clean.as_str(),
                s.topics.duplicates.as_str()
            ),
            ("in", "c", "d")
        );
        assert_eq!(
            (s.topics.rejected.as_str(), s.topics.events.as_str()),
            ("r", "e")
        );
        assert_eq!(s.http.port, 9999);
        assert_eq!(s.stages.decode.max_body_bytes, 1000);
        assert_eq!(s.kafka.properties["security.protocol"], "sasl_ssl");
        let shown = s.redacted_toml().unwrap();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn invalid_values_name_the_key() {
        let err = Settings::load_from(None, env(&[("SIFT__HTTP__PORT", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("http.port") || err.contains("port"), "{err}");
        let err = Settings::load_from(None, env(&[("SIFT__KAFKA__GRUOP_ID", "x")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("gruop_id"), "{err}");
        let err = Settings::load_from(None, env(&[("SIFT__TOPICS__CLEAN", "pages.raw")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("topics.clean"), "{err}");
    }

    #[test]
    fn exactly_once_needs_a_transactional_id() {
        let err = Settings::load_from(None, env(&[("SIFT__DELIVERY__MODE", "exactly_once")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("delivery.transactional_id"), "{err}");
        let s = Settings::load_from(
            None,
            env(&[
                ("SIFT__DELIVERY__MODE", "exactly_once"),
                ("SIFT__DELIVERY__TRANSACTIONAL_ID", "sift-0"),
            ]),
        )
        .unwrap();
        assert_eq!(s.delivery.mode, DeliveryMode::ExactlyOnce);
        let s = Settings::load_from(None, env(&[])).unwrap();
        assert_eq!(s.delivery.mode, DeliveryMode::AtLeastOnce);
    }

    #[test]
    fn file_overrides_defaults_and_env_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[kafka]\ngroup_id = \"from-file\"\nbrokers = \"f:1\"\n",
        )
        .unwrap();
        let s = Settings::load_from(Some(&path), env(&[("SIFT__KAFKA__BROKERS", "e:2")])).unwrap();
        assert_eq!(s.kafka.group_id, "from-file");
        assert_eq!(s.kafka.brokers, "e:2");
    }
}
