//! Embeds the templates of `templates/` (at the workspace root) in the binary: writes
//! `$OUT_DIR/templates.rs`, a table of every template's name and text.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../templates");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut names = Vec::new();
    if root.is_dir() {
        collect(&root, &root, &mut names);
    }
    names.sort();
    let mut out = String::from(
        "/// Every embedded template: its name (path under `templates/`) and its text.\n\
         pub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let path = root.join(name);
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("templates.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, names: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("templates/ is readable")
        .map(|e| e.expect("templates/ is readable").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, names);
        } else if path
            .file_name()
            .is_some_and(|n| !n.to_string_lossy().starts_with('.'))
        {
            let relative = path.strip_prefix(root).expect("below the root");
            let name: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            names.push(name.join("/"));
        }
    }
}
