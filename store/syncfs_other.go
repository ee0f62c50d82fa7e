//go:build !linux

package store

import "syscall"

// syncFS flushes all filesystems: without syncfs(2), sync(2) is the
// portable way to make every earlier write durable.
func syncFS(string) error {
	syscall.Sync()
	return nil
}
