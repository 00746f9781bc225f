use crate::check::Context;
use crate::check::rule::rule;
use crate::diagnostics::Diagnostic;
use crate::model::ValueType;
use crate::resolve::ValueSchema;
use crate::source::Span;

rule! {
    /// ## What it does
    /// Reports an `object` metric whose `value_json_schema` is missing, names a file that
    /// does not exist, is not JSON, or is not a valid JSON Schema.
    ///
    /// ## Why is this bad?
    /// An object value has no fixed shape otherwise: the collector cannot validate it, the
    /// data team cannot flatten it, and the generated payload schema cannot describe it.
    ///
    /// ## Example
    /// ```yaml
    /// value_type: object
    /// ```
    ///
    /// ## Fix
    /// Point at a JSON Schema file, by its path from the project root:
    /// ```yaml
    /// value_type: object
    /// value_json_schema: definitions/objects_schemas/topology.json
    /// ```
    pub OBJECT_VALUE_SCHEMA = ("MC203", "object-value-schema", Error);
}

pub fn check(cx: &mut Context<'_>) {
    for def in &cx.dictionary.definitions {
        if def.value_type.value != ValueType::Object {
            continue;
        }
        let Some(path) = &def.value_json_schema else {
            cx.report(
                Diagnostic::new(
                    &OBJECT_VALUE_SCHEMA,
                    def.value_type.span,
                    "an object metric needs `value_json_schema`",
                )
                .label("object value")
                .help(
                    "add `value_json_schema: <path of a JSON Schema file from the project root>`",
                ),
            );
            continue;
        };
        match cx.dictionary.value_schemas.get(&path.value) {
            Some(ValueSchema::Loaded { file, schema }) => {
                if let Some(problem) = meta_problem(schema) {
                    cx.report(
                        Diagnostic::new(
                            &OBJECT_VALUE_SCHEMA,
                            path.span,
                            format!("`{}` is not a valid JSON Schema: {problem}", path.value),
                        )
                        .label("invalid schema")
                        .related(Span::file_start(*file), "the schema file")
                        .help("fix the schema so that it follows the JSON Schema specification"),
                    );
                }
            }
            Some(ValueSchema::NotJson {
                file,
                offset,
                message,
            }) => {
                let at = Span::new(*file, *offset..*offset);
                cx.report(
                    Diagnostic::new(
                        &OBJECT_VALUE_SCHEMA,
                        path.span,
                        format!("`{}` is not JSON: {message}", path.value),
                    )
                    .label("referenced here")
                    .related(at, "the JSON breaks here")
                    .help("fix the JSON syntax of the schema file"),
                );
            }
            Some(ValueSchema::Missing { reason }) => cx.report(
                Diagnostic::new(
                    &OBJECT_VALUE_SCHEMA,
                    path.span,
                    format!("cannot read `{}`: {reason}", path.value),
                )
                .label("no such schema")
                .help("the path is relative to the project root; create the file or fix the path"),
            ),
            None => {}
        }
    }
}

/// Why a schema breaks the JSON Schema specification, if it does. A schema that does not
/// name its draft (`$schema`) is accepted when it is valid under draft 2020-12 or draft 7,
/// the drafts definition tooling has used.
fn meta_problem(schema: &serde_json::Value) -> Option<String> {
    let error = jsonschema::meta::validate(schema).err()?;
    if schema.get("$schema").is_none() && jsonschema::draft7::meta::is_valid(schema) {
        return None;
    }
    let at = error.instance_path().as_str();
    let at = if at.is_empty() { "/" } else { at };
    Some(format!("at `{at}`: {error}"))
}
