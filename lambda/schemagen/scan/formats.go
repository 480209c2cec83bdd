package scan

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// The formats below follow github.com/santhosh-tekuri/jsonschema/v6
// (format.go, Apache License 2.0), the reference validator, rule for rule,
// so that both accept the same strings; FuzzFormats compares them. They
// read the string in place instead of splitting it, so the accepting path
// does not allocate.

// Formats lists the "format" values that generated decoders assert.
var Formats = []string{"date", "date-time", "email", "hostname", "ipv4", "ipv6", "time", "uuid"}

// view returns b as a string without copying; the string must not outlive
// the call that b is valid for.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// CheckFormat checks s against the named format, one of Formats; keyword is
// the schema location of the "format" keyword.
func CheckFormat(keyword, format string, s []byte) error {
	var err error
	v := view(s)
	switch format {
	case "date":
		err = checkDate(v)
	case "date-time":
		_, err = parseDateTime(v)
	case "email":
		err = checkEmail(v)
	case "hostname":
		err = checkHostname(v)
	case "ipv4":
		err = checkIPv4(v)
	case "ipv6":
		err = checkIPv6(v)
	case "time":
		_, _, _, _, _, err = parseTime(v)
	case "uuid":
		err = checkUUID(v)
	default:
		err = fmt.Errorf("unknown format")
	}
	if err != nil {
		return Invalid(keyword, "%q is not valid %s: %v", v, format, err)
	}
	return nil
}

// DateTime parses an RFC 3339 date-time ("date-time" format), accepting
// what the format accepts: 't' or 'T' between date and time, 'z' or 'Z' for
// UTC, any number of fractional digits (nanoseconds are kept), and a leap
// second at 23:59:60 UTC, which time.Time, knowing no leap seconds, holds
// as the next second.
func DateTime(keyword string, s []byte) (time.Time, error) {
	v := view(s)
	t, err := parseDateTime(v)
	if err != nil {
		return time.Time{}, Invalid(keyword, "%q is not valid date-time: %v", v, err)
	}
	return t, nil
}

func parseDateTime(s string) (time.Time, error) {
	// min: yyyy-mm-ddThh:mm:ssZ
	if len(s) < 20 {
		return time.Time{}, errors.New("less than 20 characters long")
	}
	if s[10] != 't' && s[10] != 'T' {
		return time.Time{}, errors.New("11th character must be t or T")
	}
	y, mo, d, err := parseDate(s[:10])
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid date element: %v", err)
	}
	h, m, sec, nsec, offset, err := parseTime(s[11:])
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid time element: %v", err)
	}
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	return time.Date(y, time.Month(mo), d, h, m, sec, nsec, loc), nil
}

// checkDate is RFC 3339's full-date.
func checkDate(s string) error {
	_, _, _, err := parseDate(s)
	return err
}

// parseDate reads a full-date as time.Parse("2006-01-02", s) does, which
// is what the reference validator uses: exactly four digits, two and two,
// a month from 1 to 12 and a day that exists in that month (proleptic
// Gregorian calendar).
func parseDate(s string) (year, month, day int, err error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, errors.New("not of the form YYYY-MM-DD")
	}
	num := func(f string) int {
		n := 0
		for i := 0; i < len(f); i++ {
			if f[i] < '0' || f[i] > '9' {
				return -1
			}
			n = n*10 + int(f[i]-'0')
		}
		return n
	}
	year, month, day = num(s[0:4]), num(s[5:7]), num(s[8:10])
	switch {
	case year < 0 || month < 0 || day < 0:
		return 0, 0, 0, errors.New("not of the form YYYY-MM-DD")
	case month < 1 || month > 12:
		return 0, 0, 0, errors.New("month out of range")
	case day < 1 || day > daysIn(month, year):
		return 0, 0, 0, errors.New("day out of range")
	}
	return year, month, day, nil
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoi2 reads a two-byte field as strconv.Atoi does, which is what the
// reference validator uses: a sign is allowed ("+1" is 1, "-0" is 0).
func atoi2(s string) (int, error) {
	return strconv.Atoi(s)
}

