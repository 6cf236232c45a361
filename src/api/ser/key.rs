//! Map keys: JSON object keys must be strings, so integer keys are written
//! as text and other keys refused.

use super::*;

/// A map's key: a string, or a number, a boolean or a unit variant written
/// as one (as serde_json); anything else is an error.
pub(super) struct MapKey<'a> {
    pub(super) out: &'a mut String,
}

impl MapKey<'_> {
    fn quoted(self, write: impl FnOnce(&mut String)) -> Result<(), Error> {
        self.out.push('"');
        write(self.out);
        self.out.push('"');
        Ok(())
    }
}

fn key_error() -> Error {
    Error::from(String::from("key must be a string"))
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(|out| out.push_str(if v { "true" } else { "false" }))
    }

    widening_integers!();

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(|out| push_integer(out, v.unsigned_abs(), v < 0))
    }

    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(|out| out.push_str(&v.to_string()))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(|out| push_integer(out, v, false))
    }

    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(|out| out.push_str(&v.to_string()))
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::from(String::from("float key must be finite (got NaN or +/-inf)")));
        }
        self.quoted(|out| out.push_str(&v.to_string()))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::from(String::from("float key must be finite (got NaN or +/-inf)")));
        }
        self.quoted(|out| push_f64(out, v))
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_string(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(key_error())
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(key_error())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Error> {
        Err(key_error())
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_error())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_error())
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_error())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }

    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}
