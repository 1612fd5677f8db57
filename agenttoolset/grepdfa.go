package agenttoolset

import (
	"encoding/binary"
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// lineDFA decides whether a line holds a match of a regular expression, as
// regexp.Match on the line alone would, in one pass over its runes: a
// deterministic automaton whose states (the sets of instructions of the
// compiled program an NFA simulation would hold) are built the first time a
// line reaches them, and whose transitions on ASCII bytes are then a table
// look-up. Go's regexp runs its backtracker or its NFA on each line, tens of
// nanoseconds a byte and more; a warm lineDFA takes one or two.
//
// It is not safe for concurrent use: each goroutine takes its own from
// lineMatcher's pool. Its states are bounded; a pattern that needs more
// makes match report that it cannot tell, and the regexp decides.
type lineDFA struct {
	prog   *syntax.Prog
	states map[string]*dfaState
	start  *dfaState // at a line's start
	pcs    int       // instructions held by all states
	fills  int       // times the states reached a bound
	// Scratch space for building states.
	seen    []uint32 // per instruction: the build that last reached it
	build   uint32
	stack   []uint32
	stepped []uint32
	key     []byte
}

// runeClass is what the empty-width assertions (\A, \z, \b, \B) need to know
// of the rune on one side of a position: none (the line's start or end), a
// word character, or another rune. A line holds no newline.
type runeClass uint8

const (
	edgeClass runeClass = iota
	wordClass
	otherClass
)

func classOf(r rune) runeClass {
	if syntax.IsWordChar(r) {
		return wordClass
	}
	return otherClass
}

// classRune stands for its class in syntax.EmptyOpContext.
var classRune = [...]rune{edgeClass: -1, wordClass: 'a', otherClass: ' '}

// dfaState is the set of instructions reached after the runes read so far
// (before the empty-width ones around the next position are followed), and
// the class of the last rune read.
type dfaState struct {
	pcs  []uint32
	prev runeClass
	// closed: per class of the next rune, the rune-consuming instructions
	// the set reaches through empty-width ones (with the program's start
	// added, for a match may start anywhere), computed once; matched: the
	// set reaches the match instruction, so a match ends here.
	closed   [3][]uint32
	matched  [3]bool
	isClosed [3]bool
	// next: the state after an ASCII byte, once computed.
	next [utf8.RuneSelf]*dfaState
}

// dfaMatched is the state after a match has been seen: the line matches.
var dfaMatched = &dfaState{}

// maxDFAStates bounds the states of one lineDFA (each about 1.2 KiB) and
// maxDFAPCs the instructions they hold (their sets, with the map's keys,
// and their closures; 4 to 8 bytes each), so that a lineDFA stays under
// about 2.5 MiB; maxDFAFills bounds the times they may fill up before the
// lineDFA gives up.
const (
	maxDFAStates = 1000
	maxDFAPCs    = 1 << 17
	maxDFAFills  = 3
)

func newLineDFA(prog *syntax.Prog) *lineDFA {
	d := &lineDFA{prog: prog, seen: make([]uint32, len(prog.Inst))}
	d.reset()
	return d
}

// reset drops every state.
func (d *lineDFA) reset() {
	d.states, d.pcs = make(map[string]*dfaState), 0
	d.start = d.state(nil, edgeClass)
}

// match reports whether line holds a match; ok is false when the lineDFA
// cannot tell (it ran out of states), and the caller must decide otherwise.
func (d *lineDFA) match(line []byte) (matched, ok bool) {
	if d.fills >= maxDFAFills {
		return false, false
	}
	s := d.start
	for i := 0; i < len(line); {
		var next *dfaState
		if c := line[i]; c < utf8.RuneSelf {
			if next = s.next[c]; next == nil {
				if next = d.step(s, rune(c)); next == nil {
					return false, false
				}
				s.next[c] = next
			}
			i++
		} else {
			r, width := utf8.DecodeRune(line[i:])
			if next = d.step(s, r); next == nil {
				return false, false
			}
			i += width
		}
		if next == dfaMatched {
			return true, true
		}
		s = next
	}
	_, matched = d.closure(s, edgeClass)
	return matched, true
}

// step returns the state after s reads r: dfaMatched when a match ends
// before r, nil when there is no room left for a new state.
func (d *lineDFA) step(s *dfaState, r rune) *dfaState {
	class := classOf(r)
	insts, matched := d.closure(s, class)
	if matched {
		return dfaMatched
	}
	pcs := d.stepped[:0]
	for _, pc := range insts {
		inst := &d.prog.Inst[pc]
		var ok bool
		switch inst.Op {
		case syntax.InstRune:
			ok = inst.MatchRune(r)
		case syntax.InstRune1:
			ok = r == inst.Rune[0]
		case syntax.InstRuneAny:
			ok = true
		case syntax.InstRuneAnyNotNL:
			ok = r != '\n'
		}
		if ok {
			pcs = append(pcs, inst.Out)
		}
	}
	slices.Sort(pcs)
	d.stepped = slices.Compact(pcs)
	return d.state(d.stepped, class)
}

// closure returns the rune-consuming instructions that s's set and the
// program's start reach before a rune of class next (edgeClass: the line's
// end), and whether they reach the match instruction.
func (d *lineDFA) closure(s *dfaState, next runeClass) ([]uint32, bool) {
	if s.isClosed[next] {
		return s.closed[next], s.matched[next]
	}
	flags := syntax.EmptyOpContext(classRune[s.prev], classRune[next])
	d.build++
	if d.build == 0 { // wrapped: forget every old mark
		clear(d.seen)
		d.build = 1
	}
	var insts []uint32
	matched := false
	d.stack = append(append(d.stack[:0], s.pcs...), uint32(d.prog.Start))
	for len(d.stack) > 0 {
		pc := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		if d.seen[pc] == d.build {
			continue
		}
		d.seen[pc] = d.build
		inst := &d.prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			d.stack = append(d.stack, inst.Arg, inst.Out)
		case syntax.InstCapture, syntax.InstNop:
			d.stack = append(d.stack, inst.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(inst.Arg)&^flags == 0 {
				d.stack = append(d.stack, inst.Out)
			}
		case syntax.InstMatch:
			matched = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			insts = append(insts, pc)
		}
	}
	s.closed[next], s.matched[next], s.isClosed[next] = insts, matched, true
	d.pcs += len(insts)
	return insts, matched
}

// state returns the state of the sorted set pcs (which it does not keep)
// after a rune of class prev, made if new; nil when there is no room for
// it, after which every state is dropped and the next line starts afresh.
func (d *lineDFA) state(pcs []uint32, prev runeClass) *dfaState {
	d.key = append(d.key[:0], byte(prev))
	for _, pc := range pcs {
		d.key = binary.LittleEndian.AppendUint32(d.key, pc)
	}
	if s, ok := d.states[string(d.key)]; ok {
		return s
	}
	if len(d.states) >= maxDFAStates || d.pcs+len(pcs) > maxDFAPCs {
		d.fills++
		d.reset()
		return nil
	}
	s := &dfaState{pcs: slices.Clone(pcs), prev: prev}
	d.states[string(d.key)] = s
	d.pcs += len(pcs)
	return s
}
