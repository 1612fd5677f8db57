// Package conformance drives managedagentstest with a client we did not write,
// the official Go SDK (github.com/anthropics/anthropic-sdk-go/v2 v2.15.0),
// through every endpoint the fake serves, and fails on any answer that client
// cannot decode or decodes with a required field missing, and on any of its
// requests the fake refuses.
//
// It is a nested module so that the library's go.mod never gains the official
// SDK. Run it with
//
//	cd conformance && go test ./...
//
// Every answer the official SDK receives is checked at the HTTP layer, not
// only the values a test looks at: a transport decodes each JSON answer into
// the SDK type of its route and walks it with a [Checker], and each stream
// event is checked as the SDK's own decoder yields it. At the end the suite
// prints how many calls it made and which endpoints it covered, and a full
// run fails if an endpoint of the fake was never answered successfully.
//
// # Adding a resource area
//
// An area is one file, <area>_test.go, holding:
//
//   - an init function that tells the transport which SDK type each route of
//     the area answers with: answers[anthropic.BetaManagedAgentsVault](
//     managedagentstest.RouteCreateVault, ...);
//   - a TestXxx that makes a harness with newHarness(t) and calls every
//     endpoint of the area through h.client (the official client), covering
//     each shape of request and answer; errors the test provokes are claimed
//     with h.wantError, any other error answer fails the test.
//
// Routes the fake serves but no test answered successfully make a full run
// fail, so an area the fake learns cannot be forgotten here.
//
// # The method table
//
// OFFICIAL_SDK.md, at the root of the repository, maps every method of the
// official SDK's Managed Agents services to ours; TestOfficialMethodTable
// fails when a method of either side is missing from it or named wrongly.
package conformance
