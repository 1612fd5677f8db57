package managedagents

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVaultCreateUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, reqs := newTestClient(t, replyJSON(200, string(fixture(t, "vaults/vault.json"))))
	v, err := c.Vaults.Create(ctx, VaultCreateParams{DisplayName: "Customer 4821 credentials", Metadata: map[string]string{"customer_id": "cus_4821"}})
	require.NoError(t, err)
	require.Equal(t, "vlt_011CZkZDLs7fYzm1hXNPeRjv", v.ID)
	require.Equal(t, "vault", v.Type)
	require.Equal(t, "Customer 4821 credentials", v.DisplayName)
	require.Equal(t, map[string]string{"customer_id": "cus_4821"}, v.Metadata)
	require.Equal(t, time.Date(2026, 10, 14, 8, 3, 11, 204e6, time.UTC), v.CreatedAt)
	require.False(t, v.IsArchived())
	require.JSONEq(t, string(fixture(t, "vaults/vault.json")), string(v.RawJSON()))
	r := requireOneRequest(t, *reqs, "POST", "/v1/vaults", "")
	assertGolden(t, "vaults/create.json", r.Body)

	c, reqs = newTestClient(t, replyJSON(200, string(fixture(t, "vaults/vault.json"))))
	_, err = c.Vaults.Update(ctx, "vlt_011CZkZDLs7fYzm1hXNPeRjv", VaultUpdateParams{DisplayName: "Renamed",
		Metadata: MetadataPatch{}.Set("tier", "gold").Delete("customer_id")})
	require.NoError(t, err)
	r = requireOneRequest(t, *reqs, "POST", "/v1/vaults/vlt_011CZkZDLs7fYzm1hXNPeRjv", "")
	assertGolden(t, "vaults/update.json", r.Body)
}

func TestVaultGetListArchiveDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	vault := string(fixture(t, "vaults/vault.json"))
	c, reqs := newTestClient(t, replyJSON(200, vault))
	_, err := c.Vaults.Get(ctx, "vlt_1", VaultGetParams{})
	require.NoError(t, err)
	requireOneRequest(t, *reqs, "GET", "/v1/vaults/vlt_1", "")

	c, reqs = newTestClient(t, replyJSON(200, strings.Replace(vault, `"archived_at": null`, `"archived_at": "2026-11-01T00:00:00Z"`, 1)))
	v, err := c.Vaults.Archive(ctx, "vlt_1", VaultArchiveParams{})
	require.NoError(t, err)
	require.True(t, v.IsArchived())
	r := requireOneRequest(t, *reqs, "POST", "/v1/vaults/vlt_1/archive", "")
	require.Empty(t, r.Body)

	for _, body := range []string{string(fixture(t, "vaults/deleted.json")), ""} {
		c, reqs = newTestClient(t, replyJSON(200, body))
		d, err := c.Vaults.Delete(ctx, "vlt_011CZkZDLs7fYzm1hXNPeRjv", VaultDeleteParams{})
		require.NoError(t, err)
		require.Equal(t, &DeletedObject{ID: "vlt_011CZkZDLs7fYzm1hXNPeRjv", Type: "vault_deleted"}, d)
		requireOneRequest(t, *reqs, "DELETE", "/v1/vaults/vlt_011CZkZDLs7fYzm1hXNPeRjv", "")
	}

	c, reqs = newTestClient(t, replyJSON(200, `{"data":[`+vault+`],"next_page":null}`))
	page, err := c.Vaults.List(ctx, VaultListParams{IncludeArchived: true, Limit: 100, Page: "page_x"})
	require.NoError(t, err)
	require.Len(t, page.Data, 1)
	require.False(t, page.HasNextPage())
	requireOneRequest(t, *reqs, "GET", "/v1/vaults", "include_archived=true&limit=100&page=page_x")

	c, reqs = newTestClient(t, replyJSON(200, `{"data":[`+vault+`],"next_page":null}`))
	n := 0
	for v, err := range c.Vaults.ListAll(ctx, VaultListParams{}) {
		require.NoError(t, err)
		require.Equal(t, "Customer 4821 credentials", v.DisplayName)
		n++
	}
	require.Equal(t, 1, n)
	requireOneRequest(t, *reqs, "GET", "/v1/vaults", "")
}

func TestVaultValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		field string
		call  func(c *Client) error
	}{
		{"display_name", func(c *Client) error { _, err := c.Vaults.Create(ctx, VaultCreateParams{}); return err }},
		{"display_name", func(c *Client) error {
			_, err := c.Vaults.Create(ctx, VaultCreateParams{DisplayName: strings.Repeat("é", 256)})
			return err
		}},
		{`metadata[""]`, func(c *Client) error {
			_, err := c.Vaults.Create(ctx, VaultCreateParams{DisplayName: "v", Metadata: map[string]string{"": "x"}})
			return err
		}},
		{"display_name", func(c *Client) error {
			_, err := c.Vaults.Update(ctx, "vlt_1", VaultUpdateParams{DisplayName: strings.Repeat("x", 256)})
			return err
		}},
		{"vault_id", func(c *Client) error { _, err := c.Vaults.Get(ctx, "", VaultGetParams{}); return err }},
		{"vault_id", func(c *Client) error { _, err := c.Vaults.Delete(ctx, "vlt/1", VaultDeleteParams{}); return err }},
		{"limit", func(c *Client) error { _, err := c.Vaults.List(ctx, VaultListParams{Limit: 101}); return err }},
		{"limit", func(c *Client) error { _, err := c.Vaults.List(ctx, VaultListParams{Limit: -1}); return err }},
	} {
		c, reqs := newTestClient(t, replyJSON(200, "{}"))
		err := tc.call(c)
		requireField(t, tc.field, err)
		require.Empty(t, *reqs)
	}
	// 255 characters (not bytes) is the limit.
	c, _ := newTestClient(t, replyJSON(200, string(fixture(t, "vaults/vault.json"))))
	_, err := c.Vaults.Create(ctx, VaultCreateParams{DisplayName: strings.Repeat("é", 255)})
	require.NoError(t, err)
}

func TestVaultDecodesUnknownFields(t *testing.T) {
	t.Parallel()
	var v Vault
	require.NoError(t, json.Unmarshal([]byte(`{"id":"vlt_1","type":"vault","display_name":"v","metadata":{},"created_at":"2026-10-14T08:03:11Z",`+
		`"updated_at":"2026-10-14T08:03:11Z","archived_at":null,"credential_count":3}`), &v))
	require.Equal(t, "v", v.DisplayName)
	require.Contains(t, string(v.RawJSON()), `"credential_count":3`)
}
