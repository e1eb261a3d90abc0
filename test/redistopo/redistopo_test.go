package redistopo_test

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/redistopo"
)

func TestMain(m *testing.M) { os.Exit(redistopo.Run(m)) }

// eventually bounds waits for a topology to change state (a failover, a restart).
const eventually = 30 * time.Second

func TestStandalone_RestartKeepsPortAndDirectory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		config   []string
		stop     func(*redistopo.Server) error
		survives bool
	}{
		{"graceful, with AOF", []string{"appendonly yes"}, (*redistopo.Server).Shutdown, true},
		{"graceful, without persistence", nil, (*redistopo.Server).Shutdown, false},
		{"killed, without persistence", nil, (*redistopo.Server).Kill, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := redistopo.Standalone(t, redistopo.Options{Config: tt.config})
			addr := srv.Addr()
			require.NoError(t, set(t, addr, "k", "v"))

			require.NoError(t, tt.stop(srv))
			require.Error(t, ping(t, addr), "the server is down")
			require.NoError(t, srv.Restart())
			assert.Equal(t, addr, srv.Addr())
			n, err := exists(t, addr, "k")
			require.NoError(t, err)
			assert.Equal(t, tt.survives, n == 1, "key after restart")
		})
	}
}

func TestStandalone_RestartOfRunningServerShutsItDownFirst(t *testing.T) {
	t.Parallel()
	srv := redistopo.Standalone(t, redistopo.Options{Config: []string{"appendonly yes"}})
	require.NoError(t, set(t, srv.Addr(), "k", "v"))
	require.NoError(t, srv.Restart())
	n, err := exists(t, srv.Addr(), "k")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "a graceful restart keeps the AOF's data")
	require.NoError(t, srv.Kill())
	require.NoError(t, srv.Kill(), "killing a stopped server does nothing")
	require.NoError(t, srv.Shutdown(), "shutting down a stopped server does nothing")
}

func TestStandalone_ConfigFileAndLinesApply(t *testing.T) {
	t.Parallel()
	conf := t.TempDir() + "/base.conf"
	require.NoError(t, os.WriteFile(conf, []byte("maxmemory-policy allkeys-lru\nhz 20\n"), 0o600))
	srv := redistopo.Standalone(t, redistopo.Options{ConfigFile: conf, Config: []string{"hz 15"}})
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = client.Close() })

	got, err := client.ConfigGet(t.Context(), "*").Result()
	require.NoError(t, err)
	assert.Equal(t, "allkeys-lru", got["maxmemory-policy"], "from the file")
	assert.Equal(t, "15", got["hz"], "a line wins over the file")
	assert.Equal(t, srv.Dir(), got["dir"])
	assert.Equal(t, "127.0.0.1", got["bind"])
	assert.Equal(t, "no", got["appendonly"], "no persistence unless asked for")
	assert.Empty(t, got["save"])
}

func TestCluster_FormsThreeMastersCoveringEverySlot(t *testing.T) {
	t.Parallel()
	c := redistopo.Cluster(t)
	assert.Same(t, c, redistopo.Cluster(t), "one cluster per test binary")
	require.Len(t, c.Addrs(), 3)

	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	t.Cleanup(func() { _ = client.Close() })
	shards, err := client.ClusterShards(t.Context()).Result()
	require.NoError(t, err)
	require.Len(t, shards, 3, "three shards")
	total := int64(0)
	for _, shard := range shards {
		require.Len(t, shard.Nodes, 1, "no replicas")
		master := shard.Nodes[0]
		assert.Equal(t, "master", master.Role)
		assert.Contains(t, c.Addrs(), net.JoinHostPort(master.IP, strconv.FormatInt(master.Port, 10)))
		for _, r := range shard.Slots {
			total += r.End - r.Start + 1
		}
	}
	assert.Equal(t, int64(16384), total, "every slot is served")
	for _, node := range c.Nodes {
		assert.Contains(t, clusterInfo(t, node.Addr()), "cluster_state:ok", node.Addr())
	}
}

func TestSentinel_ServesTheMasterAndReplicatesIt(t *testing.T) {
	t.Parallel()
	s := redistopo.Sentinel(t)
	assert.Same(t, s, redistopo.Sentinel(t), "one Sentinel pair per test binary")
	master, err := s.MasterAddr(t.Context())
	require.NoError(t, err)
	assert.Equal(t, s.Master.Addr(), master)

	client := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: s.MasterName, SentinelAddrs: s.Addrs()})
	t.Cleanup(func() { _ = client.Close() })
	key := "redistopo:" + t.Name()
	require.NoError(t, client.Set(t.Context(), key, "v", time.Minute).Err())
	t.Cleanup(func() { client.Del(context.Background(), key) })
	acked, err := client.Wait(t.Context(), 1, 5*time.Second).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), acked, "the replica acknowledges the write")
	replica := redis.NewClient(&redis.Options{Addr: s.Replica.Addr()})
	t.Cleanup(func() { _ = replica.Close() })
	got, err := replica.Get(t.Context(), key).Result()
	require.NoError(t, err)
	assert.Equal(t, "v", got)
}

func TestSentinel_FailoverPromotesTheReplica(t *testing.T) {
	t.Parallel()
	s := redistopo.NewSentinel(t, redistopo.SentinelOptions{DownAfter: time.Second})
	client := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: s.MasterName, SentinelAddrs: s.Addrs()})
	t.Cleanup(func() { _ = client.Close() })
	require.NoError(t, client.Set(t.Context(), "k", "v", 0).Err())
	acked, err := client.Wait(t.Context(), 1, 5*time.Second).Result()
	require.NoError(t, err)
	require.Equal(t, int64(1), acked)

	require.NoError(t, s.Master.Kill())
	require.Eventually(t, func() bool {
		addr, err := s.MasterAddr(t.Context())
		return err == nil && addr == s.Replica.Addr()
	}, eventually, 100*time.Millisecond, "Sentinel promotes the replica")
	require.Eventually(t, func() bool {
		got, err := client.Get(t.Context(), "k").Result()
		return err == nil && got == "v"
	}, eventually, 100*time.Millisecond, "the failover client follows Sentinel to the new master")
}

// set writes key on the server at addr.
func set(t *testing.T, addr, key, value string) error {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer client.Close()
	return client.Set(t.Context(), key, value, 0).Err()
}

// exists counts the keys that exist on the server at addr.
func exists(t *testing.T, addr string, keys ...string) (int64, error) {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer client.Close()
	return client.Exists(t.Context(), keys...).Result()
}

// ping checks that the server at addr answers.
func ping(t *testing.T, addr string) error {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer client.Close()
	return client.Ping(t.Context()).Err()
}

// clusterInfo returns CLUSTER INFO of the node at addr.
func clusterInfo(t *testing.T, addr string) string {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: addr})
	defer client.Close()
	info, err := client.ClusterInfo(t.Context()).Result()
	require.NoError(t, err)
	return info
}
