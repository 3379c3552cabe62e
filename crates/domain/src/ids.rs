//! Ids that are easy to mix up, as their own types. An account and the member it belongs to
//! both identify "me", and both were bare integers: `UserId` and `MemberId` make passing one
//! where the other is meant a compile error. Other ids stay integers until they meet the same
//! risk.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            pub const fn new(id: i64) -> Self {
                $name(id)
            }

            /// The number stored in the database.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// An account (`users.id`).
    UserId
);
id!(
    /// A party member (`members.id`), whether or not they have an account.
    MemberId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&UserId::new(7)).unwrap(), "7");
        assert_eq!(
            serde_json::from_str::<MemberId>("12").unwrap(),
            MemberId::new(12)
        );
    }
}
