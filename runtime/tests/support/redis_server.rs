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

/// A Redis Cluster of the test's own: `masters` redis-servers (no replica) on free loopback
/// ports, the slots shared by `redis-cli --cluster create`, stopped when dropped.
pub struct OwnCluster {
    ports: Vec<u16>,
    children: Vec<Child>,
    _dir: tempfile::TempDir,
}

impl OwnCluster {
    /// Starts the servers, creates the cluster and waits until every node says
    /// `cluster_state:ok`.
    pub fn start(masters: usize) -> OwnCluster {
        services(&["install", "redis"]);
        let dir = tempfile::tempdir().expect("a temporary folder");
        // Free ports whose cluster bus port (10,000 above) is free too.
        let mut ports: Vec<u16> = Vec::new();
        while ports.len() < masters {
            let port = free_port();
            let bus_free = port
                .checked_add(10_000)
                .is_some_and(|bus| TcpListener::bind(("127.0.0.1", bus)).is_ok());
            if bus_free
                && !ports
                    .iter()
                    .any(|p| p.abs_diff(port) == 10_000 || *p == port)
            {
                ports.push(port);
            }
        }
        let mut cluster = OwnCluster {
            ports,
            children: Vec::new(),
            _dir: dir,
        };
        for (n, port) in cluster.ports.clone().into_iter().enumerate() {
            let child = Command::new("redis-server")
                .args(["--cluster-enabled", "yes", "--cluster-config-file"])
                .arg(cluster._dir.path().join(format!("nodes-{n}.conf")))
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .arg("--dir")
                .arg(cluster._dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server starts");
            cluster.children.push(child);
        }
        for url in cluster.urls() {
            wait_until(&format!("{url} answers"), || {
                redis::Client::open(url.as_str())
                    .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
                    .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con))
                    .is_ok()
            });
        }
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(cluster.ports.iter().map(|p| format!("127.0.0.1:{p}")))
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("redis-cli runs");
        assert!(
            created.status.success(),
            "redis-cli --cluster create failed: {}{}",
            String::from_utf8_lossy(&created.stdout),
            String::from_utf8_lossy(&created.stderr)
        );
        for url in cluster.urls() {
            let mut con = connect(&url);
            wait_until(&format!("{url} says cluster_state:ok"), || {
                redis::cmd("CLUSTER")
                    .arg("INFO")
                    .query::<String>(&mut con)
                    .is_ok_and(|info| info.contains("cluster_state:ok"))
            });
        }
        cluster
    }

    /// Every node's URL (all masters).
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect()
    }

    /// Node `n`'s process id.
    pub fn pid(&self, n: usize) -> u32 {
        self.children[n].id()
    }

    /// Kills node `n` (its data goes with it).
    pub fn kill(&mut self, n: usize) {
        let _ = self.children[n].kill();
        let _ = self.children[n].wait();
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}
