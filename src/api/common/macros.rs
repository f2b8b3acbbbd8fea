//! The declarative macros the families use: `api_enum!` for API enums that keep unknown values,
//! `setters!` and `request_bodies!` for create and update bodies.

/// Declares an API enum: known values as variants, anything else kept in `Unknown(String)`.
/// Decoding ignores case; encoding writes the wire form given here (or the unknown text as it came).
macro_rules! api_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$meta])*
        ///
        /// Decoding ignores case and keeps values this version does not know in `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know, as the API sent it.
            Unknown(String),
        }

        impl $name {
            /// The wire form.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(s) => s,
                }
            }

            /// Reads the wire form, ignoring case; anything else becomes `Unknown`.
            pub fn parse(s: &str) -> Self {
                $(if s.eq_ignore_ascii_case($wire) { return Self::$variant; })+
                Self::Unknown(s.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                Ok(Self::parse(s))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                $crate::api::common::lenient::text(d, $name::parse)
            }
        }
    };
}
pub(crate) use api_enum;

/// Builder setters for request bodies whose fields are all `Option`s (create and update bodies).
macro_rules! setters {
    ($ty:ty { $($(#[$doc:meta])* $name:ident: $arg:ty => $conv:expr;)* }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: $arg) -> Self {
                    self.$name = Some(($conv)(value));
                    self
                }
            )*
        }
    };
}
pub(crate) use setters;
