//! The values a metric can have, and the error type of everything an application computes.

use std::fmt;

/// Anything that went wrong computing a metric: any error converts with `?`.
pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A number metric's value: an integer or a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Integer(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Integer(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The same number, as an integer when it is one (`12.0` → `12`).
    pub fn normalized(self) -> Number {
        match self {
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Number::Integer(f as i64),
            other => other,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Integer(i) => i.fmt(f),
            Number::Float(x) => x.fmt(f),
        }
    }
}

macro_rules! number_from {
    ($variant:ident as $to:ty: $($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(value: $t) -> Number {
                Number::$variant(value as $to)
            }
        }
        impl From<$t> for Value {
            fn from(value: $t) -> Value {
                Value::Number(Number::from(value))
            }
        }
    )*};
}
number_from!(Integer as i64: i8, i16, i32, i64, u8, u16, u32);
number_from!(Float as f64: f32, f64);

impl From<u64> for Number {
    /// Saturates at `i64::MAX`.
    fn from(value: u64) -> Number {
        Number::Integer(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Number {
    fn from(value: usize) -> Number {
        Number::Integer(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<u64> for Value {
    fn from(value: u64) -> Value {
        Value::Number(value.into())
    }
}

impl From<usize> for Value {
    fn from(value: usize) -> Value {
        Value::Number(value.into())
    }
}

/// A metric's value in the ping.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(Number),
    String(String),
    Boolean(bool),
    /// An object metric's value (it follows the metric's value schema).
    Object(serde_json::Value),
}

impl Value {
    /// What kind of value it is, in a word (for error messages).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Boolean(_) => "a boolean",
            Value::Object(_) => "an object",
        }
    }

    /// The JSON the ping carries.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Number(Number::Integer(i)) => (*i).into(),
            Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::String(s) => s.as_str().into(),
            Value::Boolean(b) => (*b).into(),
            Value::Object(v) => v.clone(),
        }
    }
}

impl From<Number> for Value {
    fn from(value: Number) -> Value {
        Value::Number(value)
    }
}

impl From<String> for Value {
    fn from(value: String) -> Value {
        Value::String(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::String(value.to_owned())
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Boolean(value)
    }
}

impl From<serde_json::Value> for Value {
    /// JSON numbers, strings and booleans become those values; anything else is an object
    /// metric's value.
    fn from(value: serde_json::Value) -> Value {
        match value {
            serde_json::Value::Bool(b) => Value::Boolean(b),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Number(Number::Integer(i)),
                None => Value::Number(Number::Float(n.as_f64().unwrap_or(f64::NAN))),
            },
            other => Value::Object(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalize_to_integers_when_whole() {
        assert_eq!(Number::Float(12.0).normalized(), Number::Integer(12));
        assert_eq!(Number::Float(1.5).normalized(), Number::Float(1.5));
        assert_eq!(Number::from(u64::MAX), Number::Integer(i64::MAX));
        assert_eq!(Value::from(3u8).to_json(), serde_json::json!(3));
        assert_eq!(Value::from(f64::NAN).to_json(), serde_json::Value::Null);
    }

    #[test]
    fn json_values_convert_by_kind() {
        assert_eq!(Value::from(serde_json::json!(true)), Value::Boolean(true));
        assert_eq!(
            Value::from(serde_json::json!(2)),
            Value::Number(Number::Integer(2))
        );
        assert_eq!(
            Value::from(serde_json::json!("x")),
            Value::String("x".into())
        );
        assert_eq!(Value::from(serde_json::json!({"a": 1})).kind(), "an object");
    }
}
