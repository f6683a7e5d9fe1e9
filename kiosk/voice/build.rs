//! Links libvosk.so from `voice-models/libvosk-<arch>/`, put there by `scripts/fetch-models`.
//!
//! `KIOSK_VOSK_LIB_DIR` overrides the folder. The folder is exported to dependents as
//! `DEP_VOSK_LIB_DIR` (this package declares `links = "vosk"`), so that a binary's build script can
//! add it to the rpath; this crate's own tests and benchmarks get the rpath here.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=KIOSK_VOSK_LIB_DIR");
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| "x86_64".to_owned());
    let dir = match env::var_os("KIOSK_VOSK_LIB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
            manifest
                .join("../../voice-models")
                .join(format!("libvosk-{arch}"))
        }
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    let lib = dir.join("libvosk.so");
    println!("cargo:rerun-if-changed={}", lib.display());
    if !lib.is_file() {
        println!(
            "cargo::error=libvosk.so is missing from {}: run scripts/fetch-models (and \
             scripts/setup-audio) first, or set KIOSK_VOSK_LIB_DIR to the folder that holds it",
            dir.display()
        );
        return;
    }
    let dir = dir.display();
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=vosk");
    // piper-rs builds espeak-ng statically, and espeak-ng needs libsonic (libsonic-dev).
    println!("cargo:rustc-link-lib=dylib=sonic");
    println!("cargo:lib_dir={dir}");
    // For this package's own tests, benchmarks and examples (not propagated to dependents).
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
}
