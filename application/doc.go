// Package application holds StudyTool's use-cases, grouped in sub-packages by feature:
//
//   - auth: registration, login (with its limits and device tokens), logout, sessions,
//     password change;
//   - profile: the caller's profile, and the operators' permission management;
//   - decks: decks and cards;
//   - progress: learning progress reads;
//   - study: study sessions and reviews;
//   - cacheadmin: the operators' cache statistics and invalidation;
//   - cached: the cached repositories, decorators that implement a port over the plain
//     repository and the cache, owning their invalidation;
//   - cache: the cache layer those decorators use (read-through with stampede
//     protection, early refresh, generations, fencing).
//
// Use-cases depend on domain and ports only; one use-case per file, each a handler with
// Handle(ctx, cmd). NewID makes the ids of new records.
package application
