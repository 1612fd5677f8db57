package managedagents

// Money is an amount of money: Amount is a string of integer minor units (cents),
// Currency an upper-case ISO 4217 code ("USD").
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Budget is a session's spending cap: {"type":"limit","max_list_cost":Money}.
type Budget struct {
	// Type is "limit".
	Type string `json:"type"`
	// MaxListCost is the hard cap on list-price spend.
	MaxListCost Money `json:"max_list_cost"`
}

// NewBudgetLimit returns a Budget capping list-price spend at amount (minor
// units, e.g. "2500" for 25 USD) in currency.
func NewBudgetLimit(amount, currency string) *Budget {
	return &Budget{Type: "limit", MaxListCost: Money{Amount: amount, Currency: currency}}
}

// CacheCreation counts input tokens written to the prompt cache.
type CacheCreation struct {
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}

// ServerToolUse counts server-side tool requests.
type ServerToolUse struct {
	WebSearchRequests int64 `json:"web_search_requests"`
	WebFetchRequests  int64 `json:"web_fetch_requests"`
}

// SessionUsage is the cumulative usage of a session or thread. Counters the
// server does not track yet are zero.
type SessionUsage struct {
	InputTokens          int64          `json:"input_tokens,omitempty"`
	OutputTokens         int64          `json:"output_tokens,omitempty"`
	CacheReadInputTokens int64          `json:"cache_read_input_tokens,omitempty"`
	CacheCreation        *CacheCreation `json:"cache_creation,omitempty"`
	// ActiveSeconds is the time with at least one thread running: the basis of
	// runtime billing.
	ActiveSeconds float64        `json:"active_seconds,omitempty"`
	ListCost      *Money         `json:"list_cost,omitempty"`
	ServerToolUse *ServerToolUse `json:"server_tool_use,omitempty"`
}

// ModelUsage is the token usage of one model request (span.model_request_end,
// span.outcome_evaluation_end).
type ModelUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	// Speed is "standard" or "fast" when reported.
	Speed string `json:"speed,omitempty"`
}
