package managedagents

import "time"

// dedupeRecent is how many of the most recently delivered event ids a stream
// remembers besides those at its cursor.
const dedupeRecent = 4096

// dedupe remembers which persisted events a stream has delivered, in bounded
// memory, so that each id is delivered once.
//
// A backfill lists the events with processed_at >= cursor (the largest
// processed_at delivered), so the events it can repeat are:
//   - those processed exactly at the cursor: atCursor holds all of them, however
//     many were delivered since;
//   - those delivered live while the backfill ran, or queued copies (no
//     processed_at) seen again once processed: they are among the most recently
//     delivered ids, which the recent ring holds.
//
// Nothing older can come back: the list starts at the cursor and a live
// stream never replays. The ring only has to cover the overlap between a
// backfill's tail and the live connection opened just before it (the events
// processed while the backfill ran). Memory is therefore flat: the ring's size
// plus the events sharing one timestamp, whatever the length of the stream.
type dedupe struct {
	cursor   time.Time
	atCursor map[string]struct{}
	recent   map[string]struct{}
	ring     []string
	next     int // the ring slot written next, once the ring is full
}

func newDedupe() *dedupe {
	return &dedupe{atCursor: map[string]struct{}{}, recent: map[string]struct{}{}}
}

// seen reports whether the event id was delivered.
func (d *dedupe) seen(id string) bool {
	if _, ok := d.atCursor[id]; ok {
		return true
	}
	_, ok := d.recent[id]
	return ok
}

// add records that the event id, processed at (zero: queued), was delivered.
// The caller checks seen first.
func (d *dedupe) add(id string, at time.Time) {
	if !at.IsZero() {
		switch at.Compare(d.cursor) {
		case 1:
			d.cursor = at
			if len(d.atCursor) > 64 {
				d.atCursor = map[string]struct{}{} // let a map that grew large go
			} else {
				clear(d.atCursor)
			}
			d.atCursor[id] = struct{}{}
		case 0:
			d.atCursor[id] = struct{}{}
		}
	}
	if len(d.ring) < dedupeRecent {
		d.ring = append(d.ring, id)
	} else {
		delete(d.recent, d.ring[d.next])
		d.ring[d.next] = id
		d.next = (d.next + 1) % dedupeRecent
	}
	d.recent[id] = struct{}{}
}

// size returns how many ids are held.
func (d *dedupe) size() int { return len(d.atCursor) + len(d.recent) }
