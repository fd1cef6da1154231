//! DynamoDB JSON (the format of export data files: `{"S": "x"}`, `{"N": "1"}`, binary as
//! base64...) to the SDK's attribute values, for applying incremental exports.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

/// An item (or key) in DynamoDB JSON.
pub fn item(v: &Value) -> Result<HashMap<String, AttributeValue>, String> {
    let Value::Object(m) = v else {
        return Err("an item is not a JSON object".into());
    };
    m.iter()
        .map(|(k, v)| Ok((k.clone(), value(v).map_err(|e| format!("{k}: {e}"))?)))
        .collect()
}

fn text(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| "expected a string".to_string())
}

fn list(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array().ok_or_else(|| "expected a list".to_string())
}

fn value(v: &Value) -> Result<AttributeValue, String> {
    let Some((t, inner)) =
        v.as_object()
            .and_then(|m| if m.len() == 1 { m.iter().next() } else { None })
    else {
        return Err(format!("not a DynamoDB JSON value: {v}"));
    };
    Ok(match t.as_str() {
        "S" => AttributeValue::S(text(inner)?),
        "N" => AttributeValue::N(text(inner)?),
        "B" => AttributeValue::B(Blob::new(base64(&text(inner)?)?)),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or("BOOL: expected true or false")?),
        "NULL" => AttributeValue::Null(true),
        "SS" => AttributeValue::Ss(list(inner)?.iter().map(text).collect::<Result<_, _>>()?),
        "NS" => AttributeValue::Ns(list(inner)?.iter().map(text).collect::<Result<_, _>>()?),
        "BS" => AttributeValue::Bs(
            list(inner)?
                .iter()
                .map(|x| text(x).and_then(|s| base64(&s)).map(Blob::new))
                .collect::<Result<_, _>>()?,
        ),
        "L" => AttributeValue::L(list(inner)?.iter().map(value).collect::<Result<_, _>>()?),
        "M" => AttributeValue::M(item(inner)?),
        other => return Err(format!("unknown DynamoDB JSON type {other}")),
    })
}

/// Standard base64 (with or without padding).
fn base64(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let d = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("invalid base64 character {:?}", c as char)),
        };
        acc = (acc << 6) | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dynamodb_json_becomes_attribute_values() {
        let i = item(&json!({
            "pk": {"S": "a"}, "n": {"N": "1.5"}, "b": {"B": "aGVsbG8="},
            "ok": {"BOOL": true}, "none": {"NULL": true}, "tags": {"SS": ["x", "y"]},
            "l": {"L": [{"N": "1"}, {"M": {"k": {"S": "v"}}}]},
        }))
        .unwrap();
        assert_eq!(i["pk"], AttributeValue::S("a".into()));
        assert_eq!(i["b"], AttributeValue::B(Blob::new(b"hello".to_vec())));
        assert_eq!(i["ok"], AttributeValue::Bool(true));
        assert!(matches!(&i["l"], AttributeValue::L(l) if l.len() == 2));
        assert!(item(&json!({"x": {"Q": 1}})).is_err());
        assert!(item(&json!({"x": {"S": "a", "N": "1"}})).is_err());
        assert_eq!(base64("Zm9vYmE").unwrap(), b"fooba");
    }
}
