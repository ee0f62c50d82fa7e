//go:build !linux

package main

import "os"

// noEcho cannot turn the echo off here: the password shows as it is typed
// (pipe it in instead).
func noEcho(*os.File) (restore func()) { return func() {} }
