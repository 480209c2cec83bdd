package producer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
)

var (
	// ErrClosed is returned by Put and Flush after Close has been called.
	ErrClosed = errors.New("producer: closed")
	// ErrRecordTooLarge is wrapped by the error Put returns for a record
	// over the stream's maximum record size (see [WithMaxRecordSize]).
	ErrRecordTooLarge = errors.New("record too large")
	// ErrInvalidPartitionKey is wrapped by the error Put returns for a
	// partition key Kinesis would reject.
	ErrInvalidPartitionKey = errors.New("invalid partition key")
	// ErrAttemptsExhausted is wrapped by the error of a [Failure] whose
	// record failed with retryable errors on every attempt (see
	// [WithMaxAttempts]). The last error is wrapped too.
	ErrAttemptsExhausted = errors.New("attempts exhausted")
)

// A Failure is a record that the producer gave up on.
type Failure struct {
	// PartitionKey and Data are the record as given to Put; nil data is
	// an empty, non-nil slice, as it was sent.
	PartitionKey string
	Data         []byte
	// Attempts is how many PutRecords requests carried the record; 0 if
	// it was never sent (for example when Close's context ended first).
	Attempts int
	// Err says why. It wraps an [*EntryError] when Kinesis rejected the
	// record itself, the PutRecords error when the request failed as a
	// whole, [ErrAttemptsExhausted] when retryable failures used up the
	// attempts, or the context's error when Close gave up waiting.
	Err error
}

// An EntryError is Kinesis' reason for rejecting one entry of a PutRecords
// request (its ErrorCode and ErrorMessage).
type EntryError struct {
	// Code is the entry's ErrorCode, for example
	// ProvisionedThroughputExceededException or InternalFailure.
	Code string
	// Message is the entry's ErrorMessage.
	Message string
}

// Error returns "Code: Message".
func (e *EntryError) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// A DeliveryError summarises the records that could not be delivered.
// Flush returns one for the records it waited for, Close for all records
// of the producer's life. Each record was also passed to the WithOnFailure
// function, if there is one. errors.Is and errors.As see the first error
// of each reason.
type DeliveryError struct {
	// Op is "flush" or "close".
	Op string
	// Records is how many records were not delivered.
	Records int
	// Reasons counts the records by reason: a Kinesis error code (for
	// example "AccessDeniedException"), "attempts exhausted: " and the
	// last error code, "request error" for a request that got no
	// answer, or "not sent before close".
	Reasons map[string]int
	errs    map[string]error
}

// Error returns the count, the reasons and the first error of the first
// reason in sort order.
func (e *DeliveryError) Error() string {
	var b strings.Builder
	noun := "records"
	if e.Records == 1 {
		noun = "record"
	}
	fmt.Fprintf(&b, "producer: %s: %d %s not delivered (", e.Op, e.Records, noun)
	reasons := slices.Sorted(maps.Keys(e.Reasons))
	for i, r := range reasons {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %d", r, e.Reasons[r])
	}
	fmt.Fprintf(&b, "); %s", e.errs[reasons[0]])
	return b.String()
}

// Unwrap returns the first error of each reason.
func (e *DeliveryError) Unwrap() []error {
	return slices.Collect(maps.Values(e.errs))
}

func (e *DeliveryError) add(reason string, err error) {
	if e.Reasons == nil {
		e.Reasons = make(map[string]int)
		e.errs = make(map[string]error)
	}
	e.Records++
	e.Reasons[reason]++
	if _, ok := e.errs[reason]; !ok {
		e.errs[reason] = err
	}
}

// orNil returns e, or nil if there is nothing to report; as an error
// interface, so that no typed nil escapes.
func (e *DeliveryError) orNil() error {
	if e == nil || e.Records == 0 {
		return nil
	}
	c := *e
	c.Reasons = maps.Clone(e.Reasons)
	c.errs = maps.Clone(e.errs)
	return &c
}

// Error codes Kinesis returns per entry (PutRecordsResultEntry.ErrorCode)
// or for a whole request. The PutRecords reference lists
// ProvisionedThroughputExceededException and InternalFailure per entry;
// KMS errors come per entry or per request on encrypted streams.
var (
	// throttleCodes mean "too much, too fast": retry after a backoff.
	throttleCodes = map[string]bool{
		"ProvisionedThroughputExceededException": true,
		"KMSThrottlingException":                 true,
		"LimitExceededException":                 true,
		"ThrottlingException":                    true,
	}
	// transientCodes are server-side failures worth another attempt.
	transientCodes = map[string]bool{
		"InternalFailure":             true,
		"InternalFailureException":    true,
		"ServiceUnavailable":          true,
		"ServiceUnavailableException": true,
	}
)

// Every other code is final: AccessDeniedException, ResourceNotFoundException,
// InvalidArgumentException, ValidationException, KMSDisabledException,
// KMSInvalidStateException, KMSNotFoundException, KMSAccessDeniedException,
// KMSOptInRequired and codes this package does not know. Sending again would
// fail again.
func retryableCode(code string) bool { return throttleCodes[code] || transientCodes[code] }

// classifyRequestError says whether a PutRecords call that failed as a whole
// is worth another attempt, whether it was throttled, and the short reason
// to count it under.
func classifyRequestError(err error) (retryable, throttled bool, reason string) {
	// The SDK's parameter validation returns InvalidParamsError by value;
	// match the pointer too. Sending the same request again cannot pass.
	var invalid *smithy.InvalidParamsError
	var invalidValue smithy.InvalidParamsError
	if errors.As(err, &invalid) || errors.As(err, &invalidValue) {
		return false, false, "InvalidParameter"
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		code := api.ErrorCode()
		if retryableCode(code) {
			return true, throttleCodes[code], code
		}
		var status interface{ HTTPStatusCode() int }
		if errors.As(err, &status) && status.HTTPStatusCode() >= 500 {
			return true, false, code
		}
		return api.ErrorFault() == smithy.FaultServer, false, code
	}
	// No answer from Kinesis: connection refused or reset, timeout, DNS.
	return true, false, "request error"
}
