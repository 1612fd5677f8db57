// Package benchmarks measures managedagents side by side with the official
// Anthropic Go SDK and with bare net/http + encoding/json, on the same data and
// in the same run. It is a nested module so that the library's own go.mod never
// gains the official SDK. Everything lives in the _test.go files; see
// BENCHMARKS.md at the repository root for the results and how to run them.
package benchmarks
