package managedagentstest

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-managedagents/managedagents/webhooks"
)

// vaultRec is a stored vault and its credentials.
type vaultRec struct {
	id      string
	seq     int64
	created time.Time
	v       obj
	creds   []*credRec // in creation order
}

func (v *vaultRec) archived() bool { return v.v["archived_at"] != nil }

// credRec is a stored credential. The answer form v never holds a secret: the
// secrets are kept apart, write-only (reference §3.3).
type credRec struct {
	id      string
	seq     int64
	created time.Time
	v       obj
	secrets map[string]string // access_token, refresh_token, client_secret, token, secret_value
}

func (c *credRec) archived() bool { return c.v["archived_at"] != nil }

func (c *credRec) auth() obj { return c.v["auth"].(obj) }

func (s *Server) vault(id string) (*vaultRec, error) {
	v, ok := s.vaults[id]
	if !ok {
		return nil, errNotFound("vault " + id + " not found")
	}
	return v, nil
}

// credential finds the credential of the request's path.
func (s *Server) credential(r *http.Request) (*vaultRec, *credRec, int, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, nil, 0, err
	}
	id := r.PathValue("credential_id")
	for i, c := range v.creds {
		if c.id == id {
			return v, c, i, nil
		}
	}
	return nil, nil, 0, errNotFound("credential " + id + " not found in vault " + v.id)
}

// displayName reads display_name: a string of 1 to 255 characters, or (when
// nullable) null.
func displayName(body obj, nullable bool) (any, bool, error) {
	v, ok := body["display_name"]
	if !ok || (v == nil && nullable) {
		return nil, ok, nil
	}
	name, isStr := v.(string)
	if n := utf8.RuneCountInString(name); !isStr || n < 1 || n > 255 {
		return nil, true, errBadRequest("display_name: must be a string of 1 to 255 characters")
	}
	return name, true, nil
}

func (s *Server) createVault(r *http.Request, body obj) (any, error) {
	if err := onlyKeys(body, "body", "display_name", "metadata"); err != nil {
		return nil, err
	}
	name, ok, err := displayName(body, false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errBadRequest("display_name: field required")
	}
	md, err := patchMetadata(obj{}, body["metadata"], false)
	if err != nil {
		return nil, err
	}
	now := s.now()
	id := s.newID("vlt")
	v := obj{"id": id, "type": "vault", "display_name": name, "metadata": md,
		"created_at": ts(now), "updated_at": ts(now), "archived_at": nil}
	s.vaults[id] = &vaultRec{id: id, seq: s.nextSeq(), created: now, v: v}
	s.emitWebhook(webhooks.TypeVaultCreated, id, nil)
	return v, nil
}

func (s *Server) getVault(r *http.Request, _ obj) (any, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, err
	}
	return v.v, nil
}

func (s *Server) updateVault(r *http.Request, body obj) (any, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", "display_name", "metadata"); err != nil {
		return nil, err
	}
	if v.archived() {
		return nil, errBadRequest("vault %s is archived", v.id)
	}
	next := clone(v.v)
	if err := patchNameAndMetadata(next, body); err != nil {
		return nil, err
	}
	next["updated_at"] = ts(s.now())
	v.v = next
	return next, nil
}

// patchNameAndMetadata applies the display_name and metadata of a vault or
// credential update to next.
func patchNameAndMetadata(next, body obj) error {
	if name, ok, err := displayName(body, false); err != nil {
		return err
	} else if ok {
		next["display_name"] = name
	}
	if m, ok := body["metadata"]; ok {
		md, err := patchMetadata(next["metadata"].(obj), m, false)
		if err != nil {
			return err
		}
		next["metadata"] = md
	}
	return nil
}

