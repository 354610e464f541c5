//! The README's middleware example is `gateway/examples/proxy.rs`, which `cargo test`
//! compiles: this keeps the two the same text, so that the README's compiles as written.

#[test]
fn the_readme_middleware_example_is_the_proxy_example() {
    let readme = include_str!("../../README.md");
    let example = include_str!("../examples/proxy.rs");
    let section = readme
        .split("\n## Middleware\n")
        .nth(1)
        .expect("README.md has a `## Middleware` section");
    let code = section
        .split("```rust,ignore\n")
        .nth(1)
        .and_then(|block| block.split("\n```\n").next())
        .expect("the section has a ```rust,ignore block");
    // The example's first lines are its own doc comment, which the README says in prose.
    let body: String = example
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        code.trim(),
        body.trim(),
        "README.md's middleware example differs from gateway/examples/proxy.rs"
    );
}
