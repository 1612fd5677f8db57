package managedagents

// Money is an amount of money.
type Money struct {
	// Amount is a whole number of minor units (cents), as a string: "2500".
	Amount string `json:"amount"`
	// Currency is an upper-case ISO 4217 code: "USD".
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
	// Ephemeral5mInputTokens were written to the 5-minute cache.
	Ephemeral5mInputTokens int64 `json:"ephemeral_5m_input_tokens"`
	// Ephemeral1hInputTokens were written to the 1-hour cache.
	Ephemeral1hInputTokens int64 `json:"ephemeral_1h_input_tokens"`
}

// ServerToolUse counts server-side tool requests.
type ServerToolUse struct {
	// WebSearchRequests counts web_search requests.
	WebSearchRequests int64 `json:"web_search_requests"`
	// WebFetchRequests counts web_fetch requests.
	WebFetchRequests int64 `json:"web_fetch_requests"`
}

// SessionUsage is the cumulative usage of a session or thread. Counters the
// server does not track yet are zero.
type SessionUsage struct {
	// InputTokens counts the input tokens not read from the cache.
	InputTokens int64 `json:"input_tokens,omitempty"`
	// OutputTokens counts the output tokens.
	OutputTokens int64 `json:"output_tokens,omitempty"`
	// CacheReadInputTokens counts the input tokens read from the cache.
	CacheReadInputTokens int64 `json:"cache_read_input_tokens,omitempty"`
	// CacheCreation counts the input tokens written to the cache.
	CacheCreation *CacheCreation `json:"cache_creation,omitempty"`
	// ActiveSeconds is the time with at least one thread running: the basis of
	// runtime billing.
	ActiveSeconds float64 `json:"active_seconds,omitempty"`
	// ListCost is the spend at list prices, which a Budget caps.
	ListCost *Money `json:"list_cost,omitempty"`
	// ServerToolUse counts the server-side tool requests.
	ServerToolUse *ServerToolUse `json:"server_tool_use,omitempty"`
}

// ModelUsage is the token usage of one model request (span.model_request_end,
// span.outcome_evaluation_end).
type ModelUsage struct {
	// InputTokens counts the input tokens not read from the cache.
	InputTokens int64 `json:"input_tokens"`
	// OutputTokens counts the output tokens.
	OutputTokens int64 `json:"output_tokens"`
	// CacheReadInputTokens counts the input tokens read from the cache.
	CacheReadInputTokens int64 `json:"cache_read_input_tokens"`
	// CacheCreationInputTokens counts the input tokens written to the cache.
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	// Speed is "standard" or "fast" when reported.
	Speed string `json:"speed,omitempty"`
}
