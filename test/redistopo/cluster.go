package redistopo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// clusterMasters is the size of the test cluster: three masters is the smallest cluster
// redis-cli will create, and enough to show that multi-key work crosses nodes.
const clusterMasters = 3

// clusterFormTimeout bounds redis-cli --cluster create and the wait for every node to
// report the cluster healthy.
const clusterFormTimeout = 60 * time.Second

// ClusterTopology is a Redis Cluster of three masters without replicas, the 16384 hash
// slots split evenly among them by redis-cli.
type ClusterTopology struct {
	// Nodes are the masters, in the order they were started.
	Nodes []*Server
}

// Addrs returns the host:port of every node, to seed a cluster client with.
func (c *ClusterTopology) Addrs() []string {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr()
	}
	return addrs
}

// Cluster returns the test binary's shared three-master cluster, starting it on first
// use. The package's TestMain must call Run, which stops it.
func Cluster(tb testing.TB) *ClusterTopology {
	tb.Helper()
	requireRun(tb)
	bins := lookBinaries(tb, serverBinary, cliBinary)
	c, err := sharedCluster(bins[0], bins[1])
	if err != nil {
		tb.Fatalf("redistopo: shared cluster: %v", err)
	}
	return c
}

// startCluster starts the nodes, each in a directory of its own under root, and joins
// them with redis-cli.
func startCluster(server, cli, root string) (c *ClusterTopology, err error) {
	c = &ClusterTopology{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.kill())
		}
	}()
	for i := range clusterMasters {
		dir := filepath.Join(root, "node-"+strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cluster node dir: %w", err)
		}
		bus, err := freePort()
		if err != nil {
			return nil, err
		}
		node, err := startServer(server, dir, slices.Concat(noPersistence, []string{
			"cluster-enabled yes",
			"cluster-config-file nodes.conf",
			"cluster-port " + strconv.Itoa(bus),
			"cluster-node-timeout 5000",
		}), nil)
		if err != nil {
			return nil, fmt.Errorf("cluster node %d: %w", i, err)
		}
		c.Nodes = append(c.Nodes, node)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterFormTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	if err := c.waitHealthy(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// waitHealthy waits until every node sees all three masters and every slot served.
func (c *ClusterTopology) waitHealthy(ctx context.Context) error {
	for _, node := range c.Nodes {
		client := node.client()
		err := poll(ctx, func() error {
			info, err := client.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			f := infoFields(info)
			if f["cluster_state"] != "ok" || f["cluster_slots_ok"] != "16384" ||
				f["cluster_known_nodes"] != strconv.Itoa(clusterMasters) {
				return fmt.Errorf("cluster_state:%s slots_ok:%s known_nodes:%s",
					f["cluster_state"], f["cluster_slots_ok"], f["cluster_known_nodes"])
			}
			return nil
		})
		_ = client.Close()
		if err != nil {
			return fmt.Errorf("cluster node %s not healthy: %w", node.Addr(), err)
		}
	}
	return nil
}

// kill kills every node.
func (c *ClusterTopology) kill() error {
	var errs []error
	for _, n := range c.Nodes {
		errs = append(errs, n.Kill())
	}
	return errors.Join(errs...)
}

// poll calls check until it succeeds or ctx ends, and returns check's last error then.
func poll(ctx context.Context, check func() error) error {
	for {
		err := check()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last check: %w)", ctx.Err(), err)
		case <-time.After(pollInterval):
		}
	}
}
