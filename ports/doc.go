// Package ports declares the driven-side interfaces the application needs: stores,
// repositories, the rate limiter and the clock. Every method takes a context first and
// returns the domain's errors (domain.ErrNotFound, domain.ErrCacheMiss, …), never a
// driver's.
package ports
