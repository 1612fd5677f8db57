package managedagentstest

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-managedagents/managedagents/option"
)

// RecordEnv is the environment variable that switches recorders to record
// mode: MANAGEDAGENTS_RECORD=1 (or true) records, unset (or 0, false) replays.
// [WithMode] overrides it.
const RecordEnv = "MANAGEDAGENTS_RECORD"

// Mode is what a [Recorder] does with requests.
type Mode int

const (
	// ModeReplay answers every request from the recording, without any network
	// access. It is the mode when [RecordEnv] is unset.
	ModeReplay Mode = iota + 1
	// ModeRecord sends every request on (to whatever base URL the client has),
	// delivers the answers as they arrive, and saves them when the recorder
	// closes, replacing the earlier recording.
	ModeRecord
)

// String returns "replay" or "record".
func (m Mode) String() string {
	switch m {
	case ModeReplay:
		return "replay"
	case ModeRecord:
		return "record"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// modeFromEnv reads [RecordEnv].
func modeFromEnv() (Mode, error) {
	v := strings.TrimSpace(os.Getenv(RecordEnv))
	if v == "" {
		return ModeReplay, nil
	}
	rec, err := strconv.ParseBool(v)
	if err != nil {
		return 0, fmt.Errorf("managedagentstest: %s=%q: want 1 (record) or 0 (replay)", RecordEnv, v)
	}
	if rec {
		return ModeRecord, nil
	}
	return ModeReplay, nil
}

// HookStage is when a [Hook] runs.
type HookStage int

const (
	// AfterCapture hooks run on each recorded interaction once it is complete
	// (for a stream, once it ended or the recorder closed), after the built-in
	// redaction of secret headers and secret JSON fields.
	AfterCapture HookStage = iota + 1
	// BeforeSave hooks run on each interaction just before the recording is
	// written, before the final scrub of every secret seen anywhere.
	BeforeSave
	// BeforeReplay hooks run on a copy of each interaction as it is replayed,
	// before its answer is built: they can change what the client receives.
	BeforeReplay
)

// Hook changes an interaction at a [HookStage]; an error stops the recording
// from being saved, or fails the replayed request.
//
// In replay mode the AfterCapture and BeforeSave hooks also run on every
// request the client makes, with an empty Response, before it is matched: a
// request is compared with the recording as it would have been saved.
type Hook func(*Interaction) error

// RecorderOption configures a [Recorder].
type RecorderOption func(*recorderConfig)

type recorderConfig struct {
	mode      Mode
	transport http.RoundTripper
	matchers  []Matcher
	hooks     map[HookStage][]Hook
	fields    []string
	headers   []string
	secrets   []string
	timing    bool
}

// WithMode sets the mode, whatever [RecordEnv] says.
func WithMode(m Mode) RecorderOption {
	return func(c *recorderConfig) { c.mode = m }
}

// WithTransport sets the transport that sends requests in record mode
// (default http.DefaultTransport). A replay never uses it.
func WithTransport(rt http.RoundTripper) RecorderOption {
	return func(c *recorderConfig) {
		if rt != nil {
			c.transport = rt
		}
	}
}

// WithMatcher replaces the way a replay finds the recorded interaction of a
// request: an interaction matches when every matcher finds no difference. The
// default is [MatchDefault] alone (method, path, query and JSON body); for
// example WithMatcher(MatchDefault, MatchHeader("Anthropic-Beta")) also
// compares a header, and WithMatcher(MatchMethod, MatchPath) ignores queries
// and bodies.
func WithMatcher(ms ...Matcher) RecorderOption {
	return func(c *recorderConfig) { c.matchers = ms }
}

// WithHook adds a hook run at stage, after those added before it.
func WithHook(stage HookStage, h Hook) RecorderOption {
	return func(c *recorderConfig) {
		if h != nil {
			c.hooks[stage] = append(c.hooks[stage], h)
		}
	}
}

// WithRedactedFields adds JSON members (matched without regard to case, at any
// depth, in request and answer bodies and stream frames) whose values are
// secrets, to the built-in ones.
func WithRedactedFields(names ...string) RecorderOption {
	return func(c *recorderConfig) { c.fields = append(c.fields, names...) }
}

// WithRedactedHeaders adds headers whose values are secrets, to the built-in
// ones.
func WithRedactedHeaders(names ...string) RecorderOption {
	return func(c *recorderConfig) { c.headers = append(c.headers, names...) }
}

// WithSecrets adds values to remove from everywhere in the recording (paths,
// queries, headers, bodies, streams, errors), whatever their length: for
// example a token the test reads from the environment.
func WithSecrets(values ...string) RecorderOption {
	return func(c *recorderConfig) { c.secrets = append(c.secrets, values...) }
}

// WithRecordedTiming makes a replay wait as the recording did: each answer its
// recorded latency, each stream chunk until its recorded time since the
// stream's start. By default a replay answers as fast as the client reads.
func WithRecordedTiming() RecorderOption {
	return func(c *recorderConfig) { c.timing = true }
}

// Recorder is an http.RoundTripper that records a client's traffic to a
// fixture, or replays it from the fixture; see the package documentation's
// "Recorded sessions". Make it with [NewRecorder] in a test, or [OpenRecorder]
// elsewhere, and give it to a client with [Recorder.ClientOptions] (or
// option.WithHTTPClient([Recorder.Client])). It is safe for concurrent use.
type Recorder struct {
	name   string // the JSON document's path
	mode   Mode
	cfg    recorderConfig
	tb     testing.TB // nil for OpenRecorder
	redact *redactor

	mu     sync.Mutex
	closed bool
	errs   []error

	// Record mode.
	captures  []*capture
	seq       int
	lastWrite int
	found     map[string]bool // secrets seen, for the final scrub

	// Replay mode.
	recorded []*Interaction
	played   []bool
	playedBy map[int]bool // by Seq
	changed  chan struct{}
	diverged bool // a request was not found: streams stop waiting for writes
}

// NewRecorder returns a recorder for a test, in the mode [RecordEnv] selects
// (or [WithMode]), whose recording is name plus ".json" ("testdata/session"
// gives testdata/session.json, with its streams in testdata/session.NNN.sse),
// relative to the test's directory.
//
// In replay mode a missing or unreadable recording fails the test at once,
// saying how to record it; a request the recording does not hold fails the
// test with t.Errorf, showing how it differs from the closest recorded
// request. In record mode the recording is saved when the test ends (see
// [Recorder.Close]), unless the test failed: a failed run never replaces a
// recording. Close is called by t.Cleanup; a failure to save fails the test.
func NewRecorder(t testing.TB, name string, opts ...RecorderOption) *Recorder {
	t.Helper()
	r, err := newRecorder(t, name, opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() && r.mode == ModeRecord {
			r.abandon()
			t.Logf("managedagentstest: the test failed, so %s was not saved", r.name)
			return
		}
		if err := r.close(); err != nil && r.mode == ModeRecord {
			t.Errorf("%v", err)
		}
	})
	return r
}

// OpenRecorder returns a recorder like [NewRecorder] does, for use outside a
// test (a program that records fixtures, an example): errors are returned,
// and the caller must call [Recorder.Close], whose error reports what went
// wrong (a request the recording did not hold, a failed save).
func OpenRecorder(name string, opts ...RecorderOption) (*Recorder, error) {
	return newRecorder(nil, name, opts)
}

func newRecorder(t testing.TB, name string, opts []RecorderOption) (*Recorder, error) {
	cfg := recorderConfig{transport: http.DefaultTransport, matchers: []Matcher{MatchDefault}, hooks: map[HookStage][]Hook{}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if name == "" {
		return nil, errors.New("managedagentstest: a recording needs a name, such as \"testdata/session\"")
	}
	if cfg.mode == 0 {
		m, err := modeFromEnv()
		if err != nil {
			return nil, err
		}
		cfg.mode = m
	}
	if cfg.mode != ModeReplay && cfg.mode != ModeRecord {
		return nil, fmt.Errorf("managedagentstest: unknown recorder mode %v", cfg.mode)
	}
	r := &Recorder{name: fixturePath(name), mode: cfg.mode, cfg: cfg, tb: t,
		redact: newRedactor(cfg.fields, cfg.headers), found: map[string]bool{}}
	if r.mode == ModeRecord {
		return r, nil
	}
	recorded, err := loadFixture(r.name)
	if errors.Is(err, errNoFixture) {
		return nil, fmt.Errorf("managedagentstest: there is no recording %s to replay. Record it by running the test once "+
			"against the API with %s=1 and ANTHROPIC_API_KEY set:\n\t%s=1 go test -run '%s' .\nthen commit %s and its .sse files",
			r.name, RecordEnv, RecordEnv, runPattern(t), r.name)
	}
	if err != nil {
		return nil, fmt.Errorf("managedagentstest: %w", err)
	}
	r.recorded = recorded
	r.played = make([]bool, len(recorded))
	r.playedBy = map[int]bool{}
	r.changed = make(chan struct{})
	return r, nil
}

// runPattern returns a -run pattern for the test t belongs to.
func runPattern(t testing.TB) string {
	if t == nil {
		return "^TestName$"
	}
	top, _, _ := strings.Cut(t.Name(), "/")
	return "^" + regexp.QuoteMeta(top) + "$"
}

// Mode returns the recorder's mode.
func (r *Recorder) Mode() Mode { return r.mode }

// Client returns an *http.Client whose transport is the recorder.
func (r *Recorder) Client() *http.Client { return &http.Client{Transport: r} }

// replayAPIKey is the API key [Recorder.ClientOptions] gives a client in
// replay mode: a replay needs none, but the client refuses to send a request
// without one.
const replayAPIKey = "managedagentstest-replay-no-key"

// ClientOptions returns the options that route a managedagents client through
// the recorder: option.WithHTTPClient(r.Client()) and, in replay mode, a
// placeholder API key (CI needs no key), no client-side rate limiter and the
// shortest stream reconnect backoff, since a replay waits on no server. In
// record mode the client keeps its key (ANTHROPIC_API_KEY) and base URL. Put
// options of your own after these to change them:
//
//	client := managedagents.NewClient(rec.ClientOptions()...)
func (r *Recorder) ClientOptions() []option.RequestOption {
	opts := []option.RequestOption{option.WithHTTPClient(r.Client())}
	if r.mode == ModeReplay {
		opts = append(opts, option.WithAPIKey(replayAPIKey), option.WithoutLimiter(),
			option.WithStreamBackoff(time.Millisecond, time.Millisecond))
	}
	return opts
}

// RoundTrip records or replays one request.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("managedagentstest: %s %s after the recorder %s was closed", req.Method, req.URL.Path, r.name)
	}
	if r.mode == ModeRecord {
		return r.record(req)
	}
	return r.replay(req)
}

