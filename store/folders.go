package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"
)

// A FolderLister is a store that can list the folders below a prefix,
// which List leaves out: what a tool that walks the whole key space (the
// archive's fixity check) needs. The filesystem and S3 stores are.
type FolderLister interface {
	// ListFolders returns the names (without the prefix or a trailing
	// "/") of up to limit folders directly below prefix (which ends in "/",
	// or is "" for the top) that sort after after, in order: the order of
	// name+"/", as S3 lists keys (a name that extends another by a
	// character below '/', such as "x-1", sorts before "x"; for names of
	// one length, such as ids and dates, that is the names' order).
	ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error)
}

// ListFolders lists the folders directly below prefix where s is a
// FolderLister; errors.ErrUnsupported where it is not.
func ListFolders(ctx context.Context, s Store, prefix, after string, limit int) ([]string, error) {
	if fl, ok := s.(FolderLister); ok {
		return fl.ListFolders(ctx, prefix, after, limit)
	}
	return nil, fmt.Errorf("store: list folders %s: %w", prefix, errors.ErrUnsupported)
}

// folderAfter reports whether the folder name sorts after the folder
// after in the order of ListFolders ("" is before every name).
func folderAfter(name, after string) bool { return after == "" || name+"/" > after+"/" }

// ListFolders implements FolderLister. It reads the whole directory: a
// folder of the archive holds one day's submissions.
func (s *FS) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("store: list folders: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: list folders %s: %w", prefix, err)
	}
	dir := s.root
	if prefix != "" {
		dir = s.path(strings.TrimSuffix(prefix, "/"))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, classify(fmt.Errorf("store: list folders %s: %w", prefix, err))
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); name[0] != '.' && e.IsDir() && folderAfter(name, after) {
			out = append(out, name)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]+"/" < out[j]+"/" })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ListFolders implements FolderLister: the common prefixes of a listing
// without recursion.
func (s *S3) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("store: list folders: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: prefix}
	if after != "" {
		// The folder after itself sorts after this too ("after/"): skipped below.
		opts.StartAfter = prefix + after
	}
	var out []string
	for oi := range s.c.ListObjects(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return nil, fmt.Errorf("store: list folders %s: %w", prefix, s3err(oi.Err))
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(oi.Key, prefix), "/")
		if !ok || !folderAfter(name, after) {
			continue
		}
		out = append(out, name)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// ListFolders implements FolderLister for the store once it is open.
func (r *Retrying) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	s, err := r.store()
	if err != nil {
		return nil, err
	}
	return ListFolders(ctx, s, prefix, after, limit)
}