func (s *Server) listVaults(r *http.Request, _ obj) (any, error) {
	limit, order, c, err := listParams(r, "vaults", 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	archived, err := boolParam(r, "include_archived")
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, v := range s.vaults {
		if archived || !v.archived() {
			items = append(items, listItem{t: v.created, seq: v.seq, v: v.v})
		}
	}
	return paginate(items, "vaults", order, limit, c).json(false), nil
}

func (s *Server) deleteVault(r *http.Request, _ obj) (any, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, err
	}
	delete(s.vaults, v.id)
	s.emitWebhook(webhooks.TypeVaultDeleted, v.id, nil)
	for _, c := range v.creds {
		s.emitWebhook(webhooks.TypeVaultCredentialDeleted, c.id, map[string]string{"vault_id": v.id})
	}
	return obj{"id": v.id, "type": "vault_deleted"}, nil
}

func (s *Server) archiveVault(r *http.Request, _ obj) (any, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, err
	}
	if s.archiveOnce(v.v) {
		// Archiving a vault archives its credentials (webhooks-telemetry.md
		// §1.6: one vault_credential.archived follows per credential).
		s.emitWebhook(webhooks.TypeVaultArchived, v.id, nil)
		for _, c := range v.creds {
			if s.archiveOnce(c.v) {
				s.emitWebhook(webhooks.TypeVaultCredentialArchived, c.id, map[string]string{"vault_id": v.id})
			}
		}
	}
	return v.v, nil
}

// archiveOnce sets the archived_at and updated_at of v, an object not yet
// archived, and reports whether it did; archiving again changes nothing.
func (s *Server) archiveOnce(v obj) bool {
	if v["archived_at"] != nil {
		return false
	}
	now := ts(s.now())
	v["archived_at"], v["updated_at"] = now, now
	return true
}

// Credentials.

func (s *Server) createCredential(r *http.Request, body obj) (any, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", "auth", "display_name", "metadata"); err != nil {
		return nil, err
	}
	if v.archived() {
		return nil, errBadRequest("vault %s is archived", v.id)
	}
	name, _, err := displayName(body, true)
	if err != nil {
		return nil, err
	}
	md, err := patchMetadata(obj{}, body["metadata"], false)
	if err != nil {
		return nil, err
	}
	in, ok := isObj(body["auth"])
	if !ok {
		return nil, errBadRequest("auth: field required")
	}
	c := &credRec{seq: s.nextSeq(), created: s.now(), secrets: map[string]string{}}
	auth, err := s.newAuth(in, c.secrets)
	if err != nil {
		return nil, err
	}
	now := ts(c.created)
	c.id = s.newID("vcrd")
	c.v = obj{"id": c.id, "type": "vault_credential", "vault_id": v.id, "display_name": name, "auth": auth,
		"metadata": md, "created_at": now, "updated_at": now, "archived_at": nil}
	v.creds = append(v.creds, c)
	s.emitWebhook(webhooks.TypeVaultCredentialCreated, c.id, map[string]string{"vault_id": v.id})
	return c.v, nil
}

