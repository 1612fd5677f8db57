package redisrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The tests run against a real redis-server. REDIS_ADDR names one that is
// already running; otherwise TestMain starts one on a free loopback port and
// stops it afterwards. Without the binary the tests skip, except under CI
// (CI set), where they fail.

var (
	sharedAddr   string // address of the server shared by the tests
	sharedServer *redisServer
)

// quietLogger drops go-redis's own log lines, which the outage tests provoke
// by the dozen.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	sharedAddr = os.Getenv("REDIS_ADDR")
	if sharedAddr == "" && os.Getenv(helperEnv) == "" {
		if bin, err := exec.LookPath("redis-server"); err == nil {
			s, err := startRedisServer(bin, 0, os.TempDir())
			if err != nil {
				fmt.Fprintln(os.Stderr, "redisrate tests:", err)
				os.Exit(1)
			}
			sharedServer, sharedAddr = s, s.addr
		}
	}
	code := m.Run()
	if sharedServer != nil {
		sharedServer.stop()
	}
	os.Exit(code)
}

// redisAddr returns the shared server's address, or skips t (fails it under
// CI) when there is none.
func redisAddr(t testing.TB) string {
	t.Helper()
	if sharedAddr == "" {
		noRedis(t)
	}
	return sharedAddr
}

func noRedis(t testing.TB) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("redis-server is not on PATH and REDIS_ADDR is not set; CI must run these tests (.ci/redis-test.sh installs it)")
	}
	t.Skip("redis-server is not on PATH and REDIS_ADDR is not set")
}

// newClient returns a client of its own (its own connection pool) for addr,
// closed when t ends.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// orgKey returns an organization key no other test uses.
func orgKey(t testing.TB) string {
	return fmt.Sprintf("%s-%s", t.Name(), rand.Text()[:8])
}

// redisServer is a redis-server process of the tests' own.
type redisServer struct {
	bin, dir string
	port     int
	addr     string

	mu  sync.Mutex
	cmd *exec.Cmd
	out *bytes.Buffer
}

// startOwnRedis starts a redis-server for t alone, stopped when t ends.
func startOwnRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		noRedis(t)
	}
	s, err := startRedisServer(bin, 0, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
}

// startRedisServer starts bin on port (a free one if 0) with no persistence,
// bound to loopback, and waits until it answers.
func startRedisServer(bin string, port int, dir string) (*redisServer, error) {
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	s := &redisServer{bin: bin, dir: dir, port: port, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	return s, s.start()
}

func (s *redisServer) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out = new(bytes.Buffer)
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.addr, MaxRetries: -1})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			s.cmd.Wait()
			return fmt.Errorf("redis-server on %s did not answer: %v\n%s", s.addr, err, s.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop kills the server, as a crash would, and waits for it to exit.
func (s *redisServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}
