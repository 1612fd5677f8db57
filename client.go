package managedagents

import (
	"os"

	"github.com/go-managedagents/managedagents/internal/config"
	"github.com/go-managedagents/managedagents/internal/transport"
	"github.com/go-managedagents/managedagents/option"
	"github.com/go-managedagents/managedagents/ratelimit"
)

// Version is the version of this SDK, sent in the User-Agent header.
const Version = transport.SDKVersion

// BetaHeader is the beta name sent in anthropic-beta on every request of the
// Managed Agents endpoints (after which come the names of option.WithBetas).
const BetaHeader = transport.ManagedBeta

// Client is a client of the Claude Managed Agents API. Build it with [NewClient].
// A *Client is safe for concurrent use by many goroutines.
type Client struct {
	// Agents manages agents: /v1/agents.
	Agents *AgentService
	// Environments manages environments: /v1/environments.
	Environments *EnvironmentService
	// Sessions manages sessions, their events, resources and threads: /v1/sessions.
	Sessions *SessionService
	// MemoryStores manages memory stores, their memories and memory versions:
	// /v1/memory_stores.
	MemoryStores *MemoryStoreService

	// Deployments manages deployments, which run an agent on a schedule or on
	// demand: /v1/deployments.
	Deployments *DeploymentService
	// DeploymentRuns reads the record of each fire of a deployment:
	// /v1/deployment_runs.
	DeploymentRuns *DeploymentRunService
	// Vaults manages vaults and their credentials: /v1/vaults.
	Vaults *VaultService

	// Files uploads, lists, downloads and deletes files: /v1/files.
	Files *FileService
	// Skills manages skills and their versions: /v1/skills.
	Skills *SkillService

	cfg     *config.Config
	initErr error
}

// NewClient returns a client. It reads ANTHROPIC_API_KEY,
// ANTHROPIC_ENVIRONMENT_KEY (the key of a self-hosted environment, see
// option.WithEnvironmentKey) and ANTHROPIC_BASE_URL from the environment,
// then applies opts. Without options it uses
// https://api.anthropic.com, 2 retries, an in-process rate limiter with
// [ratelimit.DefaultBudgets] (60 create and 600 read requests per minute), and
// an HTTP client shared by every client built without option.WithHTTPClient
// (one connection pool per process).
//
// An invalid option does not panic: the error is returned by every call made with
// the client.
func NewClient(opts ...option.RequestOption) *Client {
	cfg := config.New()
	cfg.Limiter = ratelimit.New(ratelimit.DefaultBudgets)
	var envOpts []option.RequestOption
	if key := os.Getenv("ANTHROPIC_API_KEY"); key != "" {
		envOpts = append(envOpts, option.WithAPIKey(key))
	}
	if key := os.Getenv("ANTHROPIC_ENVIRONMENT_KEY"); key != "" {
		envOpts = append(envOpts, option.WithEnvironmentKey(key))
	}
	if base := os.Getenv("ANTHROPIC_BASE_URL"); base != "" {
		envOpts = append(envOpts, option.WithBaseURL(base))
	}
	c := &Client{cfg: cfg}
	c.initErr = apply(cfg, append(envOpts, opts...))
	c.wire()
	return c
}

// WithOptions returns a client whose settings are c's with opts applied on top;
// c itself is unchanged. The two share the rate limiter (unless opts replace
// it: the new client then has a budget of its own) and the HTTP client. Use it
// for a group of calls with common settings.
func (c *Client) WithOptions(opts ...option.RequestOption) *Client {
	n := &Client{cfg: c.cfg.Clone(), initErr: c.initErr}
	if n.initErr == nil {
		n.initErr = apply(n.cfg, opts)
	}
	n.wire()
	return n
}

// wire creates the services of c.
func (c *Client) wire() {
	c.Agents = &AgentService{client: c, Versions: &AgentVersionService{client: c}}
	c.Environments = &EnvironmentService{client: c, Work: &EnvironmentWorkService{client: c}}
	c.Sessions = &SessionService{client: c}
	c.Sessions.Events = &SessionEventService{client: c}
	c.Sessions.Resources = &SessionResourceService{client: c}
	c.Sessions.Threads = &SessionThreadService{client: c, Events: &SessionThreadEventService{client: c}}

	c.Deployments = &DeploymentService{client: c}
	c.DeploymentRuns = &DeploymentRunService{client: c}
	c.Vaults = &VaultService{client: c, Credentials: &VaultCredentialService{client: c}}
	c.MemoryStores = &MemoryStoreService{client: c, Memories: &MemoryService{client: c}, MemoryVersions: &MemoryVersionService{client: c}}

	c.Files = &FileService{client: c}
	c.Skills = &SkillService{client: c, Versions: &SkillVersionService{client: c}}
}

func apply(cfg *config.Config, opts []option.RequestOption) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			return err
		}
	}
	return nil
}

// config returns the settings of one call: the client's with opts applied.
func (c *Client) config(opts []option.RequestOption) (*config.Config, error) {
	if c.initErr != nil {
		return nil, c.initErr
	}
	if len(opts) == 0 {
		return c.cfg, nil
	}
	cfg := c.cfg.Clone()
	cfg.PerCall = true
	if err := apply(cfg, opts); err != nil {
		return nil, err
	}
	return cfg, nil
}

// AgentService manages agents. Get it from [Client.Agents].
type AgentService struct {
	client *Client
	// Versions lists the versions of an agent.
	Versions *AgentVersionService
}

// AgentVersionService lists agent versions. Get it from [AgentService.Versions].
type AgentVersionService struct{ client *Client }

// EnvironmentService manages environments. Get it from [Client.Environments].
type EnvironmentService struct {
	client *Client
	// Work is the work queue of self-hosted environments.
	Work *EnvironmentWorkService
}

// SessionService manages sessions. Get it from [Client.Sessions].
type SessionService struct {
	client *Client
	// Events sends, lists and streams the events of a session.
	Events *SessionEventService
	// Resources manages the resources mounted in a session.
	Resources *SessionResourceService
	// Threads reads and archives the threads of a session.
	Threads *SessionThreadService
}

// SessionEventService sends, lists and streams session events. Get it from
// [SessionService.Events].
type SessionEventService struct{ client *Client }

// SessionResourceService manages session resources. Get it from
// [SessionService.Resources].
type SessionResourceService struct{ client *Client }

// SessionThreadService reads and archives session threads. Get it from
// [SessionService.Threads].
type SessionThreadService struct {
	client *Client
	// Events lists and streams the events of a thread.
	Events *SessionThreadEventService
}
