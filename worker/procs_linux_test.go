package worker_test

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2).
const prSetChildSubreaper = 36

// becomeSubreaper makes the test process the reaper of its orphaned
// descendants: a process a shell left behind (a background job of a killed
// shell) becomes its child, where strayProcesses finds it.
func becomeSubreaper() {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
}

// strayProcesses returns the processes still running among the test
// process's children (orphans included, see becomeSubreaper), after giving
// the dying a few seconds; it reaps the dead.
func strayProcesses() []string {
	var stray []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
		stray = stray[:0]
		self := strconv.Itoa(os.Getpid())
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if _, err := strconv.Atoi(e.Name()); err != nil {
				continue
			}
			b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
			if err != nil {
				continue
			}
			s := string(b)
			i := strings.LastIndexByte(s, ')')
			if i < 0 {
				continue
			}
			f := strings.Fields(s[i+1:]) // state, ppid, …
			if len(f) > 1 && f[1] == self && f[0] != "Z" {
				stray = append(stray, e.Name()+" "+s[strings.IndexByte(s, '(')+1:i])
			}
		}
		if len(stray) == 0 || time.Now().After(deadline) {
			return stray
		}
		time.Sleep(50 * time.Millisecond)
	}
}
