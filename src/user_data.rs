//! The user's own data (problem=data) in the page: a file picked, dropped anywhere on the page, kept in
//! this browser (`store`), or fetched from the link's `data_url` (`fetch`), read off the main thread
//! (`runner::Read`), and shown in the "Your data" panel (`panel`).
//!
//! The page runs on one file at a time, the one it holds. A file is read with the options of the
//! experiment it is read for (`label`, `format`, `task`, `standardize`); once read, that experiment
//! becomes the page's, pinned to the file's hash (`data_sha256`), and its runs restart on it. A file that
//! cannot be used (broken, over the page's limit, or not the one the link pins) is one notice, and the
//! page goes on with what it had: the file held, its runs, and the files kept.

mod fetch;
mod panel;
mod store;

use super::runner::{DataInfo, Read, ReadHandle, ReadOutcome, RunData};
use super::{with_app, App, Phase, Rerun};
use dynabatch_core::data::file::{size_text, DataError, Limit, Options, Sha256};
use dynabatch_core::experiment::{Experiment, Notice, ProblemKind, Wanted};
use dynabatch_core::text::{one_line, shorten, Garbling};
use fetch::FetchError;
pub use panel::{listen, render};
use store::StoredFile;
use web_sys::Blob;

/// The file the page runs problem=data on.
pub struct Held {
    pub name: String,
    /// Its bytes, to read it again with other options (and, in the serial build, for each run).
    pub blob: Blob,
    pub sha256: Sha256,
    /// What it was read with.
    pub options: Options,
    pub info: DataInfo,
    /// What each run on it is given.
    pub run_data: RunData,
}

/// What the page is doing about a file, besides running on the one it holds.
#[derive(Default)]
pub enum Activity {
    #[default]
    Idle,
    /// Looking for the experiment's file in this browser's storage.
    Looking,
    /// Fetching the link's `data_url`: bytes so far, of how many if the server said.
    Fetching {
        url: String,
        received: u64,
        total: Option<u64>,
    },
    /// A file waiting for the Web Worker pool, which reads it (the threaded build, while it boots).
    Queued(ToRead),
    /// Reading a file, off the main thread.
    Reading { file: ToRead, read: Read },
}

/// A file to read, and what for.
pub struct ToRead {
    pub name: String,
    pub blob: Blob,
    /// The experiment the file is read for: its options, and its pin, which the file must match. Once
    /// the file is read, the page's experiment takes the file from it (`Experiment::on_file_of`).
    pub experiment: Experiment,
    pub origin: Origin,
}

/// Where a file came from: whether to keep it, and whether the link's `data_url` still names it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The user picked or dropped it.
    Brought,
    /// Fetched from the link's `data_url`.
    Fetched,
    /// Kept in this browser already.
    Kept,
    /// The file held, read again with other options.
    Held,
}

/// The page's data: the file held, what is under way, and the files this browser keeps.
#[derive(Default)]
pub struct UserData {
    pub held: Option<Held>,
    pub activity: Activity,
    /// The files kept in this browser, the one used last first, as last listed.
    pub kept: Vec<StoredFile>,
    /// Counts the activities begun, so that a lookup or a fetch that answers after it was replaced is
    /// ignored.
    generation: u64,
}

impl UserData {
    /// What `experiment` asks of the file held.
    pub fn wanted(&self, experiment: &Experiment) -> Wanted {
        experiment.wants(self.held.as_ref().map(|held| (held.sha256, &held.options)))
    }

    /// The file held, if `experiment` runs on it as it was read.
    pub fn run_data(&self, experiment: &Experiment) -> Option<&RunData> {
        match self.wanted(experiment) {
            Wanted::Held => self.held.as_ref().map(|held| &held.run_data),
            Wanted::Nothing | Wanted::Reread | Wanted::Another => None,
        }
    }

    /// Replaces whatever was under way (a read is stopped as its handle drops); returns the new
    /// activity's generation.
    fn begin(&mut self, activity: Activity) -> u64 {
        self.generation += 1;
        self.activity = activity;
        self.generation
    }
}

impl App {
    /// A file the user picked or dropped. Where the experiment pins a file the page does not have, this
    /// must be that file; otherwise it is a new file, and the experiment switches to it.
    pub(crate) fn bring(&mut self, blob: Blob, name: String) {
        let experiment = if self.asks_for_pinned_file() {
            self.experiment.clone()
        } else {
            let mut experiment = self.experiment.clone();
            experiment.set("problem", ProblemKind::Data.name());
            experiment.data_sha256 = None;
            experiment
        };
        self.read_file(ToRead {
            name,
            blob,
            experiment,
            origin: Origin::Brought,
        });
    }

