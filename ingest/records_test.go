package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/eingang/eingang/store"
)

// failingGets is a store whose Get of the keys in fail fails as an
// outage does.
type failingGets struct {
	store.Store
	fail map[string]bool
}

func (s failingGets) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if s.fail[key] {
		return nil, fmt.Errorf("down: %w", store.ErrUnavailable)
	}
	return s.Store.Get(ctx, key)
}

// TestReadRecords reads more records than are read at once, in their
// order, with records gone or cut short left out where skip says so and
// any other error failing the whole.
func TestReadRecords(t *testing.T) {
	ctx := context.Background()
	fs, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var keys, want []string
	for i := range 150 {
		key := fmt.Sprintf("r/%03d", i)
		keys = append(keys, key)
		switch {
		case i%50 == 7: // never written: gone
		case i%50 == 8:
			if err := fs.Put(ctx, key, strings.NewReader(`{"id":`), 6); err != nil { // cut short
				t.Fatal(err)
			}
		default:
			if err := putJSON(ctx, fs, key, Outcome{ID: key}); err != nil {
				t.Fatal(err)
			}
			want = append(want, key)
		}
	}
	for _, tc := range []struct {
		name    string
		st      store.Store
		skip    func(error) bool
		want    []string
		wantErr error
	}{
		{"gone left out", fs, gone, want, nil},
		{"missing fails where skip keeps it", fs, func(err error) bool { return corrupt(err) }, nil, store.ErrNotFound},
		{"an outage fails", failingGets{fs, map[string]bool{"r/120": true}}, gone, nil, store.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readRecords[Outcome](ctx, tc.st, keys, tc.skip)
			if !errors.Is(err, tc.wantErr) || tc.wantErr == nil && err != nil {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			var ids []string
			for _, o := range got {
				ids = append(ids, o.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %d records %v..., want %d", len(ids), ids[:min(3, len(ids))], len(tc.want))
			}
		})
	}
}
