package store

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestListFolders checks ListFolders on both stores: folders only (not
// the objects beside them), in order, after the cursor, at most limit.
func TestListFolders(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) Store
	}{
		{"fs", func(t *testing.T) Store {
			s, err := OpenFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"s3", func(t *testing.T) Store {
			ep, ak, sk := testS3(t)
			return newS3(t, ep, ak, sk)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.open(t)
			ctx := context.Background()
			for _, k := range []string{"a/x/1", "a/y/1", "a/y/2", "a/z", "a/w/deep/1", "a/x-1/1", "b/1"} {
				if err := s.Put(ctx, k, strings.NewReader("1"), 1); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct {
				prefix, after string
				limit         int
				want          []string
			}{
				{"a/", "", 0, []string{"w", "x-1", "x", "y"}}, // "x-1/" < "x/"
				{"a/", "x-1", 0, []string{"x", "y"}},
				{"a/", "x", 0, []string{"y"}},
				{"a/", "", 2, []string{"w", "x-1"}},
				{"a/", "x-1", 1, []string{"x"}},
				{"a/", "y", 0, nil},
				{"a/w/", "", 0, []string{"deep"}},
				{"", "", 0, []string{"a", "b"}},
				{"c/", "", 0, nil},
			} {
				got, err := ListFolders(ctx, s, c.prefix, c.after, c.limit)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("ListFolders(%q, %q, %d) = %q, want %q", c.prefix, c.after, c.limit, got, c.want)
				}
			}
		})
	}
}
