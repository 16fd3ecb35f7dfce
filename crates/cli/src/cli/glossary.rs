//! `dynabatch glossary`: the lab's terms, in the words the page's glossary and "?" marks show.

use super::{unwritten, Stop};
use std::io::Write;
use std::process::ExitCode;

pub fn glossary() -> Result<ExitCode, Stop> {
    let mut out = std::io::stdout().lock();
    out.write_all(dynabatch_core::glossary::as_text().as_bytes())
        .and_then(|()| out.flush())
        .map_err(unwritten)?;
    Ok(ExitCode::SUCCESS)
}
