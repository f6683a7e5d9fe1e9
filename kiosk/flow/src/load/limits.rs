//! The documented bounds of a flow or dataset file (flows/README.md, "Limits"), so that a
//! runaway file is refused with a message instead of slowing the kiosk down.

/// Bounds checked while loading; [`Limits::DOCUMENTED`] is what every command uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The size of a file in bytes.
    pub max_bytes: usize,
    /// The steps of a flow.
    pub max_steps: usize,
    /// The options of one list: a question's `options` or a dataset's.
    pub max_options: usize,
}

impl Limits {
    /// 1 Mo per file, 1,000 steps, 2,000 options per list.
    pub const DOCUMENTED: Limits = Limits {
        max_bytes: 1024 * 1024,
        max_steps: 1_000,
        max_options: 2_000,
    };

    /// No bounds: for measuring the checker itself on generated flows.
    pub const NONE: Limits = Limits {
        max_bytes: usize::MAX,
        max_steps: usize::MAX,
        max_options: usize::MAX,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DOCUMENTED
    }
}
