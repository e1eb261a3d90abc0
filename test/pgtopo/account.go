package pgtopo

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
)

// serverUser is the operating-system account a root test binary runs PostgreSQL as.
const serverUser = "postgres"

// account is an operating-system account that owns a cluster and runs its server.
type account struct {
	name     string
	uid, gid int
}

// serverAccount returns the account to run PostgreSQL as: nil, meaning the test
// binary's own, unless the test binary runs as root, which initdb and postgres refuse;
// then the postgres account.
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("running as root, which PostgreSQL refuses, and no account to run it as: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("account %s: uid %q: %w", serverUser, u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("account %s: gid %q: %w", serverUser, u.Gid, err)
	}
	return &account{name: serverUser, uid: uid, gid: gid}, nil
}

// own gives path to the account; with the test binary's own account it does nothing.
func (a *account) own(path string) error {
	if a == nil {
		return nil
	}
	if err := os.Chown(path, a.uid, a.gid); err != nil {
		return fmt.Errorf("give %s to %s: %w", path, a.name, err)
	}
	return nil
}
