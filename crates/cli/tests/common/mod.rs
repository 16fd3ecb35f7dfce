//! What the CLI's test files share.

use std::process::Command;

/// Runs `dynabatch` with `args`: its exit status, stdout and stderr.
pub fn dynabatch(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dynabatch"))
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
