//! The spanned YAML tree as a JSON Schema instance, validated where it is: no copy of a
//! file into a `serde_json::Value` (every key and string cloned) before each validation.
//!
//! It reads exactly as [`Node::to_json`] would: a number that is not finite (`.inf`,
//! `.nan`) is JSON `null`, integers are integers and floats floats, mappings are objects
//! (their keys are unique: the YAML reader keeps the last of repeated keys).

use std::borrow::Cow;
use std::collections::HashSet;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, Node as JsonNode, NodeIdentity, Object, cmp, unique};
use serde_json::{Number, Value as JsonValue};

use crate::yaml::{Entry, Node, Value};

/// The representation of a YAML tree for `jsonschema`.
pub struct YamlJson;

impl Json for YamlJson {
    type Node<'a> = &'a Node;
    type PreparedKey = String;
    type StringBuffer = Option<Node>;

    // Looking a key up scans the entries, so one pass over them beats several lookups.
    const KEYS_PER_LOOKUP: usize = 64;
    // Aliases are copied, never shared: no node is its own descendant.
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(
        buffer: &mut Option<Node>,
        string: &str,
        f: impl FnOnce(&Node) -> T,
    ) -> T {
        let node = buffer.get_or_insert_with(|| Node {
            value: Value::Str(String::new()),
            span: 0..0,
        });
        match &mut node.value {
            Value::Str(s) => {
                s.clear();
                s.push_str(string);
            }
            other => *other = Value::Str(string.to_owned()),
        }
        f(node)
    }
}

/// A finite float, or `None` for one JSON cannot hold (read as `null`, as `to_json` does).
fn finite(f: f64) -> Option<Number> {
    Number::from_f64(f)
}

impl<'a> JsonNode<'a, YamlJson> for &'a Node {
    type Object = &'a [Entry];
    type Array = &'a [Node];
    type Number = Number;

    fn as_object(&self) -> Option<&'a [Entry]> {
        self.as_map()
    }

    fn as_array(&self) -> Option<&'a [Node]> {
        self.as_seq()
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.as_str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<Number> {
        match self.value {
            Value::Int(i) => Some(Number::from(i)),
            Value::Float(f) => finite(f),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        match self.value {
            Value::Null => true,
            Value::Float(f) => finite(f).is_none(),
            _ => false,
        }
    }

    fn json_type(&self) -> JsonType {
        match &self.value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Int(_) => JsonType::Number,
            Value::Float(f) if finite(*f).is_some() => JsonType::Number,
            Value::Float(_) => JsonType::Null,
            Value::Str(_) => JsonType::String,
            Value::Seq(_) => JsonType::Array,
            Value::Map(_) => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &JsonValue) -> bool {
        match &self.value {
            // `enum` and `const` on strings, the common case, without building a value.
            Value::Str(s) => expected.as_str() == Some(s.as_str()),
            _ => cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, JsonValue> {
        Cow::Owned(self.to_json())
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(std::ptr::from_ref::<Node>(self) as usize))
    }
}

/// The members of a mapping, in file order.
pub struct Members<'a>(std::slice::Iter<'a, Entry>);

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, &'a Node);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|e| (e.key.as_str(), &e.value))
    }
}

impl<'a> Object<'a, YamlJson> for &'a [Entry] {
    type Node = &'a Node;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        <[Entry]>::len(self)
    }

    fn get(&self, key: &String) -> Option<&'a Node> {
        self.iter().find(|e| e.key == *key).map(|e| &e.value)
    }

    fn members(&self) -> Members<'a> {
        Members(self.iter())
    }
}