    /// Whether the experiment pins a file the page does not hold (the "drop it here" panel asks for it,
    /// or the page is still looking for it or fetching it): a file the user brings must be that one.
    pub(crate) fn asks_for_pinned_file(&self) -> bool {
        self.experiment.data_sha256.is_some()
            && self.data.wanted(&self.experiment) == Wanted::Another
    }

    /// Whether the experiment needs a file the page does not hold, and nothing is looking for it: the
    /// panel asks for it.
    pub(crate) fn waits_for_file(&self) -> bool {
        self.data.wanted(&self.experiment) == Wanted::Another
            && matches!(self.data.activity, Activity::Idle)
    }

    /// The experiment that control changes start from: the one a read under way will bring, if that
    /// read is only the file held read again, so that a second change adds to the first.
    pub(crate) fn experiment_to_change(&self) -> &Experiment {
        match &self.data.activity {
            Activity::Reading { file, .. } | Activity::Queued(file)
                if file.origin == Origin::Held =>
            {
                &file.experiment
            }
            _ => &self.experiment,
        }
    }

    /// Makes `next` the page's experiment: at once, or, if it reads the file held another way, once the
    /// file is read again (the runs go on meanwhile, and stay if it cannot be).
    pub(crate) fn propose(&mut self, next: Experiment, rerun: Rerun) {
        match (&self.data.held, self.data.wanted(&next)) {
            (Some(held), Wanted::Reread) => {
                let file = ToRead {
                    name: held.name.clone(),
                    blob: held.blob.clone(),
                    experiment: next,
                    origin: Origin::Held,
                };
                self.read_file(file);
            }
            _ => self.adopt(next, rerun),
        }
    }

    /// The experiment's problem or pinned file changed: what was under way for the one before is not
    /// wanted any more (a story opened while a file is read stays the story), and a file the page does
    /// not hold is looked for.
    pub(crate) fn other_file_wanted(&mut self) {
        if self.data.wanted(&self.experiment) == Wanted::Another {
            self.look_for_file();
        } else if !matches!(self.data.activity, Activity::Idle) {
            self.data.begin(Activity::Idle);
        }
    }

