//! The declarative macros the families use: `api_enum!` for API enums that keep unknown values,
//! `request_bodies!` for create and update bodies.

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

/// Declares the create body and the update body of a resource from one field list, in wire order
/// (the order the JSON keys are written in).
///
/// ```text
/// request_bodies! {
///     /// docs and derives of the create body
///     pub struct NewThing;
///     /// docs and derives of the update body
///     pub struct UpdateThing;
///     fields {
///         /// The field's doc, shared by both bodies and by its setters.
///         #[serde(...)]                       // optional, applied in both bodies
///         name: String [req, opt] => impl Into<String>, Into::into;
///     }
/// }
/// ```
///
/// `[create, update]` says where the field goes: `req` is a required field of the create body
/// (plain type, set by its constructor, always sent); `opt` is an `Option` that is not sent while
/// unset; `no` leaves it out of that body. Each `opt` field gets a setter named after it that takes
/// the type after `=>` and converts it with the function after the comma; a field without `=>`
/// gets no setter (the family writes its own). The update body also gets `new()` (nothing set)
/// and must derive `Default`; the create body gets a private `with_required(..)` constructor
/// taking its `req` fields in order, with everything else unset.
macro_rules! request_bodies {
    (
        $(#[$new_meta:meta])* pub struct $new:ident;
        $(#[$upd_meta:meta])* pub struct $upd:ident;
        fields { $($fields:tt)* }
    ) => {
        $crate::api::common::request_bodies! { @new $new [$(#[$new_meta])*] [] [] [] [] $($fields)* }
        $crate::api::common::request_bodies! { @update $upd [$(#[$upd_meta])*] [] [] $($fields)* }
    };

    // The create body, field by field, collecting its fields, its required fields (name: type),
    // its optional fields (names) and its setters ((name [docs] [argument, conversion])).
    (@new $ty:ident $head:tt [$($fields:tt)*] [$($req:tt)*] $unset:tt $set:tt
        $(#[doc = $doc:literal])* $(#[serde $serde:tt])*
        $f:ident : $t:ty [req, $u:ident] $(=> $arg:ty, $conv:expr)?;
        $($rest:tt)*
    ) => {
        $crate::api::common::request_bodies! { @new $ty $head
            [$($fields)* $(#[doc = $doc])* $(#[serde $serde])* pub $f: $t,]
            [$($req)* $f: $t,] $unset $set $($rest)* }
    };
    (@new $ty:ident $head:tt [$($fields:tt)*] $req:tt [$($unset:tt)*] [$($set:tt)*]
        $(#[doc = $doc:literal])* $(#[serde $serde:tt])*
        $f:ident : $t:ty [opt, $u:ident] $(=> $arg:ty, $conv:expr)?;
        $($rest:tt)*
    ) => {
        $crate::api::common::request_bodies! { @new $ty $head
            [$($fields)* $(#[doc = $doc])* #[serde(skip_serializing_if = "Option::is_none")] $(#[serde $serde])* pub $f: Option<$t>,]
            $req [$($unset)* $f] [$($set)* ($f [$(#[doc = $doc])*] [$($arg, $conv)?])] $($rest)* }
    };
    (@new $ty:ident $head:tt $fields:tt $req:tt $unset:tt $set:tt
        $(#[doc = $doc:literal])* $(#[serde $serde:tt])*
        $f:ident : $t:ty [no, $u:ident] $(=> $arg:ty, $conv:expr)?;
        $($rest:tt)*
    ) => {
        $crate::api::common::request_bodies! { @new $ty $head $fields $req $unset $set $($rest)* }
    };
    (@new $ty:ident [$($head:tt)*] [$($fields:tt)*] [$($req:ident: $rt:ty,)*] [$($unset:ident)*] [$($set:tt)*]) => {
        $($head)*
        pub struct $ty { $($fields)* }

        impl $ty {
            /// The required fields set, everything else unset.
            #[allow(dead_code)]
            fn with_required($($req: $rt),*) -> Self {
                $ty { $($req,)* $($unset: None,)* }
            }

            $($crate::api::common::request_bodies! { @setter $set })*
        }
    };

    // The update body: every field it has is optional.
    (@update $ty:ident $head:tt [$($fields:tt)*] [$($set:tt)*]
        $(#[doc = $doc:literal])* $(#[serde $serde:tt])*
        $f:ident : $t:ty [$n:ident, opt] $(=> $arg:ty, $conv:expr)?;
        $($rest:tt)*
    ) => {
        $crate::api::common::request_bodies! { @update $ty $head
            [$($fields)* $(#[doc = $doc])* #[serde(skip_serializing_if = "Option::is_none")] $(#[serde $serde])* pub $f: Option<$t>,]
            [$($set)* ($f [$(#[doc = $doc])*] [$($arg, $conv)?])] $($rest)* }
    };
    (@update $ty:ident $head:tt $fields:tt $set:tt
        $(#[doc = $doc:literal])* $(#[serde $serde:tt])*
        $f:ident : $t:ty [$n:ident, no] $(=> $arg:ty, $conv:expr)?;
        $($rest:tt)*
    ) => {
        $crate::api::common::request_bodies! { @update $ty $head $fields $set $($rest)* }
    };
    (@update $ty:ident [$($head:tt)*] [$($fields:tt)*] [$($set:tt)*]) => {
        $($head)*
        pub struct $ty { $($fields)* }

        impl $ty {
            /// No changes yet.
            pub fn new() -> Self {
                Self::default()
            }

            $($crate::api::common::request_bodies! { @setter $set })*
        }
    };

    // One setter, or none for a field declared without `=>`.
    (@setter ($f:ident $doc:tt [])) => {};
    (@setter ($f:ident [$($doc:tt)*] [$arg:ty, $conv:expr])) => {
        #[doc = concat!("Sets `", stringify!($f), "`.")]
        #[doc = ""]
        $($doc)*
        pub fn $f(mut self, value: $arg) -> Self {
            self.$f = Some(($conv)(value));
            self
        }
    };
}
pub(crate) use request_bodies;