// Close ends the recorder. In record mode it saves the recording: every
// interaction complete by then (a stream still open is saved as closed by the
// client), redacted, replacing the earlier recording and its stream files. In
// replay mode it reports the requests the recording did not hold. Later
// requests fail. Close is idempotent; [NewRecorder] calls it when the test
// ends.
func (r *Recorder) Close() error { return r.close() }

func (r *Recorder) close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	if r.mode == ModeReplay {
		r.mu.Lock()
		defer r.mu.Unlock()
		close(r.changed) // wake the replays waiting: they end
		r.changed = make(chan struct{})
		if r.tb != nil {
			if n := len(r.unplayed()); n > 0 {
				r.tb.Logf("managedagentstest: %d of the %d interactions of %s were not replayed", n, len(r.recorded), r.name)
			}
		}
		return errors.Join(r.errs...)
	}
	return r.save()
}

// abandon closes a recorder in record mode without saving.
func (r *Recorder) abandon() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
}

// Unplayed returns copies of the recorded interactions that have not been
// replayed yet, in order; nil in record mode.
func (r *Recorder) Unplayed() []Interaction {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Interaction
	for _, ix := range r.unplayed() {
		out = append(out, *ix.clone())
	}
	return out
}

func (r *Recorder) unplayed() []*Interaction {
	var out []*Interaction
	for i, ix := range r.recorded {
		if !r.played[i] {
			out = append(out, ix)
		}
	}
	return out
}

// fail reports err: to the test, if any, and to Close.
func (r *Recorder) fail(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	closed := r.closed
	r.mu.Unlock()
	if r.tb != nil && !closed {
		r.tb.Errorf("%v", err)
	}
}

// runHooks runs the hooks of stage on ix.
func (r *Recorder) runHooks(stage HookStage, ix *Interaction) error {
	for _, h := range r.cfg.hooks[stage] {
		if err := h(ix); err != nil {
			return fmt.Errorf("managedagentstest: %s hook on #%d %s %s: %w", stage, ix.Seq, ix.Request.Method, ix.Request.Path, err)
		}
	}
	return nil
}

// String names the stage.
func (s HookStage) String() string {
	switch s {
	case AfterCapture:
		return "AfterCapture"
	case BeforeSave:
		return "BeforeSave"
	case BeforeReplay:
		return "BeforeReplay"
	}
	return "HookStage(" + strconv.Itoa(int(s)) + ")"
}

// isWrite reports whether a request may change the server's state: its
// answers (and the events it causes) can depend on it.
func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
