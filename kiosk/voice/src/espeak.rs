//! The espeak-ng library, linked once for two jobs: Piper's phonemization (through `espeak-rs`,
//! inside piper-rs) and the espeak-ng voice's synthesis (here, through `espeak-rs-sys`).
//!
//! espeak-ng is one global engine, not thread-safe: every use goes through [`lock`], Piper's
//! synthesis included. The engine is initialized by `espeak-rs` (so that its own lazy
//! initialization never runs again and resets the output mode), then switched to synchronous
//! output: `espeak_Synth` returns once the sentence is synthesized, its samples handed to a
//! callback on the calling thread.
//!
//! The only module of the crate with `unsafe` code: the calls into espeak-ng's C API.

#![allow(unsafe_code)]

use std::cell::RefCell;
use std::ffi::{c_int, c_short, CString};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};

use espeak_rs_sys as sys;

/// Folders where Debian and Raspberry Pi OS keep `espeak-ng-data`.
const DATA_PARENTS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib/arm-linux-gnueabihf",
    "/usr/share",
];

/// The variable `espeak-rs` reads to find the folder holding `espeak-ng-data`.
const DATA_VARIABLE: &str = "PIPER_ESPEAKNG_DATA_DIRECTORY";

static ENGINE: Mutex<()> = Mutex::new(());
static INIT: OnceLock<Result<u32, String>> = OnceLock::new();

thread_local! {
    /// The samples of the sentence being synthesized on this thread.
    static SAMPLES: RefCell<Vec<i16>> = const { RefCell::new(Vec::new()) };
}

/// Exclusive use of the espeak-ng engine (a poisoned lock is still usable: the engine holds no
/// Rust invariant).
pub(crate) fn lock() -> MutexGuard<'static, ()> {
    ENGINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Points `espeak-rs` at the system's `espeak-ng-data` unless the environment names a folder.
/// Called before any synthesis thread starts.
pub(crate) fn locate_data() {
    if std::env::var_os(DATA_VARIABLE).is_none() {
        if let Some(parent) = DATA_PARENTS
            .iter()
            .map(PathBuf::from)
            .find(|p| p.join("espeak-ng-data").is_dir())
        {
            std::env::set_var(DATA_VARIABLE, parent);
        }
    }
}

/// Initializes the engine once; the sample rate of its voices.
pub(crate) fn init() -> Result<u32, String> {
    INIT.get_or_init(|| {
        locate_data();
        let _engine = lock();
        // espeak-rs initializes the library on its first use; an empty text does only that.
        espeak_rs::text_to_phonemes("", "fr", None).map_err(|e| e.to_string())?;
        // SAFETY: the engine is initialized and this thread holds its lock.
        unsafe {
            let status = sys::espeak_ng_InitializeOutput(
                sys::espeak_ng_OUTPUT_MODE_ENOUTPUT_MODE_SYNCHRONOUS,
                0,
                std::ptr::null(),
            );
            if status != 0 {
                return Err(format!("espeak-ng output mode: status {status}"));
            }
            sys::espeak_SetSynthCallback(Some(collect_samples));
            u32::try_from(sys::espeak_ng_GetSampleRate())
                .ok()
                .filter(|rate| *rate > 0)
                .ok_or_else(|| "espeak-ng has no sample rate".to_owned())
        }
    })
    .clone()
}

/// Whether espeak-ng has a voice of that name (`fr`, `en-us`, `ko`).
pub(crate) fn has_voice(name: &str) -> bool {
    let Ok(name) = CString::new(name) else {
        return false;
    };
    if init().is_err() {
        return false;
    }
    let _engine = lock();
    // SAFETY: initialized; the lock is held.
    unsafe { sys::espeak_SetVoiceByName(name.as_ptr()) == sys::espeak_ERROR_EE_OK }
}

/// One sentence in the espeak-ng voice `name` at `words_per_minute`: mono samples and their rate.
pub(crate) fn synthesize(
    name: &str,
    text: &str,
    words_per_minute: u32,
) -> Result<(Vec<i16>, u32), String> {
    let rate = init()?;
    let name_c = CString::new(name).map_err(|_| "voice name with a NUL byte".to_owned())?;
    let text_c = CString::new(text).map_err(|_| "text with a NUL byte".to_owned())?;
    let wpm = words_per_minute.clamp(sys::espeakRATE_MINIMUM, sys::espeakRATE_MAXIMUM);
    let _engine = lock();
    SAMPLES.with_borrow_mut(Vec::clear);
    // SAFETY: initialized in synchronous mode; the lock is held; the strings outlive the calls.
    unsafe {
        if sys::espeak_SetVoiceByName(name_c.as_ptr()) != sys::espeak_ERROR_EE_OK {
            return Err(format!("espeak-ng has no voice « {name} »"));
        }
        sys::espeak_SetParameter(
            sys::espeak_PARAMETER_espeakRATE,
            c_int::try_from(wpm).unwrap_or(175),
            0,
        );
        let status = sys::espeak_Synth(
            text_c.as_ptr().cast(),
            text_c.as_bytes_with_nul().len(),
            0,
            sys::espeak_POSITION_TYPE_POS_CHARACTER,
            0,
            sys::espeakCHARS_UTF8,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        if status != sys::espeak_ERROR_EE_OK {
            return Err(format!("espeak_Synth: error {status}"));
        }
        sys::espeak_Synchronize();
    }
    Ok((SAMPLES.with_borrow_mut(std::mem::take), rate))
}

/// espeak-ng's synthesis callback: appends a block of samples (none at the end); 0 = go on.
unsafe extern "C" fn collect_samples(
    wav: *mut c_short,
    count: c_int,
    _events: *mut sys::espeak_EVENT,
) -> c_int {
    if !wav.is_null() && count > 0 {
        // SAFETY: espeak-ng hands `count` samples at `wav`, valid during the call.
        let block = unsafe { std::slice::from_raw_parts(wav, count as usize) };
        SAMPLES.with_borrow_mut(|samples| samples.extend_from_slice(block));
    }
    0
}
