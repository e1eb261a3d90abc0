// Package study holds the study-session use-cases: start a session over one of the
// caller's decks, read it, answer its cards under SM-2, and finish it.
//
// An answer is durable before the API acknowledges it: the review-log row and the
// progress upsert commit in one database transaction first; the progress is then copied
// to the progress cache (best-effort) and the study session (in Redis) moves on. Each
// answer is recorded under an id derived from (user, study session, card, answer
// number), so an answer retried after the session failed to move on — the review
// committed, the client got a 503 — is recognised and not logged twice.
package study