// parseTime is RFC 3339's full-time; it returns the time of day, the
// nanoseconds and the offset east of UTC in seconds.
func parseTime(str string) (h, m, s, nsec, offset int, err error) {
	// min: hh:mm:ssZ
	if len(str) < 9 {
		return 0, 0, 0, 0, 0, errors.New("less than 9 characters long")
	}
	if str[2] != ':' || str[5] != ':' {
		return 0, 0, 0, 0, 0, errors.New("missing colon in correct place")
	}
	var hms [3]int
	for i, tok := range [3]string{str[0:2], str[3:5], str[6:8]} {
		n, err := atoi2(tok)
		if err != nil {
			return 0, 0, 0, 0, 0, errors.New("invalid hour/min/sec")
		}
		if n < 0 {
			return 0, 0, 0, 0, 0, errors.New("non-positive hour/min/sec")
		}
		hms[i] = n
	}
	h, m, s = hms[0], hms[1], hms[2]
	if h > 23 || m > 59 || s > 60 {
		return 0, 0, 0, 0, 0, errors.New("hour/min/sec out of range")
	}
	str = str[8:]

	// sec-frac
	if rem, ok := strings.CutPrefix(str, "."); ok {
		numDigits := 0
		for numDigits < len(rem) && rem[numDigits] >= '0' && rem[numDigits] <= '9' {
			if numDigits < 9 {
				nsec = nsec*10 + int(rem[numDigits]-'0')
			}
			numDigits++
		}
		if numDigits == 0 {
			return 0, 0, 0, 0, 0, errors.New("no digits in second fraction")
		}
		for i := numDigits; i < 9; i++ {
			nsec *= 10
		}
		str = rem[numDigits:]
	}

	uh, um := h, m // the time in UTC, for the leap-second rule
	if str != "z" && str != "Z" {
		// time-numoffset
		if len(str) != 6 {
			return 0, 0, 0, 0, 0, errors.New("offset must be 6 characters long")
		}
		var sign int
		switch str[0] {
		case '+':
			sign = -1
		case '-':
			sign = +1
		default:
			return 0, 0, 0, 0, 0, errors.New("offset must begin with plus/minus")
		}
		str = str[1:]
		if str[2] != ':' {
			return 0, 0, 0, 0, 0, errors.New("missing colon in offset in correct place")
		}
		zh, err1 := atoi2(str[:2])
		zm, err2 := atoi2(str[3:])
		if err1 != nil || err2 != nil {
			return 0, 0, 0, 0, 0, errors.New("invalid hour/min in offset")
		}
		if zh < 0 || zm < 0 {
			return 0, 0, 0, 0, 0, errors.New("non-positive hour/min in offset")
		}
		if zh > 23 || zm > 59 {
			return 0, 0, 0, 0, 0, errors.New("hour/min in offset out of range")
		}
		hm := (h*60 + m) + sign*(zh*60+zm)
		if hm < 0 {
			hm += 24 * 60
		}
		uh, um = hm/60, hm%60
		offset = -sign * (zh*3600 + zm*60)
	}
	if s >= 60 && (uh != 23 || um != 59) {
		return 0, 0, 0, 0, 0, errors.New("invalid leap second")
	}
	return h, m, s, nsec, offset, nil
}

func checkUUID(s string) error {
	hexGroups := [5]int{8, 4, 4, 4, 12}
	for i := range hexGroups {
		var group string
		if i < 4 {
			dash := strings.IndexByte(s, '-')
			if dash < 0 {
				return fmt.Errorf("must have %d elements", len(hexGroups))
			}
			group, s = s[:dash], s[dash+1:]
		} else {
			if strings.IndexByte(s, '-') >= 0 {
				return fmt.Errorf("must have %d elements", len(hexGroups))
			}
			group = s
		}
		if len(group) != hexGroups[i] {
			return fmt.Errorf("element %d must be %d characters long", i+1, hexGroups[i])
		}
		for _, ch := range group {
			switch {
			case ch >= '0' && ch <= '9':
			case ch >= 'a' && ch <= 'f':
			case ch >= 'A' && ch <= 'F':
			default:
				return fmt.Errorf("non-hex character %q", ch)
			}
		}
	}
	return nil
}

