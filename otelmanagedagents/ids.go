package otelmanagedagents

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"

	"github.com/go-managedagents/managedagents/option"
)

// idKey returns the attribute of the value of the route placeholder name.
func idKey(name string) attribute.Key {
	if k, ok := pathIDKeys[name]; ok {
		return k
	}
	return attribute.Key("anthropic." + strings.TrimSuffix(name, "_id") + ".id")
}

// pathIDAttributes returns the attributes of the call's path parameters, and
// gen_ai.conversation.id, the thread's id, on a thread's calls.
func pathIDAttributes(params []option.PathParam) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, len(params)+1)
	for _, p := range params {
		attrs = append(attrs, idKey(p.Name).String(p.Value))
		if p.Name == "thread_id" {
			attrs = append(attrs, keyConversationID.String(p.Value))
		}
	}
	return attrs
}

// createdIDKey returns the attribute that gets the id of the object a call
// creates, and false when the call creates none. A create is a POST whose
// operation ends in create, add or upload, on a route that ends in its
// collection: "sessions.resources.add" on /v1/sessions/{session_id}/resources
// creates an anthropic.session.resource.id.
func createdIDKey(call *option.Call) (attribute.Key, bool) {
	verb := call.Operation[strings.LastIndexByte(call.Operation, '.')+1:]
	switch verb {
	case "create", "add", "upload":
	default:
		return "", false
	}
	collection := call.Route[strings.LastIndexByte(call.Route, '/')+1:]
	if call.Method != "POST" || collection == "" || strings.HasPrefix(collection, "{") {
		return "", false
	}
	placeholder, ok := collectionIDs[collection]
	if !ok {
		placeholder = strings.TrimSuffix(collection, "s") + "_id"
	}
	return idKey(placeholder), true
}
