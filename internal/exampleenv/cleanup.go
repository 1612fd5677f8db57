package exampleenv

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// cleanupTimeout bounds a Cleanup run; it runs even after Ctrl-C cancelled the
// example's context.
const cleanupTimeout = 30 * time.Second

// Cleanup undoes what an example created, last created first.
type Cleanup struct {
	steps []cleanupStep
}

type cleanupStep struct {
	what string
	fn   func(context.Context) error
}

// Add records a step, named by what (e.g. "archiving agent agent_…") in errors.
func (c *Cleanup) Add(what string, fn func(ctx context.Context) error) {
	c.steps = append(c.steps, cleanupStep{what, fn})
}

// Run runs the steps in reverse order with a context of its own (ctx's values,
// not its cancellation, and a 30 s deadline), and returns their errors joined.
// The steps are forgotten, so a second Run does nothing.
func (c *Cleanup) Run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	for i := len(c.steps) - 1; i >= 0; i-- {
		if err := c.steps[i].fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("cleanup: %s: %w", c.steps[i].what, err))
		}
	}
	c.steps = nil
	return errors.Join(errs...)
}
