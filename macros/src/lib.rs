//! `include_metrics!`: runs the metricc compiler at build time on a crate's definitions
//! and expands to the generated module, `pub mod metrics { ... }`.
//!
//! ```ignore
//! metricc_macros::include_metrics!("definitions");
//!
//! fn main() {
//!     let recorder = metricc_runtime::Recorder::open("usage.redb").unwrap();
//!     metrics::project_planning::create_issue(&recorder, /* ... */);
//! }
//! ```
//!
//! The path is relative to the crate's `Cargo.toml` (`CARGO_MANIFEST_DIR`): a project root
//! (with `metricc.toml`, or a `definitions/` folder), or a definitions folder itself;
//! without one, the crate's root. The crate depends on `metricc-runtime`, which the
//! generated code uses.
//!
//! Invalid definitions are compile errors that name the file, line, column and rule.
//! Editing a definition rebuilds the crate: the expansion includes every file it read with
//! `include_bytes!` (which Cargo tracks). A file *added* to the definitions is only seen at
//! the next rebuild; a `build.rs` with `metricc::build::Config` watches the folders too.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::str::FromStr;

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// At most this many errors become compile errors (the rest are counted).
const MAX_ERRORS: usize = 20;

/// Compiles the definitions at the given path (see the crate docs) and expands to the
/// generated module `metrics`.
#[proc_macro]
pub fn include_metrics(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand(input.into()).into()
}

fn expand(input: TokenStream) -> TokenStream {
    let path = if input.is_empty() {
        String::new()
    } else {
        match syn::parse2::<syn::LitStr>(input) {
            Ok(literal) => literal.value(),
            Err(e) => {
                let message =
                    format!("include_metrics! takes the path of the definitions, as a string: {e}");
                return quote!(::core::compile_error!(#message););
            }
        }
    };
    let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return quote!(::core::compile_error!(
            "include_metrics!: CARGO_MANIFEST_DIR is not set (build with Cargo)"
        ););
    };
    let place = PathBuf::from(manifest).join(&path);
    let expansion = metricc::build::cargo::expand(&place, None);
    let tracked = expansion.files_read.iter().filter_map(|p| {
        let p = p.to_str()?;
        Some(quote!(
            const _: &[u8] = ::core::include_bytes!(#p);
        ))
    });
    let tracked: TokenStream = tracked.collect();
    match expansion.code {
        Ok(code) => match TokenStream::from_str(&code) {
            Ok(module) => quote!(#tracked #module),
            Err(e) => {
                let message = format!("include_metrics!: the generated code does not parse: {e}");
                quote!(#tracked ::core::compile_error!(#message);)
            }
        },
        Err(errors) => {
            let shown = errors.iter().take(MAX_ERRORS).map(|e| {
                let message = format!("metricc: {e}");
                quote::quote_spanned!(Span::call_site()=> ::core::compile_error!(#message);)
            });
            let more = errors.len().saturating_sub(MAX_ERRORS);
            let more = (more > 0).then(|| {
                let message =
                    format!("metricc: and {more} more errors (`metricc check` lists them all)");
                quote!(::core::compile_error!(#message);)
            });
            quote!(#tracked #(#shown)* #more)
        }
    }
}
