//! The files an operator installs from `deploy/` are valid as written.

use std::process::Command;

/// `systemd-analyze verify` accepts the node's unit without a single remark. The program path
/// is pointed at the binary under test, since verify checks that it exists; every other line
/// is checked as shipped (a misspelt or misvalued key is only a warning, so any output fails).
#[test]
fn the_service_unit_passes_systemd_analyze_verify_without_a_remark() {
    let unit = include_str!("../../../../deploy/ecoute.service");
    assert!(unit.contains("ExecStart=/usr/local/bin/ecoute serve"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ecoute.service");
    std::fs::write(
        &path,
        unit.replace("/usr/local/bin/ecoute", env!("CARGO_BIN_EXE_ecoute")),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze (Debian's systemd package, installed by .ci/run)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && said.trim().is_empty(), "{said}");
}
