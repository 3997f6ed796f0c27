//! Spec → Rust: the one place that turns `openapi.yaml` into client code.
//!
//! Shared by `build.rs` (which writes the result to `OUT_DIR`) and by
//! `cargo xtask codegen` / `cargo xtask spec validate` (which review it), so
//! what is reviewed is exactly what is compiled.

use openapiv3::{OpenAPI, ReferenceOr};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

/// Operations written by hand in the facade instead of generated.
// progenitor limit: multipart/form-data request bodies are not supported (upstream issue #402).
pub const HAND_WRITTEN_OPERATIONS: &[&str] = &["store_artifact"];

/// Schemas the facade supplies its own type for.
pub const REPLACED_SCHEMAS: &[(&str, &str)] = &[
    // progenitor limit: optional fields are always skipped when `None`, so pytupli's explicit
    // `"key": null, "value": null` filter encoding needs a hand-written `Serialize`.
    ("BaseFilter", "crate::filter::Filter"),
    ("EpisodesListRequest", "crate::filter::EpisodesListRequest"),
    // typify limit: `{}` becomes `serde_json::Value` (32 B a number); tuples keep float arrays unboxed.
    ("RlTuple", "crate::tuple::RlTuple"),
    ("FilterType", "crate::filter::FilterType"),
    // progenitor limit: the error type is decoded from the body, so error answers are parsed
    // once (crate::error::normalize) and travel in a canonical form the error module owns.
    ("ApiError", "crate::error::ApiError"),
    ("ValidationError", "crate::error::ValidationError"),
    (
        "ValidationErrorLocItem",
        "crate::error::ValidationErrorLocItem",
    ),
    // progenitor limit: models derive `Debug` over plain `String`s; secrets need their own types.
    ("User", "crate::auth::Credentials"),
    ("Token", "crate::auth::IssuedToken"),
    ("TokenPair", "crate::auth::TokenPair"),
];

/// Parses the spec text.
pub fn parse(spec_yaml: &str) -> Result<OpenAPI, String> {
    serde_saphyr::from_str(spec_yaml).map_err(|e| format!("openapi.yaml does not parse: {e}"))
}

/// Removes the operations progenitor cannot generate; they stay in the spec for the
/// facade and for drift checks.
pub fn preprocess(spec: &mut OpenAPI) {
    for (_, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for op in operations_mut(item) {
            let hand_written = op
                .as_ref()
                .and_then(|o| o.operation_id.as_deref())
                .is_some_and(|id| HAND_WRITTEN_OPERATIONS.contains(&id));
            if hand_written {
                *op = None;
            }
        }
    }
}

/// The operation slots of a path item, each `None` or an operation.
pub fn operations_mut(item: &mut openapiv3::PathItem) -> [&mut Option<openapiv3::Operation>; 8] {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
        &mut item.head,
        &mut item.options,
        &mut item.trace,
    ]
}

/// Generates the client module's source (rustfmt-ed via prettyplease).
pub fn generate(spec_yaml: &str) -> Result<String, String> {
    let mut spec = parse(spec_yaml)?;
    preprocess(&mut spec);
    generate_from(&spec)
}

/// Generates from an already preprocessed spec.
pub fn generate_from(spec: &OpenAPI) -> Result<String, String> {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote_inner())
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    for (schema, rust_type) in REPLACED_SCHEMAS {
        settings.with_replacement(schema, rust_type, std::iter::empty::<TypeImpl>());
    }
    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(spec)
        .map_err(|e| format!("progenitor failed: {e}"))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

fn quote_inner() -> proc_macro2::TokenStream {
    "crate::auth::AuthHandle"
        .parse()
        .expect("a type path is valid tokens")
}
