package scan

import (
	"strconv"
	"strings"
)

// IntResult says how a number converts to an integer.
type IntResult uint8

// Outcomes of ParseInt.
const (
	IntOK      IntResult = iota
	NotInteger           // has a fractional part
	BelowInt64           // an integer below math.MinInt64
	AboveInt64           // an integer above math.MaxInt64
)

// decimal is a JSON number as sign, significant digits without leading or
// trailing zeros, and exponent: value = ±0.digits × 10^exp. Zero has no
// digits.
type decimal struct {
	neg    bool
	digits []byte // a sub-slice of the number's text or of buf
	exp    int
	buf    [24]byte
}

// parseDecimal reads a number already checked against the JSON grammar.
func parseDecimal(num []byte, d *decimal) {
	i := 0
	d.neg, d.digits, d.exp = false, d.buf[:0], 0
	if num[0] == '-' {
		d.neg = true
		i++
	}
	intStart := i
	for i < len(num) && num[i] >= '0' && num[i] <= '9' {
		i++
	}
	intPart := num[intStart:i]
	var frac []byte
	if i < len(num) && num[i] == '.' {
		i++
		s := i
		for i < len(num) && num[i] >= '0' && num[i] <= '9' {
			i++
		}
		frac = num[s:i]
	}
	exp := 0
	if i < len(num) { // 'e' or 'E'
		i++
		neg := false
		if num[i] == '+' || num[i] == '-' {
			neg = num[i] == '-'
			i++
		}
		for ; i < len(num); i++ {
			if exp < 1e15 { // beyond this the value is 0 or huge either way
				exp = exp*10 + int(num[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	// Significant digits: intPart then frac, leading zeros dropped.
	all := intPart
	if len(frac) > 0 {
		// Join without allocating when it fits; long numbers keep a copy.
		if len(intPart)+len(frac) <= len(d.buf) {
			all = append(append(d.buf[:0], intPart...), frac...)
		} else {
			all = append(append([]byte(nil), intPart...), frac...)
		}
	}
	pointAt := len(intPart) // digits before the decimal point
	lead := 0
	for lead < len(all) && all[lead] == '0' {
		lead++
	}
	all = all[lead:]
	pointAt -= lead
	end := len(all)
	for end > 0 && all[end-1] == '0' {
		end--
	}
	d.digits = all[:end]
	if len(d.digits) == 0 {
		d.neg, d.exp = false, 0
		return
	}
	d.exp = pointAt + exp
}

// cmpDecimal compares two decimals given by sign, significant digits and
// exponent, exactly.
func cmpDecimal(aNeg bool, aDigits string, aExp int, bNeg bool, bDigits string, bExp int) int {
	sa, sb := sign(aNeg, aDigits), sign(bNeg, bDigits)
	switch {
	case sa != sb:
		if sa < sb {
			return -1
		}
		return 1
	case sa == 0:
		return 0
	}
	// Same sign: compare magnitudes, then flip for negatives.
	m := 0
	switch {
	case aExp < bExp:
		m = -1
	case aExp > bExp:
		m = 1
	default:
		m = strings.Compare(aDigits, bDigits) // digits have no leading zeros
	}
	if sa < 0 {
		m = -m
	}
	return m
}

func sign(neg bool, digits string) int {
	switch {
	case len(digits) == 0:
		return 0
	case neg:
		return -1
	}
	return 1
}

// Bound is a number from a schema (a minimum, a maximum), to compare
// record numbers with exactly.
type Bound struct {
	neg    bool
	digits string
	exp    int
}

// NewBound returns the bound num, a JSON number; it panics if num is not
// one, since generated code passes only numbers it read from a schema.
func NewBound(num string) Bound {
	var d Decoder
	d.Reset([]byte(num))
	if _, err := d.lx.Number(); err != nil || d.End() != nil {
		panic("scan: NewBound: not a JSON number: " + num)
	}
	var dec decimal
	parseDecimal([]byte(num), &dec)
	return Bound{neg: dec.neg, digits: string(dec.digits), exp: dec.exp}
}

// Cmp compares the JSON number num with b exactly, as the reference
// validator does with big.Rat, and returns -1, 0 or +1.
func (b Bound) Cmp(num []byte) int {
	var a decimal
	parseDecimal(num, &a)
	return cmpDecimal(a.neg, view(a.digits), a.exp, b.neg, b.digits, b.exp)
}

// ParseInt converts the JSON number num to an int64 when it is an integer
// in int64's range. A number with a zero fractional part, such as 1.0 or
// 1e2, is an integer, as JSON Schema says.
func ParseInt(num []byte) (int64, IntResult) {
	// The common case: digits only.
	plain := len(num) <= 18
	for i, c := range num {
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			plain = false
			break
		}
	}
	if plain {
		var n int64
		i := 0
		if num[0] == '-' {
			i = 1
		}
		for ; i < len(num); i++ {
			n = n*10 + int64(num[i]-'0')
		}
		if num[0] == '-' {
			n = -n
		}
		return n, IntOK
	}
	var d decimal
	parseDecimal(num, &d)
	if len(d.digits) == 0 {
		return 0, IntOK
	}
	if d.exp < len(d.digits) {
		return 0, NotInteger
	}
	if d.exp > 19 {
		if d.neg {
			return 0, BelowInt64
		}
		return 0, AboveInt64
	}
	var buf [21]byte
	s := buf[:0]
	if d.neg {
		s = append(s, '-')
	}
	s = append(s, d.digits...)
	for range d.exp - len(d.digits) {
		s = append(s, '0')
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		if d.neg {
			return 0, BelowInt64
		}
		return 0, AboveInt64
	}
	return n, IntOK
}

// ParseFloat converts the JSON number num to the nearest float64; numbers
// beyond float64's range become ±Inf or ±0, and the schema's bounds are
// checked on the text with Compare.
func ParseFloat(num []byte) float64 {
	f, _ := strconv.ParseFloat(view(num), 64)
	return f
}