// newAuth checks the auth of a credential to create and returns its answer
// form, keeping its secrets in secrets.
func (s *Server) newAuth(in obj, secrets map[string]string) (obj, error) {
	typ := typeOf(in)
	req := func(key string) (string, error) {
		val, _ := in[key].(string)
		if val == "" {
			return "", errBadRequest("auth.%s: field required", key)
		}
		return val, nil
	}
	switch typ {
	case "mcp_oauth":
		if err := onlyKeys(in, "auth", "type", "access_token", "mcp_server_url", "expires_at", "refresh"); err != nil {
			return nil, err
		}
		u, err := mcpServerURL(in)
		if err != nil {
			return nil, err
		}
		if secrets["access_token"], err = req("access_token"); err != nil {
			return nil, err
		}
		out := obj{"type": typ, "mcp_server_url": u, "refresh": nil}
		if err := s.setExpiry(out, in); err != nil {
			return nil, err
		}
		if rv, ok := in["refresh"]; ok && rv != nil {
			refresh, err := newRefresh(rv, secrets)
			if err != nil {
				return nil, err
			}
			out["refresh"] = refresh
		}
		return out, nil
	case "static_bearer":
		if err := onlyKeys(in, "auth", "type", "token", "mcp_server_url"); err != nil {
			return nil, err
		}
		u, err := mcpServerURL(in)
		if err != nil {
			return nil, err
		}
		if secrets["token"], err = req("token"); err != nil {
			return nil, err
		}
		return obj{"type": typ, "mcp_server_url": u}, nil
	case "environment_variable":
		if err := onlyKeys(in, "auth", "type", "secret_name", "secret_value", "networking", "injection_location"); err != nil {
			return nil, err
		}
		name, err := req("secret_name")
		if err != nil {
			return nil, err
		}
		if !envNameRE.MatchString(name) {
			return nil, errBadRequest("auth.secret_name: must be an environment variable name")
		}
		if secrets["secret_value"], err = req("secret_value"); err != nil {
			return nil, err
		}
		networking, err := credentialNetworking(in["networking"])
		if err != nil {
			return nil, err
		}
		out := obj{"type": typ, "secret_name": name, "networking": networking,
			"injection_location": obj{"body": true, "header": true}}
		if err := patchInjection(out, in["injection_location"]); err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, errBadRequest("auth.type: must be mcp_oauth, static_bearer or environment_variable")
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func mcpServerURL(in obj) (string, error) {
	u, _ := in["mcp_server_url"].(string)
	if p, err := url.Parse(u); u == "" || err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return "", errBadRequest("auth.mcp_server_url: must be an absolute URL")
	}
	return u, nil
}

// setExpiry copies in's expires_at, which must be a future RFC 3339 time, to
// out.
func (s *Server) setExpiry(out, in obj) error {
	v, ok := in["expires_at"]
	if !ok || v == nil {
		return nil
	}
	str, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return errBadRequest("auth.expires_at: must be an RFC 3339 timestamp")
	}
	if !t.After(s.now()) {
		return errBadRequest("auth.expires_at: must be in the future")
	}
	out["expires_at"] = ts(t)
	return nil
}

// newRefresh checks the refresh of an mcp_oauth credential to create.
func newRefresh(v any, secrets map[string]string) (obj, error) {
	in, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("auth.refresh: must be an object")
	}
	if err := onlyKeys(in, "auth.refresh", "client_id", "refresh_token", "token_endpoint", "token_endpoint_auth", "resource", "scope"); err != nil {
		return nil, err
	}
	out := obj{"resource": nil, "scope": nil}
	for _, k := range []string{"client_id", "refresh_token", "token_endpoint"} {
		val, _ := in[k].(string)
		if val == "" {
			return nil, errBadRequest("auth.refresh.%s: field required", k)
		}
		if k == "refresh_token" {
			secrets[k] = val
		} else {
			out[k] = val
		}
	}
	for _, k := range []string{"resource", "scope"} {
		if val, _ := in[k].(string); val != "" {
			out[k] = val
		}
	}
	tea, ok := isObj(in["token_endpoint_auth"])
	if !ok {
		return nil, errBadRequest("auth.refresh.token_endpoint_auth: field required")
	}
	switch typ := typeOf(tea); typ {
	case "none":
		if err := onlyKeys(tea, "auth.refresh.token_endpoint_auth", "type"); err != nil {
			return nil, err
		}
	case "client_secret_basic", "client_secret_post":
		if err := onlyKeys(tea, "auth.refresh.token_endpoint_auth", "type", "client_secret"); err != nil {
			return nil, err
		}
		sec, _ := tea["client_secret"].(string)
		if sec == "" {
			return nil, errBadRequest("auth.refresh.token_endpoint_auth.client_secret: field required")
		}
		secrets["client_secret"] = sec
	default:
		return nil, errBadRequest("auth.refresh.token_endpoint_auth.type: must be none, client_secret_basic or client_secret_post")
	}
	out["token_endpoint_auth"] = obj{"type": typeOf(tea)}
	return out, nil
}

