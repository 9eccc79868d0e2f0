"""Password self-service (docs/journeys.md#selfservice, #recover, #identifier, #unlock, #menu): sign in
by password, security questions or mobile device; recover a password or an identifier by questions,
PIN or identity data; unlock an account; manage one's questions and linked accounts.

One module per part: `signin`, `recovery`, `unlock` (signed out, their state in the session through
accounts.selfservice.flow), `profile` and `links` (signed in); `base` holds what they share. Until a
proof succeeds, every signed-out page is the same whether the identifier names an account or not."""
