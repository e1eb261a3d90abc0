// Package redisstore implements StudyTool's Redis-backed ports over go-redis v9's
// redis.UniversalClient, so the same adapters run on a standalone server, behind
// Sentinel, or on a Redis Cluster. Every key comes from the keyspace package.
package redisstore
