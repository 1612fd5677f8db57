package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	ma "github.com/go-managedagents/managedagents"
)

// maxText is the most runes of text or JSON a summary quotes.
const maxText = 120

// summary returns a one-line summary of ev: its text, tool and input, stop
// reason, error, usage... Empty for events that say all with their type.
func summary(ev ma.Event) string {
	s := summarize(ev)
	if ev.EventID() != "" && ev.EventProcessedAt().IsZero() {
		s = strings.TrimSpace(s + " (queued)")
	}
	return s
}

func summarize(ev ma.Event) string {
	switch e := ev.(type) {
	// What the client sent.
	case *ma.UserMessageEvent:
		return blocks(e.Content)
	case *ma.UserInterruptEvent:
		return thread(e.SessionThreadID)
	case *ma.UserToolConfirmationEvent:
		s := string(e.Result) + " " + e.ToolUseID
		if e.DenyMessage != "" {
			s += ": " + clip(e.DenyMessage)
		}
		return s
	case *ma.UserCustomToolResultEvent:
		return result(e.CustomToolUseID, e.Content, e.IsError)
	case *ma.UserToolResultEvent:
		return result(e.ToolUseID, e.Content, e.IsError)
	case *ma.UserDefineOutcomeEvent:
		return e.OutcomeID + " " + clip(e.Description)
	case *ma.SystemMessageEvent:
		return blocks(e.Content)

	// What the agent did.
	case *ma.AgentMessageEvent:
		return blocks(e.Content)
	case *ma.AgentToolUseEvent:
		return toolUse(e.Name, e.Input, e.EvaluatedPermission, e.SessionThreadID)
	case *ma.AgentMCPToolUseEvent:
		return toolUse(e.MCPServerName+"/"+e.Name, e.Input, e.EvaluatedPermission, e.SessionThreadID)
	case *ma.AgentCustomToolUseEvent:
		return toolUse(e.Name, e.Input, "", e.SessionThreadID)
	case *ma.AgentToolResultEvent:
		return result(e.ToolUseID, e.Content, e.IsError)
	case *ma.AgentMCPToolResultEvent:
		return result(e.MCPToolUseID, e.Content, e.IsError)
	case *ma.AgentThreadMessageSentEvent:
		return "to " + name(e.ToAgentName, e.ToSessionThreadID) + ": " + blocks(e.Content)
	case *ma.AgentThreadMessageReceivedEvent:
		return "from " + name(e.FromAgentName, e.FromSessionThreadID) + ": " + blocks(e.Content)

	// The session.
	case *ma.SessionStatusIdleEvent:
		return stopReason(e.StopReason, e.StopDetails)
	case *ma.SessionErrorEvent:
		return sessionError(e.Error)
	case *ma.SessionUsageEvent:
		return usage(e.Usage)
	case *ma.SessionUpdatedEvent:
		return updated(e)
	case *ma.SessionThreadCreatedEvent:
		return e.SessionThreadID + " " + e.AgentName
	case *ma.SessionThreadStatusRunningEvent:
		return e.SessionThreadID + " " + e.AgentName
	case *ma.SessionThreadStatusIdleEvent:
		return e.SessionThreadID + " " + e.AgentName + ": " + stopReason(e.StopReason, e.StopDetails)
	case *ma.SessionThreadStatusRescheduledEvent:
		return e.SessionThreadID + " " + e.AgentName
	case *ma.SessionThreadStatusTerminatedEvent:
		return e.SessionThreadID + " " + e.AgentName

	// Spans.
	case *ma.SpanModelRequestEndEvent:
		s := tokens(e.ModelUsage.InputTokens, e.ModelUsage.OutputTokens, e.ModelUsage.CacheReadInputTokens, e.ModelUsage.CacheCreationInputTokens)
		if e.IsError {
			s = "failed, " + s
		}
		return s
	case *ma.SpanOutcomeEvaluationStartEvent:
		return fmt.Sprintf("%s round %d", e.OutcomeID, e.Iteration)
	case *ma.SpanOutcomeEvaluationOngoingEvent:
		return fmt.Sprintf("%s round %d", e.OutcomeID, e.Iteration)
	case *ma.SpanOutcomeEvaluationEndEvent:
		s := fmt.Sprintf("%s round %d: %s", e.OutcomeID, e.Iteration, e.Result)
		if e.Explanation != "" {
			s += ": " + clip(e.Explanation)
		}
		return s

	// Workflow runs.
	case *ma.WorkflowRunCreatedEvent:
		return fmt.Sprintf("%s %s (%d phases)", e.WorkflowRunID, e.Name, len(e.Phases))
	case *ma.WorkflowRunStatusRunningEvent:
		return e.WorkflowRunID
	case *ma.WorkflowRunStatusIdleEvent:
		return e.WorkflowRunID
	case *ma.WorkflowRunStatusEndedEvent:
		s := e.WorkflowRunID + " " + e.Result.Type
		if e.Result.Error != nil {
			s += ": " + e.Result.Error.Type + ": " + clip(e.Result.Error.Message)
		}
		return s
	case *ma.WorkflowRunErrorEvent:
		return strings.TrimSpace(e.WorkflowRunID + " " + e.Error.Type + ": " + clip(e.Error.Message))
	case *ma.WorkflowRunPhaseStartedEvent:
		return e.WorkflowRunID + " " + e.WorkflowRunPhaseID
	case *ma.WorkflowRunPhaseEndedEvent:
		return e.WorkflowRunID + " " + e.WorkflowRunPhaseID

	case *ma.UnknownEvent:
		return compact(e.RawJSON())
	}
	// The events whose type says it all: agent.thinking, session.status_running,
	// session.status_rescheduled, session.status_terminated, session.deleted,
	// span.model_request_start, agent.thread_context_compacted.
	return ""
}