impl<'a> Array<'a, YamlJson> for &'a [Node] {
    type Node = &'a Node;
    type ElementsIter = std::slice::Iter<'a, Node>;

    fn len(&self) -> usize {
        <[Node]>::len(self)
    }

    fn elements(&self) -> std::slice::Iter<'a, Node> {
        self.iter()
    }

    fn is_unique(&self) -> bool {
        // Lists of strings (tiers, categories, identifiers), the common case, compared as
        // they are.
        if self.iter().all(|n| n.as_str().is_some()) {
            let strings = self.iter().filter_map(Node::as_str);
            if self.len() <= 16 {
                return strings
                    .enumerate()
                    .all(|(i, s)| self[..i].iter().all(|n| n.as_str() != Some(s)));
            }
            let mut seen = HashSet::with_capacity(self.len());
            return strings.into_iter().all(|s| seen.insert(s));
        }
        let values: Vec<Cow<'a, JsonValue>> = self.iter().map(|n| n.to_value()).collect();
        unique::is_unique(&values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn tree(text: &str) -> Node {
        yaml::parse(text).root.expect("a document")
    }

    #[test]
    fn values_read_as_their_json_equivalent() {
        let root = tree("a: 1\nb: 1.5\nc: .inf\nd: ~\ne: true\nf: x\ng: [1]\nh: {i: 2}\n");
        let node = |key: &str| root.get(key).expect("present");
        assert_eq!(node("a").as_number().and_then(|n| n.as_i64()), Some(1));
        assert_eq!(node("b").as_number().and_then(|n| n.as_f64()), Some(1.5));
        for (key, expected) in [
            ("a", JsonType::Number),
            ("b", JsonType::Number),
            ("c", JsonType::Null),
            ("d", JsonType::Null),
            ("e", JsonType::Boolean),
            ("f", JsonType::String),
            ("g", JsonType::Array),
            ("h", JsonType::Object),
        ] {
            let n = node(key);
            assert_eq!(n.json_type(), expected, "{key}");
            assert_eq!(n.is_null(), expected == JsonType::Null, "{key}");
            assert_eq!(
                n.as_number().is_some(),
                expected == JsonType::Number,
                "{key}"
            );
            assert_eq!(n.to_value().into_owned(), n.to_json(), "{key}");
        }
        assert!(node("f").equals_value(&JsonValue::from("x")));
        assert!(!node("f").equals_value(&JsonValue::from(1)));
        assert!(node("a").equals_value(&serde_json::json!(1.0)));
        let object = (&root).as_object().expect("object");
        assert_eq!(
            Object::get(&object, &"h".to_owned()).map(|n| n.span.clone()),
            root.get("h").map(|n| n.span.clone())
        );
        assert_eq!(Object::members(&object).count(), 8);
        assert_ne!((&root).identity(), node("a").identity());
    }

    #[test]
    fn uniqueness_follows_json_equality() {
        let unique = |text: &str| (&tree(text)).as_array().expect("a list").is_unique();
        assert!(unique("[a, b, c]"));
        assert!(!unique("[a, b, a]"));
        assert!(!unique("[1, 1.0]"));
        assert!(unique("[1, '1']"));
        assert!(!unique("[{a: 1}, {a: 1}]"));
    }

    #[test]
    fn the_validator_reports_what_it_reports_on_json() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {
                "tiers": {"type": "array", "items": {"enum": ["free", "premium"]}, "uniqueItems": true},
                "n": {"type": "integer", "maximum": 3},
                "s": {"type": "string", "minLength": 2}
            },
            "propertyNames": {"pattern": "^[a-z]+$"},
            "required": ["tiers"],
            "additionalProperties": false
        });
        let ours = jsonschema::options_for::<YamlJson>()
            .build(&schema)
            .expect("a valid schema");
        let theirs = jsonschema::validator_for(&schema).expect("a valid schema");
        for text in [
            "tiers: [free]\nn: 2\ns: ab\n",
            "tiers: [free, free, gold]\nn: 4.5\ns: a\nX: 1\n",
            "n: .nan\ns: 12\n",
            "tiers: free\n",
        ] {
            let root = tree(text);
            let json = root.to_json();
            let describe = |errors: Vec<jsonschema::ValidationError<'_>>| {
                let mut all: Vec<String> = errors
                    .iter()
                    .map(|e| format!("{} {e}", e.instance_path().as_str()))
                    .collect();
                all.sort();
                all
            };
            assert_eq!(ours.is_valid(&root), theirs.is_valid(&json), "{text}");
            assert_eq!(
                describe(ours.iter_errors(&root).collect()),
                describe(theirs.iter_errors(&json).collect()),
                "{text}"
            );
        }
    }
}
