//! Redis servers for the Redis store's tests and benchmark: the shared one that
//! `scripts/services` starts (installing Debian's redis-server if it is missing), and
//! servers of a test's own, on their own loopback port, to stop and start again.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the runtime is a workspace member")
        .to_path_buf()
}

fn services(args: &[&str]) -> String {
    let output = Command::new(workspace().join("scripts/services"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("scripts/services {args:?}: {e}"));
    assert!(
        output.status.success(),
        "scripts/services {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The URL of the shared server (`scripts/services start redis`, `env redis`), started
/// if it is not running.
pub fn shared_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        services(&["start", "redis"]);
        let env = services(&["env", "redis"]);
        env.lines()
            .find_map(|l| l.strip_prefix("export REDIS_URL="))
            .unwrap_or_else(|| panic!("scripts/services env redis printed {env:?}"))
            .to_owned()
    })
    .clone()
}

/// A namespace no other test run uses.
pub fn fresh_namespace(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("test-{test}-{}-{nanos}", std::process::id())
}

/// A plain connection, to look at what the store wrote.
pub fn connect(url: &str) -> redis::Connection {
    let client = redis::Client::open(url).expect("a Redis URL");
    let con = client
        .get_connection_with_timeout(Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    con.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a time-out");
    con
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// A redis-server of the test's own on a free loopback port, stopped when dropped.
pub struct OwnServer {
    port: u16,
    dir: tempfile::TempDir,
    args: Vec<String>,
    child: Option<Child>,
}

impl OwnServer {
    /// Starts one (with `args` added to the command line) and waits until it answers.
    pub fn start(args: &[&str]) -> OwnServer {
        services(&["install", "redis"]);
        let mut server = OwnServer {
            port: free_port(),
            dir: tempfile::tempdir().expect("a temporary folder"),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            child: None,
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server runs").id()
    }

    /// Kills the server (its data goes with it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let answered = redis::Client::open(self.url())
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
                .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con));
            if answered.is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} does not answer: {answered:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.stop();
    }
}
