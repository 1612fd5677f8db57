module github.com/go-managedagents/managedagents/webhooks/conformance

go 1.26.0

replace github.com/go-managedagents/managedagents => ../..

require (
	github.com/go-managedagents/managedagents v0.0.0-00010101000000-000000000000
	github.com/standard-webhooks/standard-webhooks/libraries v0.0.1
)

require (
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	github.com/tmaxmax/go-sse v0.12.0 // indirect
	golang.org/x/time v0.16.0 // indirect
)