// credentialNetworking checks the networking of an environment_variable
// credential: unrestricted, or limited to up to 16 bare hosts.
func credentialNetworking(v any) (obj, error) {
	in, ok := isObj(v)
	if !ok {
		return nil, errBadRequest("auth.networking: field required")
	}
	switch typeOf(in) {
	case "unrestricted":
		if err := onlyKeys(in, "auth.networking", "type"); err != nil {
			return nil, err
		}
		return obj{"type": "unrestricted"}, nil
	case "limited":
		if err := onlyKeys(in, "auth.networking", "type", "allowed_hosts"); err != nil {
			return nil, err
		}
		hosts, err := stringList(in["allowed_hosts"], "auth.networking.allowed_hosts")
		if err != nil {
			return nil, err
		}
		if len(hosts) == 0 || len(hosts) > 16 {
			return nil, errBadRequest("auth.networking.allowed_hosts: must hold 1 to 16 hosts")
		}
		for _, h := range hosts {
			if !allowedHost(h.(string)) {
				return nil, errBadRequest("auth.networking.allowed_hosts: %q is not a bare hostname, IPv4 address or *. wildcard", h)
			}
		}
		return obj{"type": "limited", "allowed_hosts": hosts}, nil
	}
	return nil, errBadRequest("auth.networking.type: must be unrestricted or limited")
}

var hostLabelRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// allowedHost reports whether h is a bare hostname, an IPv4 address or a
// "*." wildcard of a hostname.
func allowedHost(h string) bool {
	name, wildcard := strings.CutPrefix(h, "*.")
	if ip := net.ParseIP(name); ip != nil {
		return !wildcard && ip.To4() != nil && !strings.Contains(name, ":")
	}
	if len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if !hostLabelRE.MatchString(label) {
			return false
		}
	}
	return true
}

// patchInjection applies an injection_location patch to auth's; at least one
// location must stay enabled.
func patchInjection(auth obj, v any) error {
	if v == nil {
		return nil
	}
	in, ok := isObj(v)
	if !ok {
		return errBadRequest("auth.injection_location: must be an object")
	}
	if err := onlyKeys(in, "auth.injection_location", "body", "header"); err != nil {
		return err
	}
	loc := clone(auth["injection_location"].(obj))
	for _, k := range []string{"body", "header"} {
		if b, ok := in[k]; ok && b != nil {
			if _, isBool := b.(bool); !isBool {
				return errBadRequest("auth.injection_location.%s: must be a boolean", k)
			}
			loc[k] = b
		}
	}
	if loc["body"] == false && loc["header"] == false {
		return errBadRequest("auth.injection_location: body or header must stay enabled")
	}
	auth["injection_location"] = loc
	return nil
}

func (s *Server) getCredential(r *http.Request, _ obj) (any, error) {
	_, c, _, err := s.credential(r)
	if err != nil {
		return nil, err
	}
	return c.v, nil
}

func (s *Server) updateCredential(r *http.Request, body obj) (any, error) {
	_, c, _, err := s.credential(r)
	if err != nil {
		return nil, err
	}
	if err := onlyKeys(body, "body", "auth", "display_name", "metadata"); err != nil {
		return nil, err
	}
	if c.archived() {
		return nil, errBadRequest("credential %s is archived", c.id)
	}
	next := clone(c.v)
	secrets := map[string]string{}
	for k, v := range c.secrets {
		secrets[k] = v
	}
	if err := patchNameAndMetadata(next, body); err != nil {
		return nil, err
	}
	if a, ok := body["auth"]; ok && a != nil {
		in, ok := isObj(a)
		if !ok {
			return nil, errBadRequest("auth: must be an object")
		}
		if err := s.patchAuth(next["auth"].(obj), in, secrets); err != nil {
			return nil, err
		}
	}
	next["updated_at"] = ts(s.now())
	c.v, c.secrets = next, secrets
	return next, nil
}

