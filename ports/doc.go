// Package ports declares the driven-side interfaces the application needs: stores,
// repositories, the rate limiter, the clock, and the rules that need more than the
// standard library (password hashing, the common-password blocklist, the canonical
// email form). Every method that does I/O takes a context first and returns the
// domain's errors (domain.ErrNotFound, domain.ErrCacheMiss, …), never a driver's;
// in-memory computations take no context.
package ports
