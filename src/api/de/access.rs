//! How the deserializer hands arrays, objects, map keys and enum variants to
//! serde's visitors.

use super::*;

/// The items of an array, or the entries of an object.
pub(super) struct Items<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
    pub(super) first: bool,
}

impl Items<'_, '_> {
    /// True when there is another item (consumes the comma before it).
    fn more(&mut self, end: u8) -> Result<bool, Error> {
        let next = self.de.peek()?;
        if next == end {
            return Ok(false);
        }
        if !std::mem::take(&mut self.first) {
            if next != b',' {
                return Err(Error::new(if end == b']' { "expected `,` or `]`" } else { "expected `,` or `}`" }));
            }
            self.de.pos += 1;
        }
        Ok(true)
    }
}

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if !self.more(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

impl<'de> MapAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if !self.more(b'}')? {
            return Ok(None);
        }
        if self.de.peek()? != b'"' {
            return Err(Error::new("key must be a string"));
        }
        seed.deserialize(Key { de: &mut *self.de }).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if !self.de.eat(b':') {
            return Err(Error::new("expected `:`"));
        }
        seed.deserialize(&mut *self.de)
    }
}

/// An object's key: a string, or an integer written as one (as serde_json's
/// map keys).
pub(super) struct Key<'a, 'de> {
    de: &'a mut Deserializer<'de>,
}

impl<'de> Key<'_, 'de> {
    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let text = self.de.string()?;
        let text = match &text {
            Text::Borrowed(text) => text,
            Text::Owned(text) => text.as_str(),
        };
        let mut inner = Deserializer { src: text, pos: 0, depth: 0 };
        let number = inner.number()?;
        if inner.pos < text.len() {
            return Err(Error::new("invalid value: expected key to be a number in quotes"));
        }
        number.visit(visitor)
    }
}

macro_rules! integer_keys {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.integer(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Key<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.de.string()? {
            Text::Borrowed(text) => visitor.visit_borrowed_str(text),
            Text::Owned(text) => visitor.visit_string(text),
        }
    }

    integer_keys! { deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.de.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// `{"Variant": value}`: the cursor is after the `{`.
pub(super) struct Variant<'a, 'de> {
    pub(super) de: &'a mut Deserializer<'de>,
}

impl<'de> EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        if self.de.peek()? != b'"' {
            return Err(Error::new("key must be a string"));
        }
        let value = seed.deserialize(Key { de: &mut *self.de })?;
        if !self.de.eat(b':') {
            return Err(Error::new("expected `:`"));
        }
        Ok((value, self))
    }
}

impl<'de> VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(&mut *self.de)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(&mut *self.de, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(&mut *self.de, visitor)
    }
}