// blocks summarizes content: its text on one line, and the other blocks by type.
func blocks(c ma.ContentBlocks) string {
	var parts []string
	for _, b := range c {
		if t, ok := b.(*ma.TextBlock); ok {
			if t != nil && strings.TrimSpace(t.Text) != "" {
				parts = append(parts, t.Text)
			}
			continue
		}
		if b != nil {
			parts = append(parts, "["+b.BlockType()+"]")
		}
	}
	return clip(strings.Join(parts, " "))
}

func toolUse(name string, input json.RawMessage, permission ma.EvaluatedPermission, threadID string) string {
	s := name
	if in := compact(input); in != "" && in != "{}" {
		s += " " + in
	}
	if permission != "" && permission != ma.EvaluatedPermissionAllow {
		s += " (" + string(permission) + ")"
	}
	if threadID != "" {
		s += " " + thread(threadID)
	}
	return s
}

func result(toolUseID string, content ma.ContentBlocks, isError bool) string {
	s := "for " + toolUseID
	if isError {
		s += " error"
	}
	if text := blocks(content); text != "" {
		s += ": " + text
	}
	return s
}

func stopReason(r ma.StopReason, details *ma.StopDetails) string {
	s := string(r.Type)
	if len(r.EventIDs) > 0 {
		s += " " + strings.Join(r.EventIDs, ",")
	}
	if details != nil && details.Category != "" {
		s += " (" + string(details.Category) + ")"
	}
	if details != nil && details.Explanation != "" {
		s += ": " + clip(details.Explanation)
	}
	return s
}

func sessionError(e ma.SessionError) string {
	s := string(e.Type)
	if e.Message != "" {
		s += ": " + clip(e.Message)
	}
	if e.RetryStatus.Type != "" {
		s += " (" + string(e.RetryStatus.Type) + ")"
	}
	return s
}

func usage(u ma.SessionUsage) string {
	var cacheWrite int64
	if u.CacheCreation != nil {
		cacheWrite = u.CacheCreation.Ephemeral5mInputTokens + u.CacheCreation.Ephemeral1hInputTokens
	}
	s := tokens(u.InputTokens, u.OutputTokens, u.CacheReadInputTokens, cacheWrite)
	if u.ActiveSeconds > 0 {
		s += fmt.Sprintf(", %.1fs active", u.ActiveSeconds)
	}
	if u.ListCost != nil {
		s += ", list cost " + money(*u.ListCost)
	}
	return s
}

func tokens(in, out, cacheRead, cacheWrite int64) string {
	s := fmt.Sprintf("in %d, out %d", in, out)
	if cacheRead > 0 {
		s += fmt.Sprintf(", cache read %d", cacheRead)
	}
	if cacheWrite > 0 {
		s += fmt.Sprintf(", cache write %d", cacheWrite)
	}
	return s
}

// money formats an amount of minor units, e.g. "1234" USD as "12.34 USD".
func money(m ma.Money) string {
	n, err := strconv.ParseInt(m.Amount, 10, 64)
	if err != nil || n < 0 {
		return m.Amount + " " + m.Currency + " (minor units)"
	}
	return fmt.Sprintf("%d.%02d %s", n/100, n%100, m.Currency)
}

func updated(e *ma.SessionUpdatedEvent) string {
	var parts []string
	if e.Title.Set {
		parts = append(parts, "title "+strconv.Quote(e.Title.Value))
	}
	if e.Metadata != nil {
		parts = append(parts, "metadata")
	}
	if e.Budget.Set {
		if e.Budget.Value == nil {
			parts = append(parts, "budget removed")
		} else {
			parts = append(parts, "budget "+money(e.Budget.Value.MaxListCost))
		}
	}
	if e.Agent != nil {
		parts = append(parts, "agent tools")
	}
	return strings.Join(parts, ", ")
}

func thread(id string) string {
	if id == "" {
		return ""
	}
	return "[thread " + id + "]"
}

func name(agent, threadID string) string {
	if agent != "" {
		return agent
	}
	return threadID
}

// compact returns JSON on one line, clipped.
func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return clip(string(raw))
	}
	return clip(b.String())
}

// clip puts s on one line (runs of white space become one space) and cuts it
// to maxText runes.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	r := []rune(s)
	return string(r[:maxText-1]) + "…"
}
