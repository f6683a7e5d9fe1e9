//! The board a host starts: real GPIO, the simulated board, or none, as `[hardware] board`
//! asks and the machine allows. No GPIO on the machine never stops the kiosk: the log says
//! which board runs and why.

use crate::config::{BoardChoice, HardwareConfig};
use crate::light::LightSwitch;
use crate::simulated::{SimulatedBoard, SOCKET_NAME};
use kiosk_flow::machine::KioskEvent;
use std::path::Path;
use std::sync::Arc;

/// Where the board's events go (from the board's own threads).
pub type EventSink = Arc<dyn Fn(KioskEvent) + Send + Sync>;

/// Which board runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardKind {
    Gpio,
    Simulated,
}

enum Running {
    #[cfg(feature = "gpio")]
    Gpio {
        _board: crate::gpio::GpioBoard,
    },
    Simulated(SimulatedBoard),
}

/// The running board; dropping it stops its threads (and turns the lights off).
pub struct Board {
    running: Running,
    light: LightSwitch,
}

impl Board {
    /// Starts the board `config` asks for; `None` when there is none (said in the log).
    /// `data_dir` holds the simulated board's socket.
    pub fn start(config: &HardwareConfig, data_dir: &Path, events: EventSink) -> Option<Board> {
        let _span = tracing::info_span!("board_start", board = ?config.board).entered();
        let light = LightSwitch::default();
        let running = match config.board {
            BoardChoice::None => {
                tracing::info!("no front panel (hardware.board = \"none\")");
                return None;
            }
            BoardChoice::Simulated => simulated(data_dir, events, &light)?,
            BoardChoice::Gpio => match gpio(config, &events, &light) {
                Ok(running) => running,
                Err(why) => {
                    tracing::warn!(reason = %why, "no GPIO: the front panel is off (touch and voice only)");
                    return None;
                }
            },
            BoardChoice::Auto => match gpio(config, &events, &light) {
                Ok(running) => running,
                Err(why) => {
                    tracing::info!(reason = %why, "no GPIO here: the simulated front panel instead");
                    simulated(data_dir, events, &light)?
                }
            },
        };
        Some(Board { running, light })
    }

    pub fn kind(&self) -> BoardKind {
        match self.running {
            #[cfg(feature = "gpio")]
            Running::Gpio { .. } => BoardKind::Gpio,
            Running::Simulated(_) => BoardKind::Simulated,
        }
    }

    /// What the host sets; the board shows it.
    pub fn light(&self) -> LightSwitch {
        self.light.clone()
    }

    /// The simulated board's socket, if that is the board.
    pub fn socket(&self) -> Option<&Path> {
        match &self.running {
            Running::Simulated(board) => Some(board.path()),
            #[cfg(feature = "gpio")]
            Running::Gpio { .. } => None,
        }
    }
}

fn simulated(data_dir: &Path, events: EventSink, light: &LightSwitch) -> Option<Running> {
    let path = data_dir.join(SOCKET_NAME);
    match SimulatedBoard::start(&path, events, light.clone()) {
        Ok(board) => Some(Running::Simulated(board)),
        Err(error) => {
            tracing::warn!(%error, socket = %path.display(), "the simulated front panel did not start: none");
            None
        }
    }
}

#[cfg(feature = "gpio")]
fn gpio(
    config: &HardwareConfig,
    events: &EventSink,
    light: &LightSwitch,
) -> Result<Running, String> {
    crate::gpio::GpioBoard::start(config, Arc::clone(events), light.clone())
        .map(|board| Running::Gpio { _board: board })
}

#[cfg(not(feature = "gpio"))]
fn gpio(_: &HardwareConfig, _: &EventSink, _: &LightSwitch) -> Result<Running, String> {
    Err("this build has no GPIO support (the Raspberry Pi build has: feature pi)".to_owned())
}
