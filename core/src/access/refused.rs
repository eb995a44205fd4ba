//! Why a credential that was presented stands for no one. Each reason is
//! told to the client (under `UNAUTHENTICATED`) so it can act on it: sign in
//! again, ask for a new key, ask an admin. None reveals more than the
//! credential's holder knows already: a key whose secret does not match is
//! "not valid" whatever became of the key with that prefix, and only a
//! correct secret learns that its key was revoked.

/// Why a presented credential was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a token this server signed: malformed, another algorithm, a bad signature.
    InvalidToken,
    /// A token past its lifetime.
    TokenExpired,
    /// A token whose member is no longer in the token's workspace.
    NotAMember,
    /// A token of a member an admin deactivated.
    MemberDeactivated,
    /// Not an API key this server issued, or its secret does not match.
    InvalidApiKey,
    /// An API key that was revoked.
    ApiKeyRevoked,
    /// An API key whose creator an admin deactivated (a key acts for its creator).
    ApiKeyCreatorDeactivated,
    /// An API key whose role and its creator's current one have no role
    /// below both to act with (e.g. SUPPORT and SALES).
    ApiKeyRoleUnusable,
}

impl Refused {
    /// What the client is told (short enough for a websocket close reason).
    pub fn message(self) -> &'static str {
        match self {
            Self::InvalidToken => "the token is not valid: sign in again",
            Self::TokenExpired => "the token expired: sign in again",
            Self::NotAMember => "the token's member is no longer in this workspace",
            Self::MemberDeactivated => "this member was deactivated: ask an admin",
            Self::InvalidApiKey => "the API key is not valid",
            Self::ApiKeyRevoked => "the API key was revoked",
            Self::ApiKeyCreatorDeactivated => {
                "the API key's creator was deactivated, so the key no longer acts"
            }
            Self::ApiKeyRoleUnusable => {
                "the API key's role and its creator's current role leave no role to act with"
            }
        }
    }

    /// The machine-readable reason (`extensions.reason`).
    pub fn reason(self) -> &'static str {
        match self {
            Self::InvalidToken => "INVALID_TOKEN",
            Self::TokenExpired => "TOKEN_EXPIRED",
            Self::NotAMember => "NOT_A_MEMBER",
            Self::MemberDeactivated => "MEMBER_DEACTIVATED",
            Self::InvalidApiKey => "INVALID_API_KEY",
            Self::ApiKeyRevoked => "API_KEY_REVOKED",
            Self::ApiKeyCreatorDeactivated => "API_KEY_CREATOR_DEACTIVATED",
            Self::ApiKeyRoleUnusable => "API_KEY_ROLE_UNUSABLE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Refused; 8] = [
        Refused::InvalidToken,
        Refused::TokenExpired,
        Refused::NotAMember,
        Refused::MemberDeactivated,
        Refused::InvalidApiKey,
        Refused::ApiKeyRevoked,
        Refused::ApiKeyCreatorDeactivated,
        Refused::ApiKeyRoleUnusable,
    ];

    #[test]
    fn each_reason_has_its_own_short_message() {
        for (i, refused) in ALL.iter().enumerate() {
            // A websocket close reason holds 123 bytes, "Forbidden: " included.
            assert!(refused.message().len() <= 110, "{refused:?}");
            for other in &ALL[..i] {
                assert_ne!(refused.message(), other.message());
                assert_ne!(refused.reason(), other.reason());
            }
        }
    }
}
