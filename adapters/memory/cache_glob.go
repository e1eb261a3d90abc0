package memory

// cacheGlobMatch reports whether s matches pattern with Redis's glob semantics for the
// two wildcards the keyspace allows: `*` matches any run of bytes (`:` included) and `?`
// exactly one byte. Every other byte matches itself. It runs in O(len(pattern)·len(s))
// at worst, backtracking only to the last `*`.
func cacheGlobMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
