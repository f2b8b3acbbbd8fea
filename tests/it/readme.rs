//! README.md shows plain Rust that is compiled: its "Use it" block is examples/readme.rs (which
//! `cargo test` builds) without the file's leading `//!` comment.

#[test]
fn the_readme_program_is_the_compiled_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let example = std::fs::read_to_string(root.join("examples/readme.rs")).unwrap();
    let program: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .skip_while(|l| l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let section = readme.split("\n## Use it\n").nth(1).expect("README has a `## Use it` section");
    let block = section.split("```rust\n").nth(1).and_then(|b| b.split("```\n").next()).expect("a ```rust block");
    assert_eq!(block, program, "README's `Use it` block differs from examples/readme.rs");
    assert!(!block.lines().any(|l| l.trim_start().starts_with("# ")), "no hidden doctest lines on the repository page");
}