func checkIPv4(s string) error {
	if strings.Count(s, ".") != 3 {
		return errors.New("expected four decimals")
	}
	for range 4 {
		group := s
		if dot := strings.IndexByte(s, '.'); dot >= 0 {
			group, s = s[:dot], s[dot+1:]
		}
		if len(group) > 1 && group[0] == '0' {
			return errors.New("leading zeros")
		}
		n, err := strconv.Atoi(group)
		if err != nil {
			return err
		}
		if n < 0 || n > 255 {
			return errors.New("decimal must be between 0 and 255")
		}
	}
	return nil
}

func checkIPv6(s string) error {
	if !strings.Contains(s, ":") {
		return errors.New("missing colon")
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		return err
	}
	if addr.Zone() != "" {
		return errors.New("zone id is not a part of ipv6 address")
	}
	return nil
}

func checkHostname(s string) error {
	// entire hostname (including the delimiting dots but not a trailing dot) has a maximum of 253 ASCII characters
	s = strings.TrimSuffix(s, ".")
	if len(s) > 253 {
		return errors.New("more than 253 characters long")
	}
	for {
		label, rest, more := strings.Cut(s, ".")
		if len(label) < 1 || len(label) > 63 {
			return errors.New("label must be 1 to 63 characters long")
		}
		if strings.HasPrefix(label, "-") {
			return errors.New("label starts with hyphen")
		}
		if strings.HasSuffix(label, "-") {
			return errors.New("label ends with hyphen")
		}
		for _, ch := range label {
			switch {
			case ch >= 'a' && ch <= 'z':
			case ch >= 'A' && ch <= 'Z':
			case ch >= '0' && ch <= '9':
			case ch == '-':
			default:
				return fmt.Errorf("invalid character %q", ch)
			}
		}
		if !more {
			return nil
		}
		s = rest
	}
}

func checkEmail(s string) error {
	if len(s) > 254 {
		return errors.New("more than 255 characters long")
	}
	at := strings.LastIndexByte(s, '@')
	if at == -1 {
		return errors.New("missing @")
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 {
		return errors.New("local part more than 64 characters long")
	}
	if len(local) > 1 && strings.HasPrefix(local, `"`) && strings.HasSuffix(local, `"`) {
		local := local[1 : len(local)-1]
		if strings.IndexByte(local, '\\') != -1 || strings.IndexByte(local, '"') != -1 {
			return errors.New("backslash and quote are not allowed within quoted local part")
		}
	} else {
		if strings.HasPrefix(local, ".") {
			return errors.New("starts with dot")
		}
		if strings.HasSuffix(local, ".") {
			return errors.New("ends with dot")
		}
		if strings.Contains(local, "..") {
			return errors.New("consecutive dots")
		}
		for _, ch := range local {
			switch {
			case ch >= 'a' && ch <= 'z':
			case ch >= 'A' && ch <= 'Z':
			case ch >= '0' && ch <= '9':
			case strings.ContainsRune(".!#$%&'*+-/=?^_`{|}~", ch):
			default:
				return fmt.Errorf("invalid character %q", ch)
			}
		}
	}
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		domain = domain[1 : len(domain)-1]
		if rem, ok := strings.CutPrefix(domain, "IPv6:"); ok {
			if err := checkIPv6(rem); err != nil {
				return fmt.Errorf("invalid ipv6 address: %v", err)
			}
			return nil
		}
		if err := checkIPv4(domain); err != nil {
			return fmt.Errorf("invalid ipv4 address: %v", err)
		}
		return nil
	}
	if err := checkHostname(domain); err != nil {
		return fmt.Errorf("invalid domain: %v", err)
	}
	return nil
}
