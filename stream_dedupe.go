package managedagents

import (
	"net/http"
	"time"
)

// overlapSlack is how long before the Date of a reopened connection an event
// it carries may have been processed: the Date's second precision, the skew
// between the clock of the Date and that of processed_at, and the delay
// between recording an event and sending it, all with a wide margin.
const overlapSlack = 10 * time.Second

// dedupe decides which copies of persisted events a stream delivers, so that
// each id is delivered once, whatever the number of events between two
// copies, in memory bounded by what can still come back rather than by a
// count.
//
// What it relies on (reference §5.1, §6.5, §6.6):
//   - F1: a backfill from t lists the persisted events processed at or after
//     t (created_at[gte]; a thread list is filtered by the stream), ascending.
//   - F2: a connection carries only events emitted after it opened, each once
//     (no replay), in the order processed: a processed copy, and, for an event
//     that waited in the queue, first a queued copy (processed_at null).
//   - F3: an event carried by a connection whose answer had the Date D was
//     processed at or after D - overlapSlack.
//
// What it holds:
//   - cursor, the largest processed_at of a delivered event (or of the
//     processed copy of one delivered queued), and atCursor, the ids
//     processed exactly then;
//   - pending, the ids delivered as a queued copy whose processed copy has
//     not come;
//   - after a reopen (or the first connection's backfill, with Since):
//     liveFloor, the cursor when the connection opened, and overlap, the ids
//     its backfill listed that were processed at or after overlapFrom (the
//     connection's Date minus overlapSlack, or the backfill's start if later
//     or if the answer had no Date), the last at overlapLast.
//
// Why every copy of a delivered id is recognised. A copy comes from a list or
// from a connection:
//   - A backfill starts at the cursor (F1), so a delivered event it repeats
//     was processed exactly at the cursor (none later was delivered): it is in
//     atCursor. Events processed before the cursor are never listed again.
//   - A queued copy delivered leaves its id in pending until its processed
//     copy comes, live or listed; that copy is dropped and moves the cursor,
//     as if delivered (a later backfill could list it otherwise).
//   - A connection after a reopen repeats from its backfill only what was
//     emitted after it opened (F2), processed at or after its Date minus
//     overlapSlack (F3): those listed ids are in overlap, whatever their
//     number. A live copy processed before liveFloor was processed before an
//     event delivered before the connection opened: a replay, not a new event
//     (F2).
//   - F2 rules out any other repeat on one connection; a frame sent twice in
//     a row (a retry on the way) was processed at the cursor.
//
// Why memory stays bounded. atCursor holds the ids that share one timestamp
// (a few: processed_at has millisecond precision). pending holds the events
// still waiting in the server's queue when they were echoed, until processed:
// a processed copy comes live (F2) or, if emitted while the stream was away,
// from the next backfill, since it was processed after every event delivered
// before (F1, F2). overlap holds, from a reopen until the live stream passes
// it (a live copy processed more than overlapSlack after overlapLast: by F2
// no overlap event can follow it), the events processed between the
// connection's Date minus overlapSlack and the end of the backfill: the
// overlap itself and 10 s of history (the whole backfill if the answer had no
// Date). Nothing else is kept: the memory of a stream does not grow with its
// length.
type dedupe struct {
	cursor   time.Time
	atCursor map[string]struct{}
	pending  map[string]struct{}

	liveFloor   time.Time
	overlap     map[string]struct{} // nil: no overlap to watch
	overlapFrom time.Time
	overlapLast time.Time
}

// reopened starts the backfill of a reopened connection, listing from from,
// whose answer had the Date date (zero: none).
func (d *dedupe) reopened(from, date time.Time) {
	d.liveFloor = d.cursor
	d.overlapFrom = from
	if b := date.Add(-overlapSlack); !date.IsZero() && b.After(from) {
		d.overlapFrom = b
	}
	d.overlap = map[string]struct{}{}
	d.overlapLast = time.Time{}
}

// seen reports whether a copy of the event id was delivered and may still
// come back.
func (d *dedupe) seen(id string) bool {
	_, ok := d.atCursor[id]
	if !ok {
		_, ok = d.pending[id]
	}
	if !ok {
		_, ok = d.overlap[id]
	}
	return ok
}

// admit reports whether the copy of the event id processed at at (zero: a
// queued copy), listed by a backfill or received live, is to be delivered,
// and records it. A listed copy must not be processed before the backfill's
// start.
func (d *dedupe) admit(id string, at time.Time, listed bool) bool {
	if at.IsZero() {
		if d.seen(id) {
			return false
		}
		if d.pending == nil {
			d.pending = map[string]struct{}{}
		}
		d.pending[id] = struct{}{}
		return true
	}
	dup := d.seen(id) || (!listed && at.Before(d.liveFloor))
	delete(d.pending, id)
	d.advance(id, at)
	switch {
	case d.overlap == nil:
	case listed:
		if !at.Before(d.overlapFrom) {
			d.overlap[id] = struct{}{}
			if at.After(d.overlapLast) {
				d.overlapLast = at
			}
		}
	case at.After(d.overlapLast.Add(overlapSlack)):
		d.overlap = nil // the live stream is past every event listed
	}
	return !dup
}

// advance moves the cursor to at if it is later, and records id as processed
// at the cursor if it is.
func (d *dedupe) advance(id string, at time.Time) {
	switch at.Compare(d.cursor) {
	case 1:
		d.cursor = at
		if len(d.atCursor) > 64 {
			d.atCursor = nil // let a map that grew large go
		} else {
			clear(d.atCursor)
		}
	case -1:
		return
	}
	if d.atCursor == nil {
		d.atCursor = map[string]struct{}{}
	}
	d.atCursor[id] = struct{}{}
}

// size returns how many ids are held.
func (d *dedupe) size() int { return len(d.atCursor) + len(d.pending) + len(d.overlap) }

// serverDate returns the time of the Date header of resp, or zero.
func serverDate(resp *http.Response) time.Time {
	t, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t
}
