//! Runs progenitor over `openapi.yaml` into `OUT_DIR/tupli_generated.rs`.

#[path = "build/generate.rs"]
mod generate;

fn main() {
    println!("cargo:rerun-if-changed=openapi.yaml");
    println!("cargo:rerun-if-changed=build/generate.rs");
    let spec = std::fs::read_to_string("openapi.yaml").expect("read openapi.yaml");
    let code = generate::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"))
        .join("tupli_generated.rs");
    std::fs::write(out, code).expect("write generated code");
}
