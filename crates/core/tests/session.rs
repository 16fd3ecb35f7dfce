//! A session's slices with a fake clock: pacing, pause, step credits, cancellation, the end of a run,
//! and rows equal to an undisturbed run's.

use dynabatch_core::algorithms::Trainer;
use dynabatch_core::experiment::Experiment;
use dynabatch_core::metrics::Row;
use dynabatch_core::session::{Clock, Commands, Curvature, Host, Next, Pace, Session, SLICE_MS};
use std::cell::Cell;

/// Time moves only when told, or by `tick` at every reading.
struct FakeClock {
    now: Cell<f64>,
    tick: f64,
}

impl FakeClock {
    fn ticking(tick: f64) -> FakeClock {
        FakeClock {
            now: Cell::new(0.0),
            tick,
        }
    }

    fn wait(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.now.set(self.now.get() + self.tick);
        self.now.get()
    }
}

#[derive(Default)]
struct Page {
    commands: Commands,
    rows: Vec<Row>,
    /// Cancel after this many looks at `cancelled`.
    cancel_after_looks: Option<Cell<u32>>,
    commands_taken: u32,
}

impl Host for Page {
    fn take_commands(&mut self) -> Commands {
        self.commands_taken += 1;
        std::mem::take(&mut self.commands)
    }

    fn cancelled(&self) -> bool {
        self.cancel_after_looks.as_ref().is_some_and(|looks| {
            looks.set(looks.get().saturating_sub(1));
            looks.get() == 0
        })
    }

    fn post(&mut self, row: Row) {
        self.rows.push(row);
    }
}

const SHORT: &str = "alg=psgd&B1=1&T=40&every=1";

fn experiment(query: &str) -> Experiment {
    Experiment::from_query_strict(query).expect("a valid query")
}

/// Advances until the run is over, waiting as asked; returns every row, the start row first.
fn run_to_end(session: &mut Session, clock: &FakeClock, page: &mut Page) -> Next {
    loop {
        match session.advance(clock, page) {
            Next::After(ms) => clock.wait(ms),
            next => return next,
        }
    }
}

#[test]
fn a_run_in_slices_gives_the_rows_of_an_undisturbed_run() {
    let e = experiment(SHORT);
    let (clock, mut page) = (FakeClock::ticking(1.0), Page::default());
    let mut session = Session::new(&e, Pace::Fast, None);
    page.rows.push(session.trainer().start_row());
    assert_eq!(run_to_end(&mut session, &clock, &mut page), Next::Done);
    assert_eq!(page.rows, Trainer::new(&e).run_to_end());
    assert_eq!(
        session.advance(&clock, &mut page),
        Next::Done,
        "over stays over"
    );
}

/// A session on a user's file (problem=data) is the same run as its trainer's.
#[test]
fn a_session_on_a_data_file_gives_the_rows_of_its_trainer() {
    use dynabatch_core::data::file::{read, Limit};
    let e = experiment("problem=data&alg=psgd&B1=2&T=60&every=1&task=least-squares");
    let text: String = (0..50)
        .map(|i| format!("{},{},{}\n", i % 7, (i * i) % 11, (3 * i) % 13))
        .collect();
    let data = read(text.as_bytes(), &e.file_options(), Limit::NONE).expect("valid");
    let (clock, mut page) = (FakeClock::ticking(1.0), Page::default());
    let mut session = Session::with_data(&e, &data, Pace::Fast, None);
    page.rows.push(session.trainer().start_row());
    assert_eq!(run_to_end(&mut session, &clock, &mut page), Next::Done);
    assert_eq!(page.rows, Trainer::with_data(&e, &data).run_to_end());
    assert_eq!(page.rows.len(), 31);
}

/// Both builds of the page start a run with `Session::start`: the start row first, before the
/// curvature, which is measured only when asked for.
#[test]
fn a_started_run_hands_over_its_start_row_and_measures_the_curvature_only_if_asked() {
    let e = experiment(SHORT);
    let mut posted = Vec::new();
    let started = Session::start(
        &e,
        None,
        Pace::Fast,
        None,
        Curvature::Measure,
        |trainer, row| {
            assert_eq!(trainer.round(), 0);
            posted.push(row);
        },
    );
    assert_eq!(posted, [Trainer::new(&e).start_row()]);
    assert!(
        started.conditioning.is_some(),
        "breast-cancer is strongly convex"
    );
    let skipped = Session::start(&e, None, Pace::Fast, None, Curvature::Skip, |_, _| {});
    assert!(skipped.conditioning.is_none());
    let (clock, mut page) = (FakeClock::ticking(1.0), Page::default());
    let mut session = started.session;
    page.rows.extend(posted);
    assert_eq!(run_to_end(&mut session, &clock, &mut page), Next::Done);
    assert_eq!(page.rows, Trainer::new(&e).run_to_end());
}

