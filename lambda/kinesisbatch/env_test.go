package kinesisbatch

import (
	"fmt"
	"strings"
	"testing"
)

func TestConcurrencyFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env     string
		want    int
		wantErr bool
	}{{"", 1, false}, {"8", 8, false}, {"0", 0, true}, {"-2", 0, true}, {"eight", 0, true}} {
		t.Setenv(ConcurrencyEnv, tt.env)
		got, err := ConcurrencyFromEnv()
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("CONSUMER_CONCURRENCY=%q: got %d, %v; want %d, error %v", tt.env, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("CONSUMER_CONCURRENCY must be a positive integer, got %q", tt.env)) {
			t.Errorf("error %q does not name the variable and the value %q", err, tt.env)
		}
	}
}
