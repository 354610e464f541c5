//! The README's middleware example is `gateway/examples/proxy.rs`, which `cargo test`
//! compiles: this keeps the two the same text, so that the README's compiles as written.

#[test]
fn the_readme_middleware_example_is_the_proxy_example() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## Middleware\n")
        .nth(1)
        .expect("README.md has a `## Middleware` section");
    let code = section
        .split("```rust,ignore\n")
        .nth(1)
        .and_then(|block| block.split("\n```\n").next())
        .expect("the section has a ```rust,ignore block");
    assert_eq!(
        code.trim(),
        example_body().trim(),
        "README.md's middleware example differs from gateway/examples/proxy.rs"
    );
}

/// The same example is in the `middleware` module's docs (docs.rs cannot read this package).
#[test]
fn the_middleware_docs_show_the_proxy_example() {
    let module = include_str!("../../src/middleware.rs");
    let docs: Vec<&str> = module
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    let block = docs
        .split(|l| l.starts_with("```"))
        .nth(1)
        .expect("the module docs have a code block")
        .join("\n");
    assert_eq!(
        block.trim(),
        example_body().trim(),
        "src/middleware.rs's example differs from gateway/examples/proxy.rs"
    );
}

/// `gateway/examples/proxy.rs` without its first lines, its own doc comment, which the README
/// and the module docs say in prose.
fn example_body() -> String {
    include_str!("../examples/proxy.rs")
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n")
}
