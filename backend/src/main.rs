//! `backend`: the back end's command line; parsing here, everything else in `backend::cli`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = backend::cli::Cli::parse();
    match backend::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("erreur : {error:#}");
            ExitCode::FAILURE
        }
    }
}
