package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries is returned when no PostgreSQL server binaries are
// installed for [StartCluster] to run.
var ErrNoBinaries = errors.New("pgtest: no PostgreSQL server binaries (initdb, pg_ctl) found")

// Cluster is a throwaway PostgreSQL server of one test: initdb into a
// temporary directory from the local PostgreSQL binaries, listening on a
// free loopback port. Unlike the server of TEST_DATABASE_URL, a test may
// stop it, crash it and start it again. When the process runs as root, the
// server runs as the postgres operating-system user (PostgreSQL refuses to
// run as root), as scripts/test does.
type Cluster struct {
	// Dir holds the data directory, the socket and the server log.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// URL is the superuser's URL (user postgres, trust authentication) to
	// the postgres database; pass it where TEST_DATABASE_URL would go.
	URL string

	bin string // the directory of initdb and pg_ctl
	mu  sync.Mutex
}

// FindBinaries returns the directory of the newest PostgreSQL server
// binaries: /usr/lib/postgresql/N/bin (Debian, Ubuntu), or where initdb is
// on the PATH.
func FindBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) < pgVersion(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if executable(filepath.Join(dirs[i], "initdb")) && executable(filepath.Join(dirs[i], "pg_ctl")) {
			return dirs[i], nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if executable(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// StartCluster initializes and starts a throwaway cluster, stopped and
// removed when the test ends. It skips the test when no PostgreSQL
// binaries are installed (fails when OPSENGINE_REQUIRE_PG=1), and when it
// runs as root without a postgres user to own the cluster.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := FindBinaries()
	if err != nil {
		skipOrFail(t, "%v: install the PostgreSQL server (Debian, Ubuntu: apt-get install postgresql-15)", err)
	}
	var owner *user.User
	if os.Geteuid() == 0 {
		if owner, err = user.Lookup("postgres"); err != nil {
			skipOrFail(t, "pgtest: running as root and there is no postgres user to own a throwaway cluster")
		}
	}
	c, err := newCluster(bin, owner)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("pgtest: stop the throwaway cluster: %v", err)
		}
		os.RemoveAll(c.Dir)
	})
	if err := c.Start(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return c
}

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format+" (and %s=1)", append(args, EnvRequire)...)
	}
	t.Skipf(format, args...)
}

func newCluster(bin string, owner *user.User) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "opsengine-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin}
	fail := func(err error) (*Cluster, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	// The server's user must reach the directory; it holds nothing secret.
	if err := os.Chmod(dir, 0o755); err != nil {
		return fail(err)
	}
	if owner != nil {
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return fail(err)
		}
	}
	if c.Port, err = freePort(); err != nil {
		return fail(err)
	}
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
	if out, err := c.run("initdb", "-D", c.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
		return fail(fmt.Errorf("initdb: %w\n%s", err, out))
	}
	return c, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }

// LogPath is the server's log file.
func (c *Cluster) LogPath() string { return filepath.Join(c.Dir, "server.log") }

// run runs one of the PostgreSQL binaries, as the postgres user when this
// process is root.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = c.Dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// Start starts the server (again) and waits until it accepts connections.
// After a [Cluster.Crash] the server first recovers from its write-ahead
// log.
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off", c.Port, c.Dir)
	if out, err := c.run("pg_ctl", "-D", c.dataDir(), "-l", c.LogPath(), "-w", "-t", "120", "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(c.LogPath())
		return fmt.Errorf("start the throwaway cluster: %w\n%s\n%s", err, out, tail(log, 2000))
	}
	return c.waitReady()
}

// waitReady waits until a connection succeeds: pg_ctl -w returns when the
// server accepts connections, but a check costs little.
func (c *Cluster) waitReady() error {
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, c.URL)
		if err == nil {
			conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		if time.Now().After(deadline) {
			return fmt.Errorf("the throwaway cluster does not accept connections: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down cleanly (pg_ctl stop -m fast: sessions are
// disconnected, a checkpoint is written). Stopping a stopped server does
// nothing.
func (c *Cluster) Stop() error { return c.stop("fast") }

// Crash stops the server the way a crash would (pg_ctl stop -m immediate:
// every server process quits at once, with no checkpoint), so that the next
// [Cluster.Start] recovers from the write-ahead log. Sessions see their
// connections broken.
func (c *Cluster) Crash() error { return c.stop("immediate") }

func (c *Cluster) stop(mode string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running() {
		return nil
	}
	if out, err := c.run("pg_ctl", "-D", c.dataDir(), "-m", mode, "-w", "-t", "120", "stop"); err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %w\n%s", mode, err, out)
	}
	return nil
}

// running reports whether the server's postmaster.pid exists.
func (c *Cluster) running() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid"))
	return err == nil
}

// DB creates a database of the test on this cluster with the owner and
// runtime roles, as [Fresh] does on TEST_DATABASE_URL's server. It lives as
// long as the cluster.
func (c *Cluster) DB(t testing.TB) *DB {
	t.Helper()
	db, err := create(c.URL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return db
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
