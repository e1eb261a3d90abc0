package keyspace

import (
	"regexp"
	"strings"
)

// Wildcard stands for a dynamic part of a key in a Shape.
const Wildcard = "*"

// cacheVersion matches the schema-version segment that ends a cache entry's feature
// (`user:profile:v2`).
var cacheVersion = regexp.MustCompile(`^v\d+$`)

// maxCacheFeatureSegments bounds how many leading segments of a cache key Shape keeps
// as the feature; a key whose version segment comes later is treated as unversioned.
const maxCacheFeatureSegments = 6

// Shape returns key with its dynamic parts replaced by Wildcard, for logs and metrics
// that must name a key without revealing it: the prefix and the fixed words of the
// layout are kept, ids, tokens and hashes are not.
//
//	{prefix}session:9f86d0…            → {prefix}session:*
//	{prefix}user:sessions:u1           → {prefix}user:sessions:*
//	{prefix}study:sessions:u1:s1       → {prefix}study:sessions:*:*
//	{prefix}study:sessions:u1          → {prefix}study:sessions:*
//	{prefix}progress:u1:c1             → {prefix}progress:*:*
//	{prefix}ratelimit:login-ip:ab12…   → {prefix}ratelimit:login-ip:*
//	{prefix}idempotency:u1:ab12…       → {prefix}idempotency:*:*
//	{prefix}idempotency:u1             → {prefix}idempotency:*
//	{prefix}cache:user:profile:v2:g7:1 → {prefix}cache:user:profile:v2:*
//	{prefix}cache:gen:user:profile     → {prefix}cache:gen:*
//	{prefix}lock:session-sweep         → {prefix}lock:*
//
// A cache key keeps its feature up to and including the version segment (`vN`); without
// one, only its first segment. A key under the prefix that fits no layout becomes
// `{prefix}*`, and a key outside the prefix Wildcard alone.
func (k Keyspace) Shape(key string) string {
	rest, ok := strings.CutPrefix(key, k.prefix)
	if !ok {
		return Wildcard
	}
	head, tail, _ := strings.Cut(rest, ":")
	switch head {
	case "session", "lock":
		return k.shaped(head, tail, 1)
	case "progress":
		return k.shaped(head, tail, 2)
	case "user":
		if ids, ok := strings.CutPrefix(tail, "sessions:"); ok {
			return k.shaped("user:sessions", ids, 1)
		}
	case "study":
		if ids, ok := strings.CutPrefix(tail, "sessions:"); ok { // a session (user, id) or a user's index (user)
			return k.shaped("study:sessions", ids, min(strings.Count(ids, ":")+1, 2))
		}
	case "idempotency": // a record (user, digest) or a user's index (user)
		if parts := strings.Count(tail, ":") + 1; parts <= 2 {
			return k.shaped(head, tail, parts)
		}
	case "ratelimit":
		if scope, hash, ok := strings.Cut(tail, ":"); ok && ValidateSegment(scope) == nil {
			return k.shaped(head+":"+scope, hash, 1)
		}
	case "cache":
		return k.cacheShape(tail)
	}
	return k.prefix + Wildcard
}

// shaped returns the prefix, the fixed words and one Wildcard for each of the parts
// dynamic segments, or `{prefix}*` when dynamic does not hold exactly that many.
func (k Keyspace) shaped(fixed, dynamic string, parts int) string {
	if dynamic == "" || strings.Count(dynamic, ":") != parts-1 {
		return k.prefix + Wildcard
	}
	return k.prefix + fixed + strings.Repeat(":"+Wildcard, parts)
}

// cacheShape shapes the part of a cache key after `cache:`.
func (k Keyspace) cacheShape(relative string) string {
	segments := strings.Split(relative, ":")
	keep := 1
	for i, s := range segments[:min(len(segments)-1, maxCacheFeatureSegments)] {
		if cacheVersion.MatchString(s) {
			keep = i + 1
			break
		}
	}
	if len(segments) <= keep {
		return k.prefix + "cache:" + Wildcard
	}
	for _, s := range segments[:keep] {
		if ValidateSegment(s) != nil {
			return k.prefix + "cache:" + Wildcard
		}
	}
	return k.prefix + "cache:" + strings.Join(segments[:keep], ":") + ":" + Wildcard
}
