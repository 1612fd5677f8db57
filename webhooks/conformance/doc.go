// Package conformance holds the differential tests of package webhooks against
// the Standard Webhooks Go library (github.com/standard-webhooks/standard-webhooks/libraries
// v0.0.1, the version the official SDK v2.15.0 verifies with): on the same
// deliveries, both must reach the same verdict. It is a module of its own so
// that the root module does not depend on that library.
package conformance
