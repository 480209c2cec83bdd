package scan

import (
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// Pattern is a JSON Schema "pattern": a Go regular expression (as the
// reference validator uses) that a string must contain a match of.
//
// The most common form, a character class repeated between anchors such as
// ^[A-Z0-9-]{3,32}$, is matched by a loop over the string's runes instead
// of the regexp engine, which is several times slower on short strings;
// anything else uses regexp. FuzzPattern checks both agree.
type Pattern struct {
	re *regexp.Regexp

	// The anchored class repetition, when fast is set.
	fast     bool
	ascii    [256]bool // membership of runes below utf8.RuneSelf
	ranges   []rune    // pairs lo, hi for other runes, as syntax.Regexp.Rune
	min, max int       // repetitions; max < 0 for no limit
}

// NewPattern compiles expr; it panics if expr is not a Go regular
// expression, since generated code passes only patterns the generator
// compiled.
func NewPattern(expr string) *Pattern {
	p := &Pattern{re: regexp.MustCompile(expr)}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return p
	}
	p.analyze(re)
	return p
}

// analyze sets the fast form if re is ^ X{m,n} $ with X one character class.
func (p *Pattern) analyze(re *syntax.Regexp) {
	if re.Op != syntax.OpConcat || len(re.Sub) != 3 || re.Sub[0].Op != syntax.OpBeginText || re.Sub[2].Op != syntax.OpEndText {
		return
	}
	rep := re.Sub[1]
	min, max := 0, 0
	switch rep.Op {
	case syntax.OpRepeat:
		min, max = rep.Min, rep.Max
	case syntax.OpStar:
		min, max = 0, -1
	case syntax.OpPlus:
		min, max = 1, -1
	case syntax.OpQuest:
		min, max = 0, 1
	default:
		return
	}
	if len(rep.Sub) != 1 {
		return
	}
	class := rep.Sub[0]
	var ranges []rune
	switch class.Op {
	case syntax.OpCharClass:
		ranges = class.Rune
	case syntax.OpLiteral:
		if len(class.Rune) != 1 || class.Flags&syntax.FoldCase != 0 {
			return
		}
		ranges = []rune{class.Rune[0], class.Rune[0]}
	default:
		return
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
			p.ascii[r] = true
		}
		if hi >= utf8.RuneSelf {
			p.ranges = append(p.ranges, max32(lo, utf8.RuneSelf), hi)
		}
	}
	p.fast, p.min, p.max = true, min, max
}

func max32(a, b rune) rune {
	if a > b {
		return a
	}
	return b
}

// Match reports whether s, valid UTF-8, contains a match.
func (p *Pattern) Match(s []byte) bool {
	if !p.fast {
		return p.re.Match(s)
	}
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !p.ascii[c] {
				return false
			}
			i++
		} else {
			r, size := utf8.DecodeRune(s[i:])
			if !p.inRanges(r) {
				return false
			}
			i += size
		}
		n++
		if p.max >= 0 && n > p.max {
			return false
		}
	}
	return n >= p.min
}

func (p *Pattern) inRanges(r rune) bool {
	for i := 0; i+1 < len(p.ranges); i += 2 {
		if p.ranges[i] <= r && r <= p.ranges[i+1] {
			return true
		}
	}
	return false
}

// String returns the pattern's source.
func (p *Pattern) String() string { return p.re.String() }
