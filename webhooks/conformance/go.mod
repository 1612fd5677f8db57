module github.com/go-managedagents/managedagents/webhooks/conformance

go 1.26.0

replace github.com/go-managedagents/managedagents => ../..

require (
	github.com/go-managedagents/managedagents v0.0.0-00010101000000-000000000000
	github.com/standard-webhooks/standard-webhooks/libraries v0.0.1
)
