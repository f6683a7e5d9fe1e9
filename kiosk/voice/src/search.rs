//! The recognizer's search: how wide Vosk's decoder looks (its beam, the most states it keeps
//! active, the lattice's beam).
//!
//! Vosk takes these only from the model's `conf/model.conf`, and the small models ship a search
//! sized for long dictation (`--max-active=3000 --beam=10.0`). A kiosk's free answers are a few
//! words (a name, a street) and a Raspberry Pi has a quarter of a desktop core's speed;
//! [`Search::KIOSK`] narrows the search for them. Measured with `cargo bench -p kiosk-voice
//! --bench recognition_search` (40 utterances, 122 s, the Korean development model, free mode):
//! real-time factor 0.22-0.24 with the model's search, 0.15-0.17 at beam 9 and 2000 states,
//! 0.13-0.14 at beam 8 and 1500 (the kiosk's), 0.125-0.136 at beam 7. Grammar mode is not
//! affected (0.04). The free recognition of what the registries ship cannot be scored (espeak-ng's
//! Korean is not understood by the model, with or without narrowing), so the narrowing stops
//! where the gain flattens: what it costs in accuracy on real French speech is to be checked on a
//! kiosk (`[voice] narrow_search = false` restores the model's search). Every free answer is read
//! back to the citizen before it is kept. A setting never widens the model's own: each value is
//! the narrower of the two.
//!
//! To apply it, the model is loaded through a view: a temporary folder holding links to the
//! model's parts and a copy of its `conf/` with `model.conf` rewritten. Vosk reads every file
//! when the model loads, so the view is deleted right after.

use std::path::Path;

/// A decoder search (Kaldi's option names in `model.conf`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    /// `--beam`: how far below the best path a state may score and stay.
    pub beam: f32,
    /// `--max-active`: the most states kept per frame.
    pub max_active: u32,
    /// `--lattice-beam`: how much of the search the lattice (word confidences) keeps.
    pub lattice_beam: f32,
}

impl Search {
    /// The kiosk's search for short answers (see the module's measurements).
    pub const KIOSK: Search = Search {
        beam: 8.0,
        max_active: 1500,
        lattice_beam: 2.0,
    };

    /// The search a model's `conf/model.conf` asks for (Kaldi's defaults where it is silent).
    pub fn of_model(model_dir: &Path) -> std::io::Result<Search> {
        let conf = std::fs::read_to_string(model_dir.join("conf").join("model.conf"))?;
        let mut search = Search {
            beam: 16.0,
            max_active: u32::MAX,
            lattice_beam: 10.0,
        };
        for line in conf.lines() {
            let Some((key, value)) = line.trim().split_once('=') else {
                continue;
            };
            match key {
                "--beam" => search.beam = value.parse().unwrap_or(search.beam),
                "--max-active" => search.max_active = value.parse().unwrap_or(search.max_active),
                "--lattice-beam" => {
                    search.lattice_beam = value.parse().unwrap_or(search.lattice_beam)
                }
                _ => {}
            }
        }
        Ok(search)
    }

    /// Each value the narrower of `self` and `other`.
    pub fn narrowest(self, other: Search) -> Search {
        Search {
            beam: self.beam.min(other.beam),
            max_active: self.max_active.min(other.max_active),
            lattice_beam: self.lattice_beam.min(other.lattice_beam),
        }
    }

    /// `model.conf` with this search, narrowed by the model's own: the search lines replaced,
    /// every other line kept.
    fn rewrite(self, conf: &str, model: Search) -> String {
        let search = self.narrowest(model);
        let mut out: String = conf
            .lines()
            .filter(|line| {
                let key = line.trim().split('=').next().unwrap_or_default();
                !matches!(key, "--beam" | "--max-active" | "--lattice-beam")
            })
            .map(|line| format!("{line}\n"))
            .collect();
        out.push_str(&format!(
            "--beam={}\n--max-active={}\n--lattice-beam={}\n",
            search.beam, search.max_active, search.lattice_beam
        ));
        out
    }

    /// A temporary view of the model at `model_dir` with this search; deleted when dropped.
    pub(crate) fn view(self, model_dir: &Path) -> std::io::Result<tempfile::TempDir> {
        let model_dir = std::fs::canonicalize(model_dir)?;
        let model = Search::of_model(&model_dir)?;
        let view = tempfile::Builder::new()
            .prefix("kiosk-vosk-view-")
            .tempdir()?;
        for entry in std::fs::read_dir(&model_dir)? {
            let entry = entry?;
            if entry.file_name() != "conf" {
                std::os::unix::fs::symlink(entry.path(), view.path().join(entry.file_name()))?;
            }
        }
        let conf = view.path().join("conf");
        std::fs::create_dir(&conf)?;
        for entry in std::fs::read_dir(model_dir.join("conf"))? {
            let entry = entry?;
            let target = conf.join(entry.file_name());
            if entry.file_name() == "model.conf" {
                let text = std::fs::read_to_string(entry.path())?;
                std::fs::write(target, self.rewrite(&text, model))?;
            } else {
                std::fs::copy(entry.path(), target)?;
            }
        }
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL_MODEL: &str = "--min-active=200\n--max-active=3000\n--beam=10.0\n\
        --lattice-beam=2.0\n--frame-subsampling-factor=3\n";

    #[test]
    fn the_search_lines_are_replaced_and_never_widened() {
        let model = Search {
            beam: 10.0,
            max_active: 3000,
            lattice_beam: 2.0,
        };
        let wide = Search {
            beam: 13.0,
            max_active: 1000,
            lattice_beam: 6.0,
        };
        let conf = wide.rewrite(SMALL_MODEL, model);
        assert_eq!(
            conf,
            "--min-active=200\n--frame-subsampling-factor=3\n\
             --beam=10\n--max-active=1000\n--lattice-beam=2\n"
        );
    }

    #[test]
    fn a_view_links_the_model_and_rewrites_only_its_search() {
        let model = tempfile::tempdir().expect("model");
        for part in ["am", "graph", "ivector"] {
            std::fs::create_dir(model.path().join(part)).expect("part");
        }
        std::fs::write(model.path().join("am/final.mdl"), b"acoustic").expect("am");
        std::fs::create_dir(model.path().join("conf")).expect("conf");
        std::fs::write(model.path().join("conf/model.conf"), SMALL_MODEL).expect("conf");
        std::fs::write(model.path().join("conf/mfcc.conf"), "--num-ceps=40\n").expect("mfcc");

        let view = Search::KIOSK.view(model.path()).expect("view");
        let seen = Search::of_model(view.path()).expect("view's search");
        assert_eq!(
            seen,
            Search::KIOSK.narrowest(Search::of_model(model.path()).expect("own"))
        );
        assert_eq!(
            std::fs::read(view.path().join("am/final.mdl")).expect("linked"),
            b"acoustic"
        );
        assert_eq!(
            std::fs::read_to_string(view.path().join("conf/mfcc.conf")).expect("copied"),
            "--num-ceps=40\n"
        );
        let path = view.path().to_path_buf();
        drop(view);
        assert!(!path.exists(), "the view is deleted");
        assert!(model.path().join("am/final.mdl").exists(), "not the model");
    }
}
