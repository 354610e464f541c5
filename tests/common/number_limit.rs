//! The one disagreement allowed between `openai::rewrite_model` and serde_json: a number in
//! the sliver at the end of a double's range, which the rewrite refuses on purpose. Included by
//! `tests/openai.rs` and the `rewrite` fuzz target (with `#[path]`); apart from `tests/common`,
//! which builds without serde.

/// Whether JSON text that serde_json reads holds, anywhere, a number in the sliver at the end
/// of a double's range that `openai::rewrite_model` refuses on purpose (from
/// 1.79769313486231e308 up, json.rs's `NUMBER_LIMIT`), with room for serde_json's reading of it
/// to be a few doubles off: the one disagreement between the two that the `openai` tests and
/// the `rewrite` fuzz target allow.
///
/// Reads the text, not a `serde_json::Value`: a `Value` keeps only the last of two equal names
/// in an object, and the number may be under the first (`{"j":[1.8e308],"j":[]}`).
pub fn holds_number_near_the_limit(json: &[u8]) -> bool {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    /// Whether a JSON value holds such a number.
    struct Near(bool);

    impl<'de> Deserialize<'de> for Near {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Near, D::Error> {
            deserializer.deserialize_any(NearVisitor)
        }
    }

    struct NearVisitor;

    impl<'de> Visitor<'de> for NearVisitor {
        type Value = Near;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_f64<E>(self, x: f64) -> Result<Near, E> {
            Ok(Near(x.abs() >= 1.797_693_134_862_309e308))
        }
        fn visit_i64<E>(self, _: i64) -> Result<Near, E> {
            Ok(Near(false))
        }
        fn visit_u64<E>(self, _: u64) -> Result<Near, E> {
            Ok(Near(false))
        }
        fn visit_bool<E>(self, _: bool) -> Result<Near, E> {
            Ok(Near(false))
        }
        fn visit_str<E>(self, _: &str) -> Result<Near, E> {
            Ok(Near(false))
        }
        fn visit_unit<E>(self) -> Result<Near, E> {
            Ok(Near(false))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Near, A::Error> {
            let mut near = false;
            while let Some(Near(item)) = items.next_element()? {
                near |= item;
            }
            Ok(Near(near))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Near, A::Error> {
            let mut near = false;
            while let Some((IgnoredAny, Near(value))) = members.next_entry()? {
                near |= value;
            }
            Ok(Near(near))
        }
    }

    serde_json::from_slice::<Near>(json).is_ok_and(|Near(near)| near)
}
