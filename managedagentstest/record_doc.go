// # Recorded sessions
//
// The fake plays scripted agents. To test against behaviour captured from the
// real API, a [Recorder] records the traffic of a real run and replays it
// offline, so that the same test passes in CI with no key and no network:
//
//	func TestSummary(t *testing.T) {
//		rec := managedagentstest.NewRecorder(t, "testdata/summary")
//		client := managedagents.NewClient(rec.ClientOptions()...)
//		// the code under test, with client
//	}
//
// Run it once with MANAGEDAGENTS_RECORD=1 ([RecordEnv]) and ANTHROPIC_API_KEY
// set: the requests go to the API, the answers reach the client as they arrive
// (a stream's events too, while it is being recorded), and when the test ends
// the recording is saved to testdata/summary.json, with the raw bytes of each
// stream in testdata/summary.NNN.sse. Commit them. Without the variable the
// test replays them and sends nothing; a missing recording fails the test
// with the command that records it.
//
// Matching. A replay answers each request with the first recorded interaction
// not replayed yet whose method, path, query (the values of each name, in
// order) and body (JSON compared as values) are the same; headers are
// ignored. Identical requests get their recorded answers in turn. [WithMatcher]
// changes the comparison (add [MatchHeader], or leave matchers out). A request
// the recording does not hold fails the test (t.Errorf) with its differences
// from the closest recorded request, one line each, and the client gets a 400
// recording_mismatch_error that it does not retry.
//
// Streams. Each read of a stream is recorded with its time since the stream
// opened and the last write (a request other than GET) made before it. A
// replay delivers the same bytes in the same chunks, never before that write
// was replayed (the events a message caused never come before the message),
// as fast as the client reads ([WithRecordedTiming] keeps the recorded pace),
// and ends as the recorded stream did: at EOF (a disconnect without a
// terminal event included), with an error (a reset), or blocked until the
// client closes it. The SDK's reconnect and backfill run in a replay as they
// did live.
//
// Secrets are removed before anything is written. The values of secret
// headers (X-Api-Key, Authorization, cookies, any header naming a token, a
// secret, an API key, a password, a signature or a credential), of query
// parameters named like them, and of secret JSON members at any depth
// (authorization_token, access_token, refresh_token,
// client_secret, secret_value, sessions_token, session_ingress_token,
// signing_secret, api_key, password, every string of an "auth" object but its
// descriptive members, and the tokens inside a work item's "secret", which
// stays decodable) become "[redacted]". Then every value so found, the values
// of [WithSecrets], and anything shaped like an Anthropic key, a webhook
// signing secret or a GitHub token are removed from everywhere: paths,
// queries, headers, bodies, streams, errors. [WithRedactedFields],
// [WithRedactedHeaders] and hooks ([WithHook] at [AfterCapture], [BeforeSave],
// [BeforeReplay]) extend it. A replay redacts each request the same way before
// matching it, so a test that runs with other credentials still matches.
//
// Format. A recording is a versioned JSON document laid out for review:
// interactions in the order their requests started, bodies as JSON (short
// values on one line), headers sorted; plus one .sse file per stream holding
// its raw bytes. Keep git from changing those bytes with a line
// "*.sse -text" in testdata/.gitattributes.
//
// Why not go-vcr. gopkg.in/dnaeon/go-vcr.v4, the usual Go recorder, reads the
// whole answer with io.ReadAll before it returns it to the client (v4.0.8,
// pkg/recorder/recorder.go, Recorder.requestHandler): a stream recorded
// through it reaches the client only once the server ends it, so the events
// of a session stream, open across turns, would never arrive; a body that
// breaks while it is read fails the request instead of being recorded, so
// disconnects cannot be replayed; and a replay returns the whole body at once,
// after sleeping the whole recorded duration. Its interactions are YAML, read
// by a dependency this module does not take. The Recorder keeps go-vcr's good
// ideas: replay unless asked to record, staged hooks, a replaceable matcher,
// a version in the file, Discard.
package managedagentstest