// patchAuth applies the auth of a credential update to auth: the type must be
// the credential's, and the fields that cannot change are refused.
func (s *Server) patchAuth(auth, in obj, secrets map[string]string) error {
	typ := typeOf(in)
	if typ == "" {
		return errBadRequest("auth.type: field required")
	}
	if typ != auth["type"] {
		return errBadRequest("auth.type: a %s credential cannot become %s", auth["type"], typ)
	}
	for _, k := range []string{"mcp_server_url", "secret_name"} {
		if _, ok := in[k]; ok {
			return errBadRequest("auth.%s: cannot be changed", k)
		}
	}
	str := func(key string) (string, bool, error) {
		v, ok := in[key]
		if !ok || v == nil {
			return "", false, nil
		}
		s, isStr := v.(string)
		if !isStr || s == "" {
			return "", true, errBadRequest("auth.%s: must be a non-empty string", key)
		}
		return s, true, nil
	}
	switch typ {
	case "mcp_oauth":
		if err := onlyKeys(in, "auth", "type", "access_token", "expires_at", "refresh"); err != nil {
			return err
		}
		if tok, ok, err := str("access_token"); err != nil {
			return err
		} else if ok {
			secrets["access_token"] = tok
		}
		if err := s.setExpiry(auth, in); err != nil {
			return err
		}
		if rv, ok := in["refresh"]; ok && rv != nil {
			return patchRefresh(auth, rv, secrets)
		}
	case "static_bearer":
		if err := onlyKeys(in, "auth", "type", "token"); err != nil {
			return err
		}
		if tok, ok, err := str("token"); err != nil {
			return err
		} else if ok {
			secrets["token"] = tok
		}
	case "environment_variable":
		if err := onlyKeys(in, "auth", "type", "secret_value", "networking", "injection_location"); err != nil {
			return err
		}
		if val, ok, err := str("secret_value"); err != nil {
			return err
		} else if ok {
			secrets["secret_value"] = val
		}
		if n, ok := in["networking"]; ok && n != nil {
			networking, err := credentialNetworking(n)
			if err != nil {
				return err
			}
			auth["networking"] = networking
		}
		return patchInjection(auth, in["injection_location"])
	}
	return nil
}

// patchRefresh applies the refresh of an mcp_oauth update: a new refresh
// token, a new scope ("" clears it), a new client secret of a credential that
// has one (its method stays as stored).
func patchRefresh(auth obj, v any, secrets map[string]string) error {
	in, ok := isObj(v)
	if !ok {
		return errBadRequest("auth.refresh: must be an object")
	}
	for _, k := range []string{"client_id", "token_endpoint", "resource"} {
		if _, ok := in[k]; ok {
			return errBadRequest("auth.refresh.%s: cannot be changed", k)
		}
	}
	if err := onlyKeys(in, "auth.refresh", "refresh_token", "scope", "token_endpoint_auth"); err != nil {
		return err
	}
	refresh, _ := isObj(auth["refresh"])
	if refresh == nil {
		return errBadRequest("auth.refresh: the credential has no refresh configuration to update")
	}
	if tok, ok := in["refresh_token"]; ok && tok != nil {
		str, _ := tok.(string)
		if str == "" {
			return errBadRequest("auth.refresh.refresh_token: must be a non-empty string")
		}
		secrets["refresh_token"] = str
	}
	if sc, ok := in["scope"]; ok && sc != nil {
		str, isStr := sc.(string)
		if !isStr {
			return errBadRequest("auth.refresh.scope: must be a string")
		}
		refresh["scope"] = nil
		if str != "" {
			refresh["scope"] = str
		}
	}
	if t, ok := in["token_endpoint_auth"]; ok && t != nil {
		tea, _ := isObj(t)
		switch typeOf(tea) {
		case "client_secret_basic", "client_secret_post":
		default:
			return errBadRequest("auth.refresh.token_endpoint_auth.type: must be client_secret_basic or client_secret_post")
		}
		if err := onlyKeys(tea, "auth.refresh.token_endpoint_auth", "type", "client_secret"); err != nil {
			return err
		}
		if typeOf(refresh["token_endpoint_auth"]) == "none" {
			return errBadRequest("auth.refresh.token_endpoint_auth: the credential uses no client secret")
		}
		if sec, _ := tea["client_secret"].(string); sec != "" {
			secrets["client_secret"] = sec
		}
	}
	return nil
}

