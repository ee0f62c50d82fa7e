//go:build !linux

package main

// adviseHugePages does nothing where huge pages cannot be asked for.
func adviseHugePages(size int) {}
