//go:build !benchsdk

package benchmarks

import "context"

// Placeholders until the library's pieces are merged.

type netHTTPAgent struct {
	ID string `json:"id"`
}

var setupSDKRequest func(baseURL string) func(context.Context) error
var decodeSDK func([]byte) (int, error)
