//! Puts libvosk's folder (DEP_VOSK_LIB_DIR, exported by kiosk-voice) on the kiosk binary's rpath,
//! so that `kiosk` runs without LD_LIBRARY_PATH.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_VOSK_LIB_DIR");
    if let Ok(dir) = std::env::var("DEP_VOSK_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
