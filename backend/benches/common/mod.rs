//! Shared by the benchmarks: their sizes from the environment, a runtime, and the real server
//! on a fresh data folder on disk, over loopback HTTP.
#![allow(dead_code)]

use backend::data_dir::DataDir;
use backend::state::AppState;
use std::future::Future;

/// A number from the environment variable `name`, else `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Runs `bench` on a multi-threaded runtime.
pub fn block_on(bench: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(bench);
}

/// The real server on a fresh data folder.
pub struct BenchServer {
    pub data_dir: DataDir,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl BenchServer {
    /// `backend init` in a folder on disk (next to the build, not in a RAM-backed /tmp:
    /// fsync must cost what it costs), `prepare` on it, then the server.
    pub async fn start(prepare: impl FnOnce(&DataDir)) -> BenchServer {
        let parent = option_env!("CARGO_TARGET_TMPDIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::tempdir_in(parent).expect("tempdir");
        let data_dir = DataDir::new(dir.path());
        data_dir.init().expect("init");
        prepare(&data_dir);
        let state = AppState::open(&data_dir).expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(backend::serve::serve(listener, state, async {
            let _ = stopped.await;
        }));
        BenchServer {
            data_dir,
            base,
            stop,
            task,
            _dir: dir,
        }
    }

    /// Rows in `table`.
    pub fn count(&self, table: &str) -> i64 {
        rusqlite::Connection::open(self.data_dir.db_path())
            .expect("db")
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("count")
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("server task").expect("server");
    }
}
