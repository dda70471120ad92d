//! Ops HTTP endpoints: `/metrics` (Prometheus text), `/healthz` (liveness), `/readyz`
//! (200 only when connected, assigned, caught up on state and not draining).

use crate::metrics::Metrics;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Conditions that make the worker ready; each set by the part that knows it.
#[derive(Debug, Default)]
pub struct Health {
    /// The consumer reached a broker.
    pub connected: AtomicBool,
    /// The consumer owns at least one partition.
    pub assigned: AtomicBool,
    /// Stage state has been replayed up to the state log's end.
    pub state_caught_up: AtomicBool,
    /// Shutting down: stop reporting ready.
    pub draining: AtomicBool,
    /// Set when the main loop dies; liveness then fails.
    pub failed: AtomicBool,
}

impl Health {
    /// Ready to take traffic.
    pub fn is_ready(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
            && self.assigned.load(Ordering::Relaxed)
            && self.state_caught_up.load(Ordering::Relaxed)
            && !self.draining.load(Ordering::Relaxed)
    }

    /// A short description of what is missing, for the /readyz body.
    pub fn describe(&self) -> String {
        let flag = |b: &AtomicBool| b.load(Ordering::Relaxed);
        format!(
            "connected={} assigned={} state_caught_up={} draining={}\n",
            flag(&self.connected),
            flag(&self.assigned),
            flag(&self.state_caught_up),
            flag(&self.draining)
        )
    }
}

#[derive(Clone)]
struct OpsState {
    metrics: Metrics,
    health: Arc<Health>,
}

/// Bind the ops server and serve it in the background. Returns the bound address.
pub async fn serve(
    host: &str,
    port: u16,
    metrics: Metrics,
    health: Arc<Health>,
) -> anyhow::Result<SocketAddr> {
    let app = Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(OpsState { metrics, health });
    let listener = tokio::net::TcpListener::bind((host, port)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "ops server stopped");
        }
    });
    Ok(addr)
}

async fn metrics_handler(
    State(s): State<OpsState>,
) -> (StatusCode, [(&'static str, &'static str); 1], String) {
    s.metrics.ready.set(i64::from(s.health.is_ready()));
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4; charset=utf-8")],
        s.metrics.render(),
    )
}

async fn healthz(State(s): State<OpsState>) -> (StatusCode, &'static str) {
    if s.health.failed.load(Ordering::Relaxed) {
        (StatusCode::SERVICE_UNAVAILABLE, "failed\n")
    } else {
        (StatusCode::OK, "ok\n")
    }
}

async fn readyz(State(s): State<OpsState>) -> (StatusCode, String) {
    let code = if s.health.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, s.health.describe())
}
