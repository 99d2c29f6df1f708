use std::process::ExitCode;

fn main() -> ExitCode {
    pricectl::cli::main()
}
