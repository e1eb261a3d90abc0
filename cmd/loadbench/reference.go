package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// referenceSessionTTL is the rolling lifetime the reference's GETEX sets.
const referenceSessionTTL = 2 * time.Hour

// referenceProfile is what the reference keeps under a session key: a small profile, as
// GET /v1/me answers.
type referenceProfile struct {
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	DisplayName string   `json:"displayName"`
	Permissions []string `json:"permissions"`
	CreatedAt   string   `json:"createdAt"`
}

// writeLikeService answers p with the headers the service's GET /v1/me answers with,
// each computed as the service computes it (a fresh request id, an ETag of the body), so
// the reference's response is as long and costs the client as much to parse.
func writeLikeService(c *gin.Context, p referenceProfile) {
	body, err := json.Marshal(p)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(body)
	h := c.Writer.Header()
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `"`+base64.RawURLEncoding.EncodeToString(sum[:18])+`"`)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Vary", "Origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Request-Id", uuid.NewString())
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// referenceKey is the Redis key of token's session in the reference.
func referenceKey(prefix, token string) string { return prefix + "ref:session:" + token }

// serveReference runs the 1-RTT reference until SIGTERM or SIGINT: a Gin server whose GET
// /v1/me costs one GETEX of the session key on Redis (a missing key is 401), a JSON
// decode of the small profile stored there and a JSON response; no logging, no other
// middleware. It is the floor an authenticated read that goes to Redis once cannot beat.
func serveReference(addr, redisURL, prefix string, serviceHeaders bool) error {
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	rdb := redis.NewClient(opts)
	defer func() { _ = rdb.Close() }()

	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/v1/me", func(c *gin.Context) {
		token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		raw, err := rdb.GetEx(c.Request.Context(), referenceKey(prefix, token), referenceSessionTTL).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		case err != nil:
			c.AbortWithStatus(http.StatusServiceUnavailable)
			return
		}
		var p referenceProfile
		if err := json.Unmarshal(raw, &p); err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		if serviceHeaders {
			writeLikeService(c, p)
			return
		}
		c.JSON(http.StatusOK, p)
	})

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("reference: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: engine, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("reference: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