func (s *Server) listCredentials(r *http.Request, _ obj) (any, error) {
	v, err := s.vault(r.PathValue("vault_id"))
	if err != nil {
		return nil, err
	}
	list := "credentials:" + v.id
	limit, order, c, err := listParams(r, list, 20, 100, "desc", false)
	if err != nil {
		return nil, err
	}
	archived, err := boolParam(r, "include_archived")
	if err != nil {
		return nil, err
	}
	var items []listItem
	for _, cr := range v.creds {
		if archived || !cr.archived() {
			items = append(items, listItem{t: cr.created, seq: cr.seq, v: cr.v})
		}
	}
	return paginate(items, list, order, limit, c).json(false), nil
}

func (s *Server) deleteCredential(r *http.Request, _ obj) (any, error) {
	v, c, i, err := s.credential(r)
	if err != nil {
		return nil, err
	}
	v.creds = append(v.creds[:i], v.creds[i+1:]...)
	s.emitWebhook(webhooks.TypeVaultCredentialDeleted, c.id, map[string]string{"vault_id": v.id})
	return obj{"id": c.id, "type": "vault_credential_deleted"}, nil
}

func (s *Server) archiveCredential(r *http.Request, _ obj) (any, error) {
	v, c, _, err := s.credential(r)
	if err != nil {
		return nil, err
	}
	if s.archiveOnce(c.v) {
		s.emitWebhook(webhooks.TypeVaultCredentialArchived, c.id, map[string]string{"vault_id": v.id})
	}
	return c.v, nil
}

// validateCredential probes an mcp_oauth credential the way the reference
// describes, with the server's clock as the MCP server's judge: an access
// token before its expires_at is valid. An expired one fails the probe with a
// 401; the refresh token, when there is one, then gets a new token (valid for
// an hour) that is not probed, so the verdict is unknown; without one the
// credential is invalid.
func (s *Server) validateCredential(r *http.Request, _ obj) (any, error) {
	v, c, _, err := s.credential(r)
	if err != nil {
		return nil, err
	}
	auth := c.auth()
	if auth["type"] != "mcp_oauth" {
		return nil, errBadRequest("only mcp_oauth credentials can be validated, not %s", auth["type"])
	}
	now := s.now()
	_, hasRefresh := c.secrets["refresh_token"]
	out := obj{"type": "vault_credential_validation", "credential_id": c.id, "vault_id": v.id,
		"has_refresh_token": hasRefresh, "validated_at": ts(now), "status": "valid", "mcp_probe": nil, "refresh": nil}
	exp, _ := auth["expires_at"].(string)
	if t, err := time.Parse(time.RFC3339Nano, exp); err != nil || t.After(now) {
		return out, nil
	}
	out["mcp_probe"] = obj{"method": "initialize", "http_response": obj{"status_code": int64(401),
		"content_type": "application/json", "body": `{"error":"invalid_token"}`, "body_truncated": false}}
	if !hasRefresh {
		out["status"] = "invalid"
		out["refresh"] = obj{"status": "no_refresh_token", "http_response": nil}
		return out, nil
	}
	out["status"] = "unknown"
	out["refresh"] = obj{"status": "succeeded", "http_response": nil}
	auth["expires_at"] = ts(now.Add(time.Hour))
	c.v["updated_at"] = ts(now)
	return out, nil
}

// checkVaults checks the vault_ids of a new session: each must exist (404) and
// not be archived (400).
func (s *Server) checkVaults(ids []any) error {
	for i, id := range ids {
		v, err := s.vault(id.(string))
		if err != nil {
			return err
		}
		if v.archived() {
			return errBadRequest("vault_ids[%d]: vault %s is archived", i, v.id)
		}
	}
	return nil
}
