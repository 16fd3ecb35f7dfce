//! What an experiment asks of a user's file (problem=data): how to read it, whether the file a shell
//! holds will do, and whether a file read is the one the link pins.
//!
//! Here, and not in the reader: the reader (`data::file`) takes plain values and knows nothing of links.

use super::Experiment;
use crate::choices::ProblemKind;
use crate::data::file::{Options, Sha256};

/// What an experiment asks of the file a shell holds: the page keeps the file it has read, and reads a
/// file again only when the experiment asks for it another way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// Not problem=data: no file.
    Nothing,
    /// The file held, as it was read: run on it.
    Held,
    /// The file held, read again with the experiment's options (`label`, `format`, `task`,
    /// `standardize` changed).
    Reread,
    /// Another file: the one the experiment pins, or any file, when none is held.
    Another,
}

impl Experiment {
    /// How its file is to be read: the link's `format`, `label`, `task` and `standardize`.
    pub fn file_options(&self) -> Options {
        Options {
            format: self.format,
            label: self.label.clone(),
            task: self.task,
            standardize: self.standardize,
        }
    }

    /// `held`: the hash of the file held and the options it was read with. An experiment that pins no
    /// file takes the one held.
    pub fn wants(&self, held: Option<(Sha256, &Options)>) -> Wanted {
        if self.problem != ProblemKind::Data {
            return Wanted::Nothing;
        }
        match held {
            Some((sha256, _)) if self.data_sha256.is_some_and(|pin| pin != sha256) => {
                Wanted::Another
            }
            Some((_, options)) if *options == self.file_options() => Wanted::Held,
            Some(_) => Wanted::Reread,
            None => Wanted::Another,
        }
    }

    /// A file must be the one the link pins, if it pins one: otherwise "NAME has SHA-256 …, but the link
    /// pins data_sha256=…: it is not the file the link was made with" (`name` as the caller shows it),
    /// one message for both shells.
    pub fn check_pinned(&self, name: &str, sha256: Sha256) -> Result<(), String> {
        match self.data_sha256 {
            Some(pinned) if pinned != sha256 => Err(format!(
                "{name} has SHA-256 {sha256}, but the link pins data_sha256={pinned}: it is not the file the link was made with"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(query: &str) -> Experiment {
        Experiment::from_query(query).0
    }

    #[test]
    fn a_pinned_hash_must_match() {
        let sha = Sha256::of(b"abc");
        let other = Sha256::of(b"abd");
        let pinning = |hash: Sha256| link(&format!("problem=data&data_sha256={hash}"));
        assert_eq!(link("problem=data").check_pinned("x.csv", sha), Ok(()));
        assert_eq!(pinning(sha).check_pinned("x.csv", sha), Ok(()));
        assert_eq!(
            pinning(other).check_pinned("x.csv", sha),
            Err(format!(
                "x.csv has SHA-256 {sha}, but the link pins data_sha256={other}: it is not the file the link was made with"
            ))
        );
    }

    #[test]
    fn what_an_experiment_wants_of_the_file_held() {
        let sha = Sha256::of(b"abc");
        let other = Sha256::of(b"abd");
        let options = Options::default();
        let held = Some((sha, &options));
        assert_eq!(link("problem=digits").wants(held), Wanted::Nothing);
        assert_eq!(link("problem=digits").wants(None), Wanted::Nothing);
        assert_eq!(
            link("problem=data").wants(held),
            Wanted::Held,
            "no pin: the file held"
        );
        assert_eq!(link("problem=data").wants(None), Wanted::Another);
        let pinned = format!("problem=data&data_sha256={sha}");
        assert_eq!(link(&pinned).wants(held), Wanted::Held);
        assert_eq!(
            link(&format!("{pinned}&label=1")).wants(held),
            Wanted::Reread
        );
        assert_eq!(
            link(&format!("{pinned}&standardize=0")).wants(held),
            Wanted::Reread
        );
        assert_eq!(
            link(&format!("problem=data&data_sha256={other}&label=1")).wants(held),
            Wanted::Another,
            "another file, whatever the options"
        );
    }

    #[test]
    fn a_links_defaults_read_a_file_as_the_reader_does_by_default() {
        assert_eq!(Experiment::default().file_options(), Options::default());
    }
}
