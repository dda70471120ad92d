//! The `sift` command: `run` (Kafka worker), `process` (file mode), `config`, `topics`.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use sift::config::Settings;
use sift::file_source::{self, FileOptions};
use sift::metrics::Metrics;
use sift::ops::Health;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "sift",
    version,
    about = "Streaming ETL for news pages: clean, deduplicate, tag"
)]
struct Cli {
    /// Configuration file (TOML), layered over config/default.toml.
    #[arg(long, global = true, env = "SIFT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Kafka worker until SIGTERM/SIGINT.
    Run,
    /// Process JSON-lines envelopes from FILE (or - for stdin) and print output records.
    Process {
        /// Input file, or - for stdin.
        #[arg(default_value = "-")]
        file: String,
        /// Replay stage state from this file and append to it (JSON lines).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Also print state-log records.
        #[arg(long)]
        emit_state: bool,
        /// Print a summary to stderr at the end.
        #[arg(long)]
        summary: bool,
    },
    /// Print the effective configuration (secrets redacted) after validating it.
    Config,
    /// Score a stage against a gold data set (JSON lines of {"page": envelope, "gold": {...}}).
    Eval {
        #[command(subcommand)]
        what: EvalCommand,
    },
    /// Produce JSON-lines envelopes from FILE (or - for stdin) onto the input topic.
    Produce {
        /// Input file, or - for stdin.
        #[arg(default_value = "-")]
        file: String,
        /// Topic (default: the configured input topic).
        #[arg(long)]
        topic: Option<String>,
        /// Messages per second (0 = as fast as possible).
        #[arg(long, default_value_t = 0.0)]
        rate: f64,
    },
    /// Print the records of a topic from the beginning as JSON lines.
    Tail {
        /// Topic name.
        topic: String,
        /// Stop after this many records.
        #[arg(long)]
        max: Option<u64>,
        /// Stop when nothing arrived for this many seconds.
        #[arg(long, default_value_t = 5.0)]
        idle_seconds: f64,
    },
    /// Create the configured topics that do not exist yet (events and state compacted).
    Topics {
        /// Partitions per topic.
        #[arg(long, default_value_t = 6)]
        partitions: i32,
        /// Replication factor.
        #[arg(long, default_value_t = 1)]
        replication: i32,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Extraction quality (body P/R/F1, title, date) and speed of the normalize stage.
    Extract {
        /// Gold file (.jsonl or .jsonl.gz).
        #[arg(long)]
        gold: PathBuf,
        /// Score another extractor's output instead of running sift: JSON lines
        /// {"id", "text", "title", "published", "authors", "seconds"} keyed by the gold id.
        #[arg(long)]
        predictions: Option<PathBuf>,
    },
    /// Event clustering quality (B-cubed) of the tag stage.
    Events {
        /// Gold file (.jsonl or .jsonl.gz).
        #[arg(long)]
        gold: PathBuf,
    },
    /// Near-duplicate detection precision/recall of the dedup stage on a generated copy set.
    Dedup {
        /// Gold file(s) (.jsonl or .jsonl.gz): WCXB articles and/or ECB+ events; repeatable.
        #[arg(long, required = true)]
        gold: Vec<PathBuf>,
        /// Seed of the copy generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print every false positive.
        #[arg(long)]
        verbose: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    let code = match real_main(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sift: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

fn real_main(cli: Cli) -> Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Config => {
            print!("{}", settings.redacted_toml()?);
            Ok(())
        }
        Command::Process {
            file,
            state,
            emit_state,
            summary,
        } => {
            init_logging(&settings, true);
            let opts = FileOptions {
                name: file.clone(),
                state_file: state,
                emit_state,
                batch: 256,
            };
            let input = open_input(&file)?;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let started = std::time::Instant::now();
            let s = file_source::process(&settings, &opts, Metrics::new(), input, &mut out)?;
            if summary {
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "pages={} clean={} duplicates={} rejected={} seconds={:.3} pages_per_second={:.1}",
                    s.pages,
                    s.clean,
                    s.duplicates,
                    s.rejected,
                    secs,
                    s.pages as f64 / secs.max(1e-9)
                );
            }
            Ok(())
        }
        Command::Eval { what } => {
            init_logging(&settings, true);
            match what {
                EvalCommand::Extract {
                    gold,
                    predictions: Some(p),
                } => sift::eval::predictions::run(&gold, &p),
                EvalCommand::Extract { gold, .. } => sift::eval::extract::run(&settings, &gold),
                EvalCommand::Events { gold } => sift::eval::events::run(&settings, &gold),
                EvalCommand::Dedup {
                    gold,
                    seed,
                    verbose,
                } => sift::eval::dedup::run(&settings, &gold, seed, verbose),
            }
        }
        Command::Produce { file, topic, rate } => {
            init_logging(&settings, true);
            let topic = topic.unwrap_or_else(|| settings.topics.input.clone());
            let input = open_input(&file)?;
            let rt = tokio::runtime::Runtime::new()?;
            let n = rt.block_on(sift::kafka::tools::produce_lines(
                &settings, &topic, input, rate,
            ))?;
            eprintln!("produced {n} messages to {topic}");
            Ok(())
        }
        Command::Tail {
            topic,
            max,
            idle_seconds,
        } => {
            init_logging(&settings, true);
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let idle = std::time::Duration::from_secs_f64(idle_seconds.max(0.1));
            sift::kafka::tools::tail(&settings, &topic, max, idle, &mut out)?;
            Ok(())
        }
        Command::Topics {
            partitions,
            replication,
        } => {
            init_logging(&settings, false);
            let rt = tokio::runtime::Runtime::new()?;
            let created = rt.block_on(sift::kafka::admin::create_topics(
                &settings,
                partitions,
                replication,
            ))?;
            for name in created {
                println!("created {name}");
            }
            Ok(())
        }
        Command::Run => {
            init_logging(&settings, false);
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .worker_threads(2)
                .thread_name("sift-async")
                .build()?;
            rt.block_on(run(settings))
        }
    }
}

fn open_input(file: &str) -> Result<Box<dyn BufRead>> {
    Ok(if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(file).with_context(|| format!("opening {file}"))?,
        ))
    })
}

async fn run(settings: Settings) -> Result<()> {
    let metrics = Metrics::new();
    let health = Arc::new(Health::default());
    let addr = sift::ops::serve(
        &settings.http.host,
        settings.http.port,
        metrics.clone(),
        Arc::clone(&health),
    )
    .await
    .with_context(|| format!("binding ops server on port {}", settings.http.port))?;
    tracing::info!(%addr, version = sift::VERSION, "ops server listening");
    sift::kafka::run(settings, metrics, health, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}

fn init_logging(settings: &Settings, to_stderr_only: bool) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log.level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true);
    let _ = to_stderr_only;
    if settings.log.format == "json" {
        let _ = builder.json().flatten_event(true).try_init();
    } else {
        let _ = builder.try_init();
    }
}
