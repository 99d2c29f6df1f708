use super::ExitStatus;
use super::output::print_stdout;
use crate::dsl::schema::pricing_schema_text;

/// `pricectl schema`: the JSON Schema of the language on stdout.
pub fn schema() -> ExitStatus {
    print_stdout(&pricing_schema_text());
    ExitStatus::Success
}
