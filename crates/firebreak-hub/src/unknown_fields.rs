//! Finds fields the hub would drop. serde ignores fields a type does not know, so an
//! event from a newer client with a field this hub has never heard of would be stored
//! without it, and every other device would receive the poorer copy: data lost without
//! a word. The hub compares what it received with what it would store, and refuses the
//! request (`unknown_field`, naming the path) when a non-null value would vanish.

use serde_json::Value;

/// The path (`events[3].body.colour`) of the first field of `received` that has no
/// counterpart in `understood` (the same request, parsed and serialized again), unless
/// its value is `null` (the same as absent).
pub fn first_unknown(received: &Value, understood: &Value) -> Option<String> {
    walk(received, understood, &mut String::new())
}

fn walk(received: &Value, understood: &Value, path: &mut String) -> Option<String> {
    match (received, understood) {
        (Value::Object(got), Value::Object(known)) => {
            for (key, value) in got {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                let found = match known.get(key) {
                    None if value.is_null() => None,
                    None => Some(path.clone()),
                    Some(kept) => walk(value, kept, path),
                };
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        (Value::Array(got), Value::Array(known)) => {
            for (i, (value, kept)) in got.iter().zip(known).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(value, kept, path);
                path.truncate(len);
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        // Scalars, and shapes that serde accepted in another form (a duration as text,
        // a number as a string): the value was understood, not dropped.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_extra_field_is_named_by_its_path() {
        let received = json!({"device": "d", "events": [{"seq": 1}, {"seq": 2, "body": {"kind": "note", "colour": "red"}}]});
        let understood =
            json!({"device": "d", "events": [{"seq": 1}, {"seq": 2, "body": {"kind": "note"}}]});
        assert_eq!(
            first_unknown(&received, &understood).as_deref(),
            Some("events[1].body.colour")
        );
    }

    #[test]
    fn nulls_and_defaults_are_not_losses() {
        let received = json!({"a": null, "b": {"c": 1}});
        let understood = json!({"b": {"c": 1, "d": ""}, "e": []});
        assert_eq!(first_unknown(&received, &understood), None);
    }
}
