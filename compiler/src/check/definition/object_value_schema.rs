use crate::check::Context;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::rule::rule;
use crate::model::ValueType;
use crate::resolve::ValueSchema;
use crate::source::Span;
use jsonschema::ReferencingError;
use jsonschema::error::ValidationErrorKind;

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
        let Some(path) = def.value_json_schema() else {
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
            Some(ValueSchema::Loaded { file, schema, tree }) => {
                if let Some((pointer, problem)) = schema_problem(schema) {
                    let at = tree
                        .as_ref()
                        .and_then(|t| t.pointer(&pointer))
                        .map_or(Span::file_start(*file), |n| {
                            Span::new(*file, n.span.clone())
                        });
                    cx.report(
                        Diagnostic::new(
                            &OBJECT_VALUE_SCHEMA,
                            path.span,
                            format!("`{}` is not a usable JSON Schema: {problem}", path.value),
                        )
                        .label("invalid schema")
                        .related(at, "the problem is here")
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

/// Why a schema cannot be used, and where (a JSON pointer into it). The schema is compiled,
/// so invalid regular expressions and unresolvable references count too. A schema that does
/// not name its draft (`$schema`) is accepted when draft 2020-12 or draft 7 (the drafts
/// definition tooling has used) accepts it.
fn schema_problem(schema: &serde_json::Value) -> Option<(String, String)> {
    let error = jsonschema::validator_for(schema).err()?;
    if schema.get("$schema").is_none() && jsonschema::draft7::new(schema).is_ok() {
        return None;
    }
    let pointer = error.instance_path().as_str().to_owned();
    let at = if pointer.is_empty() {
        "/".to_owned()
    } else {
        pointer.clone()
    };
    let message = match error.kind() {
        ValidationErrorKind::Referencing(ReferencingError::Unretrievable { uri, .. }) => format!(
            "it refers to `{uri}`, which metricc does not fetch; put the referenced schema under `$defs` in this file"
        ),
        ValidationErrorKind::Referencing(ReferencingError::UnknownSpecification {
            specification,
        }) => format!(
            "its `$schema` `{specification}` is not a JSON Schema draft metricc knows (4, 6, 7, 2019-09, 2020-12)"
        ),
        ValidationErrorKind::Format { format } if format == "regex" => {
            format!(
                "at `{at}`: `{}` is not a valid regular expression",
                error.instance()
            )
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::Enum { .. }
            if pointer.ends_with("/type") || pointer.contains("/type/") =>
        {
            format!(
                "at `{at}`: `type` must name a type (string, number, integer, boolean, object, array, null) or list such names"
            )
        }
        _ => format!("at `{at}`: {error}"),
    };
    Some((pointer, message))
}
