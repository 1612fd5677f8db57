//go:build !benchsdk

package benchmarks

// Placeholder until the library's stream is merged.
var decodeSDK func([]byte) (int, error)
