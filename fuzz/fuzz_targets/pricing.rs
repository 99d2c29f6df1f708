#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pricectl_fuzz::targets::pricing(data);
});
