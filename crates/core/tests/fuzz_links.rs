//! The short fuzz run, in every `cargo test`: hostile links of every shape (raw bytes, percent-encoding
//! garbage, unicode, markup, parameter-shaped pairs with extreme values), 20,000 cases in all, against the
//! same invariants as the cargo-fuzz target (`fuzz/`, the long run; see docs/LIMITS.md).

#[path = "../../../fuzz/invariants.rs"]
mod invariants;

use dynabatch_core::params::PARAMS;
use proptest::prelude::*;

/// Keys as a link may hold them: every real one, and some that are not.
fn key() -> impl Strategy<Value = String> {
    let mut names: Vec<String> = PARAMS.iter().map(|p| p.name.to_string()).collect();
    names.extend(["v", "", "n ", "T%00", "%3Cscript%3E", "N[]", "ñ", "compare"].map(String::from));
    prop_oneof![
        4 => proptest::sample::select(names),
        1 => "\\PC{0,12}",
    ]
}

/// Values as a link may hold them: numbers at and past every edge, words, markup and garbage.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "0",
            "-0",
            "1",
            "-1",
            "1e308",
            "-1e308",
            "1e-320",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "Infinity",
            "9007199254740993",
            "18446744073709551616",
            "4294967296",
            "1000000",
            "1000001",
            "0x10",
            "1_000",
            " 7 ",
            "+3",
            "2.",
            ".5",
            "1e",
            "auto",
            "AUTO",
            "",
            "%",
            "%ZZ",
            "%zz%",
            "%E2%82",
            "%FF%FE",
            "%00",
            "crpsgd",
            "psgd",
            "catalyst",
            "local",
            "digits-mlp",
            "synthetic",
            "landscape",
            "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
            "<script>alert(1)</script>",
            "\u{202e}1",
            "١٢",
            "𝟗",
            "\u{feff}5",
        ])
        .prop_map(String::from),
        "-?[0-9]{1,20}(\\.[0-9]{0,8})?([eE][-+]?[0-9]{1,3})?",
        "\\PC{0,30}",
        "(%[0-9A-Fa-fZz]{0,2}){1,10}",
    ]
}

fn pairs() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            key(),
            value(),
            proptest::sample::select(vec!["=", "", "=="]),
        ),
        0..24,
    )
    .prop_map(|pairs| {
        let parts: Vec<String> = pairs
            .into_iter()
            .map(|(k, v, eq)| format!("{k}{eq}{v}"))
            .collect();
        parts.join("&")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8_000, ..ProptestConfig::default() })]

    /// Parameter-shaped links with hostile values: the cases most likely to reach every check.
    #[test]
    fn parameter_shaped_links(query in pairs(), prefix in proptest::sample::select(vec!["", "?", "??", "&"])) {
        invariants::check(&format!("{prefix}{query}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6_000, ..ProptestConfig::default() })]

    /// Any bytes at all, read as the page would after percent-decoding.
    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        invariants::check(&String::from_utf8_lossy(&bytes));
    }

    /// Any unicode text, including the separators and escapes a link uses.
    #[test]
    fn arbitrary_text(text in "[\\PC&=%+?#;]{0,200}") {
        invariants::check(&text);
    }
}

/// Long values are read (and shortened in messages) without trouble.
#[test]
fn ten_kilobyte_values_and_keys() {
    let long = "9".repeat(10_000);
    for query in [
        format!("N={long}"),
        format!("T=0.{long}"),
        format!("{long}=1"),
        // Found by the long run: a duplicated long unknown key is quoted back, shortened.
        format!("{long}%01=1&{long}%01=2"),
        format!("alg={}", "%3C".repeat(3_000)),
        format!("every={long}&T={long}&hidden={long}&problem=digits-mlp"),
    ] {
        invariants::check(&query);
    }
}
