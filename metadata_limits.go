package managedagents

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The limits of the metadata of agents and environments (the reference's
// AgentCreateParams and Environment), deployments, vaults, vault credentials
// and memory stores (more-resources.md §2.6, §3.1, §3.4, §4.2), in characters.
const (
	maxMetadataPairs      = 16
	maxMetadataKeyChars   = 64
	maxMetadataValueChars = 512
)

// validateMetadataLimits checks metadata, or a patch of it (value nil:
// delete the key): at most 16 keys set, keys of 1 to 64 characters, values
// of at most 512. A patch is checked alone: the keys it keeps are the
// server's to count.
func validateMetadataLimits[V string | *string](field string, m map[string]V) error {
	set := 0
	for k, v := range m {
		f := field + "[" + strconv.Quote(k) + "]"
		if n := utf8.RuneCountInString(k); n < 1 || n > maxMetadataKeyChars {
			return invalid(f, fmt.Sprintf("the key has %d characters; keys have 1 to %d", n, maxMetadataKeyChars))
		}
		var val string
		switch v := any(v).(type) {
		case string:
			val = v
		case *string:
			if v == nil {
				continue
			}
			val = *v
		}
		set++
		if err := checkChars(f, val, 0, maxMetadataValueChars, false); err != nil {
			return err
		}
	}
	if set > maxMetadataPairs {
		return invalid(field, fmt.Sprintf("sets %d keys; at most %d", set, maxMetadataPairs))
	}
	return nil
}
