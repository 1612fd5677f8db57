package exampleenv

import (
	"bytes"
	"io"
	"os"
)

// CaptureStdout runs fn with os.Stdout redirected and returns what fn printed:
// for the tests of the examples, which print to os.Stdout. It must not run in
// parallel with anything else that uses os.Stdout.
func CaptureStdout(fn func()) (string, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	saved := os.Stdout
	os.Stdout = w
	out := make(chan []byte)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, r)
		out <- b.Bytes()
	}()
	func() {
		defer func() { os.Stdout = saved }()
		fn()
	}()
	w.Close()
	b := <-out
	r.Close()
	return string(b), nil
}
