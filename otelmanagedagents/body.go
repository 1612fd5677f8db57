package otelmanagedagents

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
)

// maxCapture is the largest answer body of a create kept for its span's
// attributes; a larger one gives no body attributes.
const maxCapture = 1 << 20

// captureBody is the body of a create's answer that keeps a copy of what the
// SDK reads, for the span's attributes once the call ends.
type captureBody struct {
	io.ReadCloser
	buf  bytes.Buffer
	over bool
}

func (b *captureBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if !b.over {
		if b.buf.Len()+n > maxCapture {
			b.over = true
			b.buf = bytes.Buffer{}
		} else {
			b.buf.Write(p[:n])
		}
	}
	return n, err
}

// bytes returns the body read, nil if it was over maxCapture.
func (b *captureBody) bytes() []byte {
	if b.over {
		return nil
	}
	return b.buf.Bytes()
}

// sessionCreateAttributes returns the attributes the span of a session
// create starts with, from its body: gen_ai.agent.id (the agent given as an
// id or as an object with one) and anthropic.session.environment.id. Nothing
// else of the body (resources may hold tokens) is read into a value.
func sessionCreateAttributes(req *http.Request) []attribute.KeyValue {
	if req.GetBody == nil {
		return nil
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil
	}
	defer rc.Close()
	var body struct {
		Agent         json.RawMessage `json:"agent"`
		EnvironmentID string          `json:"environment_id"`
	}
	if json.NewDecoder(io.LimitReader(rc, maxCapture)).Decode(&body) != nil {
		return nil
	}
	var attrs []attribute.KeyValue
	if id := idOf(body.Agent); id != "" {
		attrs = append(attrs, keyAgentID.String(id))
	}
	if body.EnvironmentID != "" {
		attrs = append(attrs, keySessionEnvID.String(body.EnvironmentID))
	}
	return attrs
}

// createdAttributes returns the attributes of a create's successful answer
// body: the new object's id under key and, for a session, the name and model
// of its agent.
func createdAttributes(op string, key attribute.Key, body []byte) []attribute.KeyValue {
	var v struct {
		ID    string `json:"id"`
		Agent *struct {
			Name  string          `json:"name"`
			Model json.RawMessage `json:"model"`
		} `json:"agent"`
	}
	if len(body) == 0 || json.Unmarshal(body, &v) != nil {
		return nil
	}
	var attrs []attribute.KeyValue
	if v.ID != "" {
		attrs = append(attrs, key.String(v.ID))
	}
	if op == "sessions.create" && v.Agent != nil {
		if v.Agent.Name != "" {
			attrs = append(attrs, keyAgentName.String(v.Agent.Name))
		}
		if model := idOf(v.Agent.Model); model != "" {
			attrs = append(attrs, keyRequestModel.String(model))
		}
	}
	return attrs
}

// idOf returns raw when it is a JSON string, or its "id" when it is an object
// with one; "" otherwise.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}
