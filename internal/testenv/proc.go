package testenv

import (
	"os/exec"
	"syscall"
	"time"
)

// terminate stops a service the tests started, by its PID: SIGTERM, then
// SIGKILL after 10 s; it waits for the process to end.
func terminate(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
