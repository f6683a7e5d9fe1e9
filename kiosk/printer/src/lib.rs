//! The receipt printer: what the kiosk machine decides to print ([`kiosk_flow::machine::Printout`])
//! laid out for an ESC/POS thermal printer ([`escpos`], French text in code page 858) or as
//! plain text for a print command, and sent by a worker thread ([`Printer`]) so that a printer
//! that is missing, out of paper or hung never holds up the UI.
//!
//! - [`cp858`]: Unicode to code page 858 (PC850 with the euro sign), what is not in it
//!   transliterated (`œ` → `oe`, `’` → `'`).
//! - [`escpos`]: the few ESC/POS commands a receipt needs, and the receipt's layout.
//! - [`worker`]: the bounded queue, the timeout, and the printer's state.

pub mod cp858;
pub mod escpos;
pub mod worker;

pub use worker::{Output, Printer, PrinterSettings, PrinterState, Refused};
