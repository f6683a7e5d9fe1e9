//! The documented limits (flows/README.md, "Limits"): a file over 1 Mo, a flow of more than
//! 1,000 steps and a list of more than 2,000 options are refused with one French message at
//! an exact place, and files at the limits load. The files are generated: a 1 Mo fixture
//! would weigh on the repository.

use kiosk_flow::{load_dataset_bytes, load_flow_bytes, Datasets, Limits};

const HEAD: &str = "id: long\nversion: 1\ntitle: Un long parcours\nkind: procedure\n\
                    service: essai\ndescription: Un parcours à la limite.\nsteps:\n";
const END: &str = "  - id: fin\n    end: Merci.\n";

/// A flow of `steps` steps: information steps, then an end.
fn flow_of(steps: usize) -> String {
    let mut yaml = HEAD.to_string();
    for i in 1..steps {
        yaml.push_str(&format!("  - id: e{i}\n    info: Une information.\n"));
    }
    yaml + END
}

/// A flow whose one question has `options` options.
fn flow_with_options(options: usize) -> String {
    let mut yaml = HEAD.to_string();
    yaml.push_str(
        "  - id: choix\n    ask: Lequel ?\n    label: Choix\n    type: choice\n\
         \x20   help: Dites un numéro.\n    reprompt: Dites un numéro.\n    options:\n",
    );
    for i in 0..options {
        yaml.push_str(&format!("      - {{ id: o{i}, label: Option {i} }}\n"));
    }
    yaml + END
}

fn errors(yaml: &[u8]) -> Vec<String> {
    load_flow_bytes(yaml, &Datasets::new())
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn a_flow_of_more_than_1000_steps_is_refused_at_its_steps() {
    assert_eq!(Limits::DOCUMENTED.max_steps, 1_000);
    assert_eq!(errors(flow_of(1_000).as_bytes()), Vec::<String>::new());
    assert_eq!(
        errors(flow_of(1_001).as_bytes()),
        ["8:3: trop d'étapes : 1001 pour 1000 au plus : découpez ce parcours en plusieurs parcours"]
    );
}

#[test]
fn a_list_of_more_than_2000_options_is_refused_at_the_list() {
    assert_eq!(Limits::DOCUMENTED.max_options, 2_000);
    assert_eq!(
        errors(flow_with_options(2_000).as_bytes()),
        Vec::<String>::new()
    );
    assert_eq!(
        errors(flow_with_options(2_001).as_bytes()),
        ["15:7: trop d'options : 2001 pour 2000 au plus : regroupez-les, ou posez deux questions"]
    );
    let mut dataset = String::from("id: grand\ntitle: Un grand jeu\noptions:\n");
    for i in 0..2_001 {
        dataset.push_str(&format!("  - {{ id: o{i}, label: Option {i} }}\n"));
    }
    let loaded = load_dataset_bytes(dataset.as_bytes());
    assert!(loaded.value.is_none());
    assert_eq!(
        loaded
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
        ["4:3: trop d'options : 2001 pour 2000 au plus : regroupez-les, ou posez deux questions"]
    );
}

#[test]
fn a_file_over_1_mo_is_refused_before_it_is_read() {
    let limit = Limits::DOCUMENTED.max_bytes;
    assert_eq!(limit, 1024 * 1024);
    // A valid flow padded with a comment up to exactly the limit, then one byte more.
    let mut yaml = flow_of(3).into_bytes();
    yaml.extend(b"# ");
    yaml.resize(limit - 1, b'x');
    yaml.push(b'\n');
    assert_eq!(errors(&yaml), Vec::<String>::new());
    yaml.push(b'\n');
    let too_big = ["1:1: le fichier est trop gros (plus de 1 Mo) : découpez-le en plusieurs fichiers plus courts"];
    assert_eq!(errors(&yaml), too_big);
    assert_eq!(
        load_dataset_bytes(&yaml)
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>(),
        too_big
    );
}