    /// Once the experiment wants a file the page does not hold: looks for it in this browser's storage
    /// and at the link's `data_url`; if neither has it, the panel asks for it.
    pub(crate) fn look_for_file(&mut self) {
        if self.data.wanted(&self.experiment) != Wanted::Another {
            return;
        }
        let generation = self.data.begin(Activity::Looking);
        let pin = self.experiment.data_sha256;
        let url = self.view.data_url.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let found = match (pin, url) {
                (Some(pin), url) => match store::find(pin).await {
                    Ok(Some(kept)) => Found::Kept(kept),
                    _ => url.map_or(Found::Nothing, Found::AtUrl),
                },
                (None, Some(url)) => Found::AtUrl(url),
                (None, None) => store::latest()
                    .await
                    .ok()
                    .flatten()
                    .map_or(Found::Nothing, Found::Kept),
            };
            with_app(|app| app.looked(generation, found));
        });
        self.dirty = true;
    }

    fn looked(&mut self, generation: u64, found: Found) {
        if generation != self.data.generation {
            return;
        }
        match found {
            Found::Kept((kept, blob)) => self.read_file(ToRead {
                name: kept.name,
                blob,
                experiment: self.experiment.clone(),
                origin: Origin::Kept,
            }),
            Found::AtUrl(url) => self.fetch_file(url),
            Found::Nothing => {
                self.data.begin(Activity::Idle);
            }
        }
        self.dirty = true;
    }

    fn fetch_file(&mut self, url: String) {
        let generation = self.data.begin(Activity::Fetching {
            url: url.clone(),
            received: 0,
            total: None,
        });
        wasm_bindgen_futures::spawn_local(async move {
            let fetched = fetch::fetch(&url, |bytes, of| {
                with_app(|app| {
                    // Drawn by the next frame (`poll_data`).
                    if let (
                        true,
                        Activity::Fetching {
                            received, total, ..
                        },
                    ) = (generation == app.data.generation, &mut app.data.activity)
                    {
                        (*received, *total) = (bytes, of);
                    }
                });
            })
            .await;
            with_app(|app| app.fetched(generation, url, fetched));
        });
    }

    fn fetched(&mut self, generation: u64, url: String, fetched: Result<Blob, FetchError>) {
        if generation != self.data.generation {
            return;
        }
        self.data.begin(Activity::Idle);
        self.dirty = true;
        let name = self
            .view
            .data_file
            .clone()
            .unwrap_or_else(|| file_name_of(&url));
        match fetched {
            Ok(blob) => self.read_file(ToRead {
                name,
                blob,
                experiment: self.experiment.clone(),
                origin: Origin::Fetched,
            }),
            Err(FetchError::TooLarge(error)) => {
                let cli = self.cli_hint(&self.experiment, &name);
                self.refuse(format!(
                    "data_url={}: {error}: more than this page holds ({}); download it, and {cli}",
                    shorten(&url),
                    Limit::PAGE.describe()
                ));
            }
            Err(FetchError::Failed(why)) => self.refuse(format!(
                "data_url={}: {why}; download the file, and drop it here",
                shorten(&url)
            )),
        }
    }

    /// Reads a file off the main thread (once the pool is up, in the threaded build), replacing whatever
    /// was under way. A file over the page's limit by its size alone is refused at once.
    fn read_file(&mut self, file: ToRead) {
        let bytes = file.blob.size() as u64;
        if let Err(error) = Limit::PAGE.check_size(bytes) {
            return self.refuse_file(&file, &error);
        }
        if matches!(self.phase, Phase::Booting { .. }) {
            // Nothing may touch the pool before it is up: `workers_started` starts this read.
            self.data.begin(Activity::Queued(file));
        } else {
            let read = Read::start(file.blob.clone(), &file.experiment);
            self.data.begin(Activity::Reading { file, read });
        }
        self.dirty = true;
    }

    /// The pool is up: a file that waited for it is read now.
    pub(crate) fn start_queued_read(&mut self) {
        if let Activity::Queued(_) = self.data.activity {
            if let Activity::Queued(file) = std::mem::take(&mut self.data.activity) {
                self.read_file(file);
            }
        }
    }

    /// Once per frame: how far a read or fetch is (drawn now: the rest of the page need not be), and
    /// the end of a read.
    pub(crate) fn poll_data(&mut self) {
        panel::render_progress(self);
        let Activity::Reading { read, .. } = &mut self.data.activity else {
            return;
        };
        let Some(outcome) = read.outcome() else {
            return;
        };
        if let Activity::Reading { file, .. } = std::mem::take(&mut self.data.activity) {
            self.data.generation += 1;
            self.file_read(file, outcome);
        }
    }

    fn file_read(&mut self, file: ToRead, outcome: ReadOutcome) {
        let (sha256, data) = match outcome {
            ReadOutcome::Unreadable(why) => {
                return self.refuse(format!(
                    "{}: the browser could not read it ({why})",
                    shorten(&file.name)
                ))
            }
            ReadOutcome::Read { sha256, data } => (sha256, *data),
        };
        // A wrong file is told apart from a broken one: the hash first.
        if let Err(wrong) = file.experiment.check_pinned(&shorten(&file.name), sha256) {
            return self.refuse(wrong);
        }
        let (info, run_data) = match data {
            Ok(read) => read,
            Err(error) => return self.refuse_file(&file, &error),
        };
        let (mut next, notices) = self.experiment.on_file_of(&file.experiment);
        next.data_sha256 = Some(sha256);
        if file.origin == Origin::Brought {
            // A new file: the notices about earlier ones are done with.
            self.notices.clear();
            if file.experiment.data_sha256 != Some(sha256) {
                // The link's address is another file's.
                self.view.data_url = None;
            }
        }
        self.notices.extend(notices);
        self.view.data_file = Some(file.name.clone());
        let kept = StoredFile {
            sha256,
            name: file.name.clone(),
            bytes: info.bytes,
            summary: info.summary.clone(),
            used: js_sys::Date::now(),
        };
        self.keep(kept, &file.blob, file.origin);
        self.data.held = Some(Held {
            name: file.name,
            blob: file.blob,
            sha256,
            options: next.file_options(),
            info,
            run_data,
        });
        self.adopt(next, Rerun::Always);
    }

    /// Keeps a file read in this browser (or marks a kept one as used), then lists the kept files again.
    fn keep(&mut self, file: StoredFile, blob: &Blob, origin: Origin) {
        let blob = blob.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let kept = match origin {
                Origin::Brought | Origin::Fetched => store::keep(&file, &blob).await,
                Origin::Kept => store::touch(file.sha256).await,
                Origin::Held => Ok(()),
            };
            with_app(|app| {
                if let Err(why) = kept {
                    app.notices.push(Notice::for_link(
                        "data",
                        format!(
                            "{} could not be kept in this browser ({why})",
                            shorten(&file.name)
                        ),
                        "it is used for this visit only",
                    ));
                    app.dirty = true;
                }
            });
            list_kept().await;
        });
    }

    /// Runs on a kept file (the list's "Use").
    pub(crate) fn use_kept(&mut self, sha256: Sha256) {
        let mut next = self.experiment.clone();
        next.set("problem", ProblemKind::Data.name());
        next.data_sha256 = Some(sha256);
        if self.experiment.data_sha256 != Some(sha256) {
            self.view.data_file = None;
            self.view.data_url = None;
        }
        self.notices.clear();
        self.propose(next, Rerun::IfChanged);
    }

    /// Forgets a kept file (the list's "Forget"). The file held stays in use until the page closes.
    pub(crate) fn forget_kept(&mut self, sha256: Sha256) {
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(why) = store::forget(sha256).await {
                with_app(|app| {
                    app.notices = vec![Notice::for_link(
                        "data",
                        format!("the file could not be forgotten ({why})"),
                        "",
                    )];
                    app.dirty = true;
                });
            }
            list_kept().await;
        });
    }

    /// A file that cannot be used, said in one notice: what is wrong (and, past the page's limit, how
    /// large it is, what the page holds, and the CLI command that runs it).
    fn refuse_file(&mut self, file: &ToRead, error: &DataError) {
        let name = shorten(&file.name);
        if !error.over_limit {
            return self.refuse(format!("{name}: {error}"));
        }
        let cli = self.cli_hint(&file.experiment, &file.name);
        self.refuse(format!(
            "{name} ({}): {error}: more than this page holds ({}); {cli}",
            size_text(file.blob.size() as u64),
            Limit::PAGE.describe()
        ));
    }

    /// "the CLI can run it: dynabatch run '<link>' --data FILE".
    fn cli_hint(&self, experiment: &Experiment, name: &str) -> String {
        let mut on_file = experiment.clone();
        on_file.problem = ProblemKind::Data;
        format!(
            "the CLI can run it: dynabatch run '{}' --data {}",
            on_file.to_query(),
            shell_word(name)
        )
    }

    /// Says why a file was not used, in place of the notices before; the page goes on as it was.
    fn refuse(&mut self, problem: String) {
        let action = match (&self.data.held, self.data.run_data(&self.experiment)) {
            (Some(held), Some(_)) => format!("still running on {}", shorten(&held.name)),
            _ => "nothing changed".to_string(),
        };
        self.notices = vec![Notice::for_link("data", problem, &action)];
        // A control changed for a read that failed goes back to what runs.
        super::controls::show(&self.experiment, &self.view.hide);
        self.dirty = true;
    }

    /// Lists the kept files (at start).
    pub(crate) fn list_kept(&self) {
        wasm_bindgen_futures::spawn_local(list_kept());
    }

    /// What `window.dynabatch.status()` says of the data.
    pub(crate) fn data_status(&self) -> DataStatus {
        let held = self.data.held.as_ref();
        let in_use = self.data.run_data(&self.experiment).and(held);
        let state = match &self.data.activity {
            _ if self.experiment.problem != ProblemKind::Data => "none",
            Activity::Looking => "looking",
            Activity::Fetching { .. } => "fetching",
            Activity::Queued(_) | Activity::Reading { .. } => "reading",
            Activity::Idle if in_use.is_some() => "ready",
            Activity::Idle => "missing",
        };
        DataStatus {
            state,
            file: in_use.map(|held| held.name.clone()),
            sha256: in_use.map(|held| held.sha256.to_string()),
            summary: in_use.map(|held| held.info.summary.clone()),
            kept: self.data.kept.iter().map(|k| k.name.clone()).collect(),
        }
    }
}

