//go:build !linux

package store

import (
	"errors"
	"os"
	"syscall"
)

// syncFS flushes all filesystems: without syncfs(2), sync(2) is the
// portable way to make every earlier write durable.
func syncFS(string) error {
	syscall.Sync()
	return nil
}

func openUnnamed(string, os.FileMode) (*os.File, error) { return nil, errors.ErrUnsupported }

func linkUnnamed(*os.File, string) error { return errors.ErrUnsupported }

// setRetentionAttr fails here: retention is kept in root/.retention.
func setRetentionAttr(*os.File, string, []byte) error { return errors.ErrUnsupported }

func retentionAttr(string) (string, error) { return "", errors.ErrUnsupported }

// nlink is 0 here: files of deleted objects are removed, not written again.
func nlink(os.FileInfo) uint64 { return 0 }

func statRoom(string) (Space, error) { return Space{}, errors.ErrUnsupported }

func lockDir(string) *os.File { return nil }
