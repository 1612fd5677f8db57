//go:build race

package skillarchive

// raceEnabled reports a build with the race detector, under which building
// big archives is slow.
const raceEnabled = true
