// Package observability makes StudyTool measurable: Prometheus metrics on a private
// registry (HTTP requests, Redis commands, pools and memory, circuit breakers, cache
// effectiveness, sessions), the slow-operation log for Redis commands, go-redis's own
// messages routed into slog, a log handler that collapses repeated warnings, and OpenTelemetry
// tracing that costs nothing unless an OTLP endpoint is configured.
//
// Metric families (every name starts with studytool_):
//
//	http_requests_total{route,method,status}            counter
//	http_request_duration_seconds{route,method}         histogram
//	redis_command_duration_seconds{role,command}        histogram (pipelines as "pipeline", transactions as "multi")
//	redis_slow_commands_total{role,command}             counter
//	redis_pool_hits_total{role}                         counter
//	redis_pool_misses_total{role}                       counter
//	redis_pool_timeouts_total{role}                     counter
//	redis_pool_connections{role,state="total|idle"}     gauge
//	redis_pool_stale_connections_total{role}            counter
//	redis_breaker_state{role}                           gauge: 0 closed, 1 half-open, 2 open
//	redis_up{role}                                      gauge: 1 when the last INFO poll answered
//	redis_memory_used_bytes{role}                       gauge
//	redis_memory_max_bytes{role}                        gauge: 0 means no maxmemory
//	redis_evicted_keys_total{role}                      counter
//	cache_hits_total{feature}                           counter
//	cache_misses_total{feature}                         counter
//	cache_errors_total{feature}                         counter
//	cache_stale_serves_total{feature}                   counter
//	cache_loads_total{feature}                          counter
//	cache_failures_absorbed_total{feature,operation}    counter (read, write, invalidate: absorbed, never an error)
//	sessions_created_total                              counter
//	sessions_evicted_total                              counter (the per-user limit)
//	sessions_expired_pruned_total                       counter
//	session_index_sweeps_total{outcome}                 counter (swept, skipped: another replica's turn, failed)
//	session_index_pruned_total{index}                   counter (user_sessions, study_sessions)
//	rate_limited_total{scope}                           counter (login-ip, login-failed-account-ip,
//	                                                    login-failed-account, login-failed-device,
//	                                                    register-ip, password-change-failed)
//	password_hashes_in_flight                           gauge (at most PASSWORD_HASH_CONCURRENCY)
//	password_hashes_waiting                             gauge
//	password_hashes_total                               counter
//	password_hash_busy_total                            counter (answered 503 busy)
//	db_wait_seconds{budget}                             histogram (wait for a connection: study, content)
//	db_timeouts_total{budget,kind,route}                counter (kind pool_wait or query_timeout; 503)
//	local_cache_hits_total{tier}                        counter (read in process, no round trip)
//	local_cache_misses_total{tier}                      counter (read from Redis, tier in use)
//	local_cache_bypasses_total{tier}                    counter (read from Redis, invalidation channel down)
//	local_cache_invalidations_total{tier}               counter
//	local_cache_evictions_total{tier}                   counter (LOCAL_CACHE_MAX_ENTRIES, _MAX_BYTES)
//	local_cache_flushes_total{tier}                     counter (channel lost, Redis flushed)
//	local_cache_entries{tier}, local_cache_bytes{tier}  gauge
//	local_cache_up{tier}                                gauge: 1 while the tier is in use
//
// plus the Go runtime (go_*) and process (process_*) collectors. The password_hash*
// families are registered by bootstrap from the hasher's own figures. The role label is
// "cache", "state", or RoleShared when one connection serves both; so is the tier label of
// the local_cache_* families, which exist only while a local tier runs (LOCAL_CACHE on a
// standalone Redis).
//
// The package is an adapter: it imports ports, domain and adapters/shared, never the
// application or another adapter. Metrics implements the ports' observers
// (ports.SessionObserver, ports.CacheObserver); the cache layer's counters are read at
// scrape time through ports.CacheLayer's Stats, which bootstrap hands over.
package observability
