//! The kiosk's physical controls, as the machine sees them: the big illuminated « Parler »
//! button, the « Aide » button (a USB switch seen as a key counts as « Parler »), and the
//! presence sensor. The host's board (`kiosk-hardware`, real GPIO or simulated) debounces them
//! and tells short from long presses; what a press means is decided here, by the machine.

/// A button on the kiosk's front panel (`hardware/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PanelButton {
    /// « Parler »: speak now; in one-button mode, select.
    Talk,
    /// « Aide »: help on this step; held down, a call for help.
    Help,
}

/// How long a button was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Press {
    Short,
    /// Held beyond the board's long-press time.
    Long,
}
