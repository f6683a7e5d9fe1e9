//! Puts libvosk's folder (DEP_VOSK_LIB_DIR, exported by kiosk-voice) on the kiosk binary's rpath,
//! so that `kiosk` runs without LD_LIBRARY_PATH.
//!
//! `KIOSK_RPATH` replaces that folder: `scripts/build-pi` sets it to `$ORIGIN/lib`, so that the
//! packed release finds the libraries shipped beside the binary wherever it is installed.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_VOSK_LIB_DIR");
    println!("cargo:rerun-if-env-changed=KIOSK_RPATH");
    let rpath = std::env::var("KIOSK_RPATH")
        .ok()
        .filter(|r| !r.is_empty())
        .or_else(|| std::env::var("DEP_VOSK_LIB_DIR").ok());
    if let Some(dir) = rpath {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