#[test]
fn fast_slices_last_about_16_ms_and_watch_pace_spreads_rounds_over_two_seconds() {
    let e = experiment(SHORT);
    let (clock, mut page) = (FakeClock::ticking(1.0), Page::default());
    let mut fast = Session::new(&e, Pace::Fast, None);
    assert_eq!(fast.advance(&clock, &mut page), Next::After(0.0));
    // One reading at the start, then two per round (the round's start and end): 1 ms each.
    let rounds = page.rows.len() as f64;
    assert!(
        (SLICE_MS / 2.0 - 1.0..=SLICE_MS / 2.0 + 1.0).contains(&rounds),
        "{rounds} rounds"
    );

    // 40 rounds over 2 s: one every 50 ms, one a slice.
    let (clock, mut page) = (FakeClock::ticking(0.0), Page::default());
    let mut watch = Session::new(&e, Pace::Watch, None);
    assert_eq!(watch.advance(&clock, &mut page), Next::After(50.0));
    assert_eq!(page.rows.len(), 1);
    clock.wait(60.0);
    assert_eq!(
        watch.advance(&clock, &mut page),
        Next::After(40.0),
        "the schedule is absolute"
    );
    clock.wait(500.0);
    // Late, at 560 ms: the rounds that fell due meanwhile run at once, up to the 12th, due at 550 ms.
    assert_eq!(watch.advance(&clock, &mut page), Next::After(40.0));
    assert_eq!(page.rows.len(), 12);
}

#[test]
fn a_long_pause_is_not_made_up_for_with_a_burst() {
    let e = experiment(SHORT);
    let (clock, mut page) = (FakeClock::ticking(0.0), Page::default());
    let mut watch = Session::new(&e, Pace::Watch, None);
    assert_eq!(watch.advance(&clock, &mut page), Next::After(50.0));
    page.commands.set_paused(true);
    assert_eq!(watch.advance(&clock, &mut page), Next::Paused);
    clock.wait(10_000.0);
    page.commands.set_paused(false);
    assert_eq!(watch.advance(&clock, &mut page), Next::After(50.0));
    assert_eq!(page.rows.len(), 2);
}

#[test]
fn a_paused_run_steps_one_recorded_round_per_step_and_steps_add_up() {
    let e = experiment(SHORT);
    let (clock, mut page) = (FakeClock::ticking(1.0), Page::default());
    let mut session = Session::new(&e, Pace::Fast, None);
    page.commands.set_paused(true);
    assert_eq!(session.advance(&clock, &mut page), Next::Paused);
    assert!(page.rows.is_empty());
    page.commands.step();
    assert_eq!(session.advance(&clock, &mut page), Next::Paused);
    assert_eq!(page.rows.len(), 1);
    // Two steps asked between slices, and a play and pause in between: pause is the last word.
    page.commands.step();
    page.commands.set_paused(false);
    page.commands.step();
    assert_eq!(session.advance(&clock, &mut page), Next::Paused);
    assert_eq!(page.rows.len(), 3);
    assert_eq!(page.rows[2].round, 3);
    page.commands.set_paused(false);
    assert_eq!(run_to_end(&mut session, &clock, &mut page), Next::Done);
    assert_eq!(page.rows.len(), 40);
}

#[test]
fn commands_are_read_before_every_recorded_round() {
    let e = experiment(SHORT);
    let (clock, mut page) = (FakeClock::ticking(0.0), Page::default());
    let mut session = Session::new(&e, Pace::Fast, None);
    // No time passes: the slice ends with the run, having looked before each of the 40 rounds.
    assert_eq!(session.advance(&clock, &mut page), Next::Done);
    assert_eq!(page.commands_taken, 41);
}

#[test]
fn a_replaced_run_stops_between_unrecorded_rounds() {
    // Rows far apart: without looks between them, the first row would take 100,000 rounds.
    let e = experiment("alg=psgd&B1=1&T=200000&every=100000");
    let clock = FakeClock::ticking(0.0);
    let mut page = Page {
        cancel_after_looks: Some(Cell::new(3)),
        ..Page::default()
    };
    let mut session = Session::new(&e, Pace::Fast, None);
    assert_eq!(session.advance(&clock, &mut page), Next::Cancelled);
    assert!(page.rows.is_empty());
    assert_eq!(
        session.trainer().round(),
        128,
        "two looks of 64 rounds each"
    );
}

#[test]
fn a_diverging_run_names_what_went_non_finite() {
    let e = experiment("alg=psgd&gamma=100&lambda=10&T=2000");
    let (clock, mut page) = (FakeClock::ticking(1.0), Page::default());
    let mut session = Session::new(&e, Pace::Fast, None);
    let next = run_to_end(&mut session, &clock, &mut page);
    assert!(
        matches!(
            next,
            Next::Diverged("loss" | "gradient" | "iterate" | dynabatch_core::algorithms::RUNAWAY)
        ),
        "{next:?}"
    );
}
