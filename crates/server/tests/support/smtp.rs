//! The SMTP server tests send to: aiosmtpd, run by `tests/smtp_sink.py`, which writes each
//! message it receives as a JSON file. Shared by `tests/notify.rs` and `tests/api`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The aiosmtpd process and the directory it writes messages to; both go with it.
pub struct Sink {
    pub port: u16,
    pub dir: tempfile::TempDir,
    _child: Child,
}

/// Starts the sink, failing with the command that installs aiosmtpd when it is missing.
pub async fn start_sink(refuse_recipients: bool) -> Sink {
    let check = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .await
        .expect("python3 runs");
    assert!(
        check.status.success(),
        "these tests need aiosmtpd: python3 -m pip install aiosmtpd"
    );
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
    let mut command = Command::new("python3");
    command.arg(&script).arg(dir.path());
    if refuse_recipients {
        command.arg("--refuse-recipients");
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the SMTP sink starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    tokio::time::timeout(
        Duration::from_secs(20),
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("the SMTP sink says its port within 20 s")
    .unwrap();
    let port = line
        .trim()
        .parse()
        .expect("the sink's first line is its port");
    Sink {
        port,
        dir,
        _child: child,
    }
}

impl Sink {
    /// The messages received, waiting until there are `n`.
    pub async fn messages(&self, n: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let files: Vec<PathBuf> = (1..=n)
                .map(|i| self.dir.path().join(format!("{i}.json")))
                .collect();
            if files.iter().all(|f| f.exists()) {
                return files
                    .iter()
                    .map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap())
                    .collect();
            }
            assert!(Instant::now() < deadline, "{n} message(s) expected");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
