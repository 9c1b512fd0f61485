//! The `ecoute` binary: parses the command line and hands over to `ecoute::cli`.

fn main() -> std::process::ExitCode {
    ecoute::cli::main()
}
