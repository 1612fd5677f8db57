package agenttoolset

import (
	"os"
	"strings"
)

// shellOverrides are set in every shell's environment, after scrubbing: no
// prompts, no terminal capabilities, no history file (self-hosted.md §5.1).
var shellOverrides = []string{"PS1=", "PS2=", "TERM=dumb", "HISTFILE="}

// shellEnv builds the environment of the shell from base (the process's own
// when nil). It removes every ANTHROPIC_* variable (any case), BASH_ENV and
// ENV (files a shell would source at start), every variable named in scrub
// (any case), and every variable whose value contains one of secrets; then it
// sets shellOverrides.
func shellEnv(base, scrub, secrets []string) []string {
	if base == nil {
		base = os.Environ()
	}
	out := make([]string, 0, len(base)+len(shellOverrides))
	for _, kv := range base {
		name, value, _ := strings.Cut(kv, "=")
		if dropEnv(name, value, scrub, secrets) {
			continue
		}
		out = append(out, kv)
	}
	return append(out, shellOverrides...)
}

func dropEnv(name, value string, scrub, secrets []string) bool {
	upper := strings.ToUpper(name)
	if strings.HasPrefix(upper, "ANTHROPIC_") || upper == "BASH_ENV" || upper == "ENV" {
		return true
	}
	for _, override := range shellOverrides {
		if strings.HasPrefix(override, name+"=") {
			return true
		}
	}
	for _, s := range scrub {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	for _, s := range secrets {
		if s != "" && (strings.Contains(value, s) || strings.Contains(name, s)) {
			return true
		}
	}
	return false
}
