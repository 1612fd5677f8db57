package worker

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/go-managedagents/managedagents"
)

// A store's folder that exists already at its mount path when the session
// starts (what a worker that died left there) is not adopted: mounting
// fails before any request, and the folder is left as it was.
func TestMemoryStoreFolderThatExistsIsRefused(t *testing.T) {
	t.Parallel()
	it := &item{w: &Worker{opts: Options{MemorySyncInterval: DefaultMemorySyncInterval}}, log: slog.New(slog.DiscardHandler)}
	m := &memoryStores{it: it}
	mount := filepath.Join(t.TempDir(), "notes")
	require.NoError(t, os.Mkdir(mount, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(mount, "left.md"), []byte("left over"), 0o600))
	_, err := m.mount(context.Background(), &managedagents.MemoryStoreResource{MemoryStoreID: "memstore_1", MountPath: mount}, t.TempDir())
	require.ErrorContains(t, err, "exists already")
	b, err := os.ReadFile(filepath.Join(mount, "left.md"))
	require.NoError(t, err)
	require.Equal(t, "left over", string(b))

	for _, bad := range []string{"mnt/memory/x", "/mnt/../etc", "/mnt/memory/x/", "/"} {
		_, err := m.storeDir(&managedagents.MemoryStoreResource{MemoryStoreID: "memstore_1", MountPath: bad}, "/work")
		require.ErrorContains(t, err, "not a clean absolute path", bad)
	}
	dir, err := m.storeDir(&managedagents.MemoryStoreResource{MemoryStoreID: "memstore_1", Name: "../up"}, "/work")
	require.NoError(t, err)
	require.Equal(t, "/work/memory/memstore_1", dir, "a name that is not one path segment gives way to the id")
}
