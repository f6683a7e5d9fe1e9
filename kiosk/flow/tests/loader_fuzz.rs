//! The loader never panics, whatever it is given: arbitrary bytes, YAML-looking noise,
//! and mutations of a real flow.

use kiosk_flow::{load_dataset, load_dataset_bytes, load_flow, load_flow_bytes, Datasets};
use proptest::prelude::*;

const VALID: &str = include_str!("../../../flows/eclairage-public.yaml");

fn datasets() -> Datasets {
    let loaded = load_dataset(include_str!("../../../flows/data/communes.yaml"));
    let mut map = Datasets::new();
    if let Some(d) = loaded.value {
        map.insert(d.id.clone(), d);
    }
    map
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = load_flow_bytes(&bytes, &Datasets::new());
        let _ = load_dataset_bytes(&bytes);
        let _ = load_flow(&String::from_utf8_lossy(&bytes), &Datasets::new());
    }

    #[test]
    fn yaml_like_noise_never_panics(text in "([a-z_]{1,8}: ?(\\{[a-z ]*\\}|'[^']{0,6}|\"|[0-9-]{0,4}|\\[|\\]|today[+-][0-9]{1,3}[dwmy])?\n( {2,4}- ?)?){0,30}") {
        let _ = load_flow(&text, &Datasets::new());
    }

    #[test]
    fn mutated_real_flow_never_panics(cut in 0usize..4000, insert in "[ -~\n]{0,12}", drop in 0usize..40) {
        let datasets = datasets();
        let mut chars: Vec<char> = VALID.chars().collect();
        let at = cut.min(chars.len());
        let end = (at + drop).min(chars.len());
        chars.splice(at..end, insert.chars());
        let text: String = chars.into_iter().collect();
        let loaded = load_flow(&text, &datasets);
        // Whatever happened, every diagnostic points inside the file.
        let lines = text.lines().count().max(1) + 1;
        for d in &loaded.diagnostics {
            prop_assert!(d.position.line >= 1 && d.position.line <= lines, "{d} outside {lines} lines");
        }
    }
}

#[test]
fn the_valid_flow_loads() {
    let loaded = load_flow(VALID, &datasets());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
}
