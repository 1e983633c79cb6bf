//! A serde `Serializer` that writes compact JSON byte for byte as `serde_json::to_writer`
//! does (the tests hold the two equal), for the shapes `awsw list --json` streams: structs,
//! sequences, options, strings, integers, booleans and unit variants. A string that needs no
//! escape is copied as it is: serde_json's byte-at-a-time escaper was a quarter of the
//! instructions of `list --json` on 10,000 profiles. Any other shape is an error, never a
//! different encoding.

use std::io::Write;

use serde::Serialize;
use serde::ser::{self, Impossible};

type Error = serde_json::Error;

/// Appends `value` as compact JSON to `out`.
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    value.serialize(Json { out })
}

/// Whether JSON needs escapes for these bytes: a control character, `"` or `\\`.
/// No early exit, so the compiler checks many bytes per instruction.
fn needs_escape(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |found, &b| found | (b < 0x20) | (b == b'"') | (b == b'\\'))
}

#[inline]
fn string(out: &mut Vec<u8>, text: &str) -> Result<(), Error> {
    if needs_escape(text.as_bytes()) {
        return serde_json::to_writer(out, text);
    }
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
    Ok(())
}

fn unsupported(shape: &str) -> Error {
    ser::Error::custom(format!("the list JSON writer does not write {shape}"))
}

struct Json<'a> {
    out: &'a mut Vec<u8>,
}

impl Json<'_> {
    fn number(self, value: impl std::fmt::Display) -> Result<(), Error> {
        write!(self.out, "{value}").map_err(Error::io)
    }
}

/// A struct or sequence being written: whether a comma goes before the next member.
struct Compound<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Compound<'_> {
    #[inline]
    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
    }
}

impl<'a> ser::Serializer for Json<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.number(v)
    }
    #[inline]
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.number(v)
    }
    fn serialize_f32(self, _v: f32) -> Result<(), Error> {
        Err(unsupported("floats"))
    }
    fn serialize_f64(self, _v: f64) -> Result<(), Error> {
        Err(unsupported("floats"))
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]))
    }
    #[inline]
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(unsupported("bytes"))
    }
    #[inline]
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    #[inline]
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    #[inline]
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        string(self.out, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(unsupported("enum variants with data"))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Error> {
        self.out.push(b'[');
        Ok(Compound { out: self.out, first: true })
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(unsupported("tuples"))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(unsupported("tuple structs"))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported("enum variants with data"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(unsupported("maps"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a>, Error> {
        self.out.push(b'{');
        Ok(Compound { out: self.out, first: true })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported("enum variants with data"))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.separate();
        value.serialize(Json { out: self.out })
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.separate();
        // A field name is a Rust identifier (awsw renames none into anything else), so it
        // needs no escape: checking 17 names per profile was a third of the writer's time.
        debug_assert!(!needs_escape(key.as_bytes()), "{key:?}");
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        value.serialize(Json { out: self.out })
    }
    fn end(self) -> Result<(), Error> {
        self.out.push(b'}');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    enum Tag {
        AssumeRole,
    }

    #[derive(Serialize)]
    struct Sample<'a> {
        text: &'a str,
        absent: Option<&'a str>,
        number: Option<u32>,
        big: u64,
        negative: i64,
        flag: bool,
        tag: Tag,
        list: Vec<&'a str>,
        empty: Vec<u8>,
        nested: Vec<Sample<'a>>,
    }

    fn sample(text: &str) -> Sample<'_> {
        Sample {
            text,
            absent: None,
            number: Some(7),
            big: u64::MAX,
            negative: -12,
            flag: true,
            tag: Tag::AssumeRole,
            list: vec![text, "b"],
            empty: Vec::new(),
            nested: Vec::new(),
        }
    }

    #[test]
    fn writes_exactly_what_serde_json_writes() {
        for text in ["plain", "tab\there \"quoted\" back\\slash 本番", "\u{0}\u{1f}\u{7f}", "", "é\n"] {
            let mut value = sample(text);
            value.nested.push(sample(text));
            let mut fast = Vec::new();
            write(&value, &mut fast).unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), serde_json::to_string(&value).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn other_shapes_are_refused_not_written_differently() {
        assert!(write(&1.5f64, &mut Vec::new()).is_err());
        assert!(write(&std::collections::BTreeMap::from([("k", 1)]), &mut Vec::new()).is_err());
    }

    #[test]
    fn needs_escape_agrees_with_a_byte_by_byte_check() {
        let slow = |b: &[u8]| b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\');
        let mut samples: Vec<Vec<u8>> =
            vec![b"arn:aws:iam::123456789012:role/admin".to_vec(), "本番-admin".into()];
        for special in [0u8, 0x1f, 0x20, b'"', b'\\', 0x7f, 0x80, 0xff, b'!', b'#'] {
            for pos in 0..17 {
                let mut s = vec![b'a'; 17];
                s[pos] = special;
                samples.push(s);
            }
        }
        for sample in &samples {
            assert_eq!(needs_escape(sample), slow(sample), "{sample:?}");
        }
    }
}
