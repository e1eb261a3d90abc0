package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/cacheadmin"
	"github.com/studytool/studytool/domain"
)

// AdminCacheHandlers serves the operators' cache endpoints (permission admin:cache).
type AdminCacheHandlers struct {
	authn           *Authenticator
	getStats        *cacheadmin.GetStatsHandler
	invalidateCache *cacheadmin.InvalidateHandler
}

var _ RouteRegistrar = (*AdminCacheHandlers)(nil)

// NewAdminCacheHandlers builds the operators' cache endpoints.
func NewAdminCacheHandlers(authn *Authenticator, getStats *cacheadmin.GetStatsHandler, invalidateCache *cacheadmin.InvalidateHandler) *AdminCacheHandlers {
	return &AdminCacheHandlers{authn: authn, getStats: getStats, invalidateCache: invalidateCache}
}

// Register implements RouteRegistrar.
func (h *AdminCacheHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/admin/cache", h.authn.Required(), h.authn.RequirePermission(domain.PermAdminCache))
	g.GET("/stats", h.stats)
	g.POST("/invalidate", h.invalidate)
}

type featureStatsResponse struct {
	Hits        int64 `json:"hits"`
	Misses      int64 `json:"misses"`
	Errors      int64 `json:"errors"`
	StaleServes int64 `json:"staleServes"`
}

type cacheStatsResponse struct {
	Hits     int64                           `json:"hits"`
	Misses   int64                           `json:"misses"`
	Errors   int64                           `json:"errors"`
	HitRate  float64                         `json:"hitRate"`
	Features map[string]featureStatsResponse `json:"features"`
	// Store is the store's figures (ports.CacheStoreStats), {} when it could not report.
	Store any `json:"store"`
}

func (h *AdminCacheHandlers) stats(c *gin.Context) {
	s := h.getStats.Handle(c.Request.Context())
	features := make(map[string]featureStatsResponse, len(s.Features))
	for name, f := range s.Features {
		features[name] = featureStatsResponse{Hits: f.Hits, Misses: f.Misses, Errors: f.Errors, StaleServes: f.StaleServes}
	}
	var store any = struct{}{}
	if s.Store != nil {
		store = *s.Store
	}
	c.JSON(http.StatusOK, cacheStatsResponse{
		Hits: s.Hits, Misses: s.Misses, Errors: s.Errors, HitRate: s.HitRate, Features: features, Store: store,
	})
}

type invalidateRequest struct {
	Pattern *string `json:"pattern" binding:"required"`
}

func (h *AdminCacheHandlers) invalidate(c *gin.Context) {
	var req invalidateRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	n, err := h.invalidateCache.Handle(c.Request.Context(), *req.Pattern)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deleted": n})
}
