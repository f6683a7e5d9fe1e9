//! What the loader's corpus tests share.

use kiosk_flow::{load_dataset, Datasets};

/// The datasets the corpus flows may name (`tests/broken/data/`).
pub fn corpus_datasets() -> Datasets {
    let mut map = Datasets::new();
    let loaded = load_dataset(include_str!("../broken/data/communes.yaml"));
    let dataset = loaded.value.expect("the test dataset loads");
    map.insert(dataset.id.clone(), dataset);
    map
}
