//! `libfivetrex.so` and `libfivetrex.a`: the C ABI of fivetrex, whose functions live in
//! `fivetrex-ffi` (ffi/capi) and are declared in `include/fivetrex.h`. This crate only gives them
//! the library name C links by; rustc exports the `#[no_mangle]` functions of its dependencies
//! from a cdylib or staticlib.

pub use fivetrex_ffi::*;
