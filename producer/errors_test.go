package producer

import (
	"errors"
	"testing"
)

func TestErrorMessages(t *testing.T) {
	denied := &EntryError{Code: "AccessDeniedException", Message: "not authorized"}
	var several DeliveryError
	several.Op = "close"
	several.add("ProvisionedThroughputExceededException", errors.New("throttled"))
	several.add("AccessDeniedException", denied)
	several.add("AccessDeniedException", errors.New("second, not shown"))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"entry", denied, "AccessDeniedException: not authorized"},
		{"entry without message", &EntryError{Code: "InternalFailure"}, "InternalFailure"},
		{"delivery, reasons sorted, first error of the first reason", several.orNil(),
			"producer: close: 3 records not delivered (AccessDeniedException: 2, ProvisionedThroughputExceededException: 1); AccessDeniedException: not authorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if err := (&DeliveryError{}).orNil(); err != nil {
		t.Errorf("got %v for no records, want nil", err)
	}
	var ee *EntryError
	if err := several.orNil(); !errors.As(err, &ee) || ee != denied {
		t.Errorf("errors.As: got %v, want the AccessDeniedException entry error", ee)
	}
}
