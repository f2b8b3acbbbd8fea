// Shared by the fuzz target and the stable regression test (tests/it/fuzz_regressions.rs).
use fivetrex_ffi::*;
use std::ptr;

/// One fuzz input, read both ways: as Erlang external term format (decoded or refused, never a
/// crash) and as JSON text (encoded to ETF and back to the same JSON value).
pub fn fuzz_etf(data: &[u8]) {
    unsafe {
        let (mut json, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = fivetrex_elixir_etf_to_json(data.as_ptr(), data.len(), Some(&mut json), Some(&mut err));
        assert_ne!(status, fivetrex_status::Panic);
        fivetrex_string_free(json);
        fivetrex_error_free((!err.is_null()).then(|| Box::from_raw(err)));

        let (mut etf, mut len, mut err) = (ptr::null_mut(), 0usize, ptr::null_mut());
        let status =
            fivetrex_elixir_json_to_etf(data.as_ptr().cast(), data.len(), Some(&mut etf), Some(&mut len), Some(&mut err));
        assert_ne!(status, fivetrex_status::Panic);
        fivetrex_error_free((!err.is_null()).then(|| Box::from_raw(err)));
        if status == fivetrex_status::Ok {
            let (mut back, mut err) = (ptr::null_mut(), ptr::null_mut());
            let status = fivetrex_elixir_etf_to_json(etf, len, Some(&mut back), Some(&mut err));
            assert_eq!(status, fivetrex_status::Ok, "a term we encoded must decode");
            let original: serde_json::Value = serde_json::from_slice(data).expect("accepted JSON parses");
            let round: serde_json::Value =
                serde_json::from_str(std::ffi::CStr::from_ptr(back).to_str().unwrap()).unwrap();
            assert_eq!(original, round);
            fivetrex_string_free(back);
            fivetrex_error_free((!err.is_null()).then(|| Box::from_raw(err)));
        }
        fivetrex_elixir_bytes_free(etf, len);
    }
}