/// The data, as `window.dynabatch.status()` reports it.
#[derive(serde::Serialize)]
pub struct DataStatus {
    /// "none" (not problem=data), "looking", "fetching", "reading", "ready" or "missing" (the panel asks).
    state: &'static str,
    /// The file the runs train on.
    file: Option<String>,
    sha256: Option<String>,
    summary: Option<String>,
    /// The names of the files kept in this browser, the one used last first.
    kept: Vec<String>,
}

/// What a look for the experiment's file found.
enum Found {
    Kept((StoredFile, Blob)),
    AtUrl(String),
    Nothing,
}

async fn list_kept() {
    let kept = store::list().await.unwrap_or_default();
    with_app(|app| {
        app.data.kept = kept;
        app.dirty = true;
    });
}

/// The last part of an address's path, for a fetched file's name: `…/iris.csv?raw=1` → `iris.csv`.
fn file_name_of(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|part| !part.is_empty() && !part.contains(':'))
        .unwrap_or("data")
        .to_string()
}

/// A file name as one word of a shell command: as it is where that is safe, else in single quotes.
fn shell_word(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/+".contains(c));
    if plain && !name.is_empty() {
        name.to_string()
    } else {
        let clean = one_line(name, Garbling::Controls);
        format!("'{}'", clean.replace('\'', r"'\''"))
    }
}
