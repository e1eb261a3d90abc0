// Package keys holds the operators' key report and cleanup over the deployment's whole
// Redis keyspace (both roles, every Cluster master), read through ports.KeyInventory.
package keys

import (
	"context"
	"fmt"
	"sort"

	"github.com/studytool/studytool/ports"
)

// SamplePerGroup is how many keys of each group the report weighs with MEMORY USAGE;
// a group's bytes are extrapolated from its sample.
const SamplePerGroup = 100

// Group is one schema pattern of one Redis role in a Report.
type Group struct {
	Role    string          `json:"role"`
	Family  ports.KeyFamily `json:"family"`
	Pattern string          `json:"pattern"`
	Keys    int64           `json:"keys"`
	// SampledKeys were weighed; EstimatedBytes is their bytes scaled to Keys.
	SampledKeys    int   `json:"sampledKeys"`
	SampledBytes   int64 `json:"sampledBytes"`
	EstimatedBytes int64 `json:"estimatedBytes"`
	// NoTTL counts keys without a TTL in a family whose keys always have one.
	NoTTL int64 `json:"noTTL"`
}

// Report is the key report: every group, ordered by role and pattern, and the total.
type Report struct {
	Groups []Group `json:"groups"`
	Keys   int64   `json:"keys"`
}

// ReportHandler builds the key report.
type ReportHandler struct {
	inventory ports.KeyInventory
}

// NewReportHandler builds the handler.
func NewReportHandler(inventory ports.KeyInventory) *ReportHandler {
	return &ReportHandler{inventory: inventory}
}

// groupKey identifies a group while scanning.
type groupKey struct{ role, pattern string }

// groupState is a group and the keys sampled from it.
type groupState struct {
	Group
	sample []string
}

// Handle scans the keyspace; progress, when not nil, is called with each batch's size.
func (h *ReportHandler) Handle(ctx context.Context, progress func(keys int)) (*Report, error) {
	groups := map[groupKey]*groupState{}
	err := h.inventory.Scan(ctx, func(batch []ports.StoredKey) error {
		for _, k := range batch {
			addToGroup(groups, k)
		}
		if progress != nil {
			progress(len(batch))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keys report: %w", err)
	}
	report := &Report{Groups: []Group{}}
	for _, g := range groups {
		if err := h.weigh(ctx, g); err != nil {
			return nil, err
		}
		report.Groups = append(report.Groups, g.Group)
		report.Keys += g.Keys
	}
	sort.Slice(report.Groups, func(a, b int) bool {
		ga, gb := report.Groups[a], report.Groups[b]
		if ga.Role != gb.Role {
			return ga.Role < gb.Role
		}
		return ga.Pattern < gb.Pattern
	})
	return report, nil
}

// addToGroup counts k in its group, keeping the first SamplePerGroup keys as the sample.
func addToGroup(groups map[groupKey]*groupState, k ports.StoredKey) {
	id := groupKey{k.Role, k.Pattern}
	g, ok := groups[id]
	if !ok {
		g = &groupState{Group: Group{Role: k.Role, Family: k.Family, Pattern: k.Pattern}}
		groups[id] = g
	}
	g.Keys++
	if k.TTL < 0 && expectsTTL(k.Family) {
		g.NoTTL++
	}
	if len(g.sample) < SamplePerGroup {
		g.sample = append(g.sample, k.Key)
	}
}

// weigh reads the memory of g's sample and extrapolates it to the whole group.
func (h *ReportHandler) weigh(ctx context.Context, g *groupState) error {
	bytes, err := h.inventory.MemoryUsage(ctx, g.Role, g.sample)
	if err != nil {
		return fmt.Errorf("keys report: %s: %w", g.Pattern, err)
	}
	for _, b := range bytes {
		g.SampledBytes += b
	}
	g.SampledKeys = len(g.sample)
	if g.SampledKeys > 0 {
		g.EstimatedBytes = g.SampledBytes * g.Keys / int64(g.SampledKeys)
	}
	return nil
}

// expectsTTL reports whether every key of family is written with a TTL: all the
// schema's families are; an unknown key has no expectation.
func expectsTTL(family ports.KeyFamily) bool {
	return family != ports.KeyUnknown
}
