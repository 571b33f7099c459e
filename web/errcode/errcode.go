// Package errcode is the one table of the error codes govsearch answers
// with and their HTTP statuses, and of which errors of the index and of a
// request's context each code stands for. The JSON API (web) answers with
// the code and the status; the pages (web/ui) with the status and a page
// of their own.
package errcode

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"syscall"

	"govsearch/index"
)

// Error codes. Every 4xx and 5xx body of the API carries exactly one.
const (
	InvalidQuery     = "invalid_query"
	InvalidParameter = "invalid_parameter"
	Unauthorized     = "unauthorized"
	Forbidden        = "forbidden"
	NotFound         = "not_found"
	MethodNotAllowed = "method_not_allowed"
	PayloadTooLarge  = "payload_too_large"
	HeadersTooLarge  = "headers_too_large"
	Internal         = "internal"
	IndexUnavailable = "index_unavailable"
	Overloaded       = "overloaded"
	Timeout          = "timeout"
	InsufficientDisk = "insufficient_storage"
)

// statuses is the table of codes and their HTTP statuses, in the order
// Codes lists them.
var statuses = []struct {
	code   string
	status int
}{
	{InvalidQuery, http.StatusBadRequest},
	{InvalidParameter, http.StatusBadRequest},
	{Unauthorized, http.StatusUnauthorized},
	{Forbidden, http.StatusForbidden},
	{NotFound, http.StatusNotFound},
	{MethodNotAllowed, http.StatusMethodNotAllowed},
	{PayloadTooLarge, http.StatusRequestEntityTooLarge},
	{HeadersTooLarge, http.StatusRequestHeaderFieldsTooLarge},
	{Internal, http.StatusInternalServerError},
	{IndexUnavailable, http.StatusServiceUnavailable},
	{Overloaded, http.StatusServiceUnavailable},
	// A deadline is the server's own limit expiring, as a gateway's would:
	// 504, not the 503 of a server that cannot take the request at all.
	{Timeout, http.StatusGatewayTimeout},
	{InsufficientDisk, http.StatusInsufficientStorage},
}

// Codes returns every error code.
func Codes() []string {
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = s.code
	}
	return out
}

// Status returns the HTTP status of code; an unknown code is a 500.
func Status(code string) int {
	for _, s := range statuses {
		if s.code == code {
			return s.status
		}
	}
	return http.StatusInternalServerError
}

// Of returns the code of an error from the index or from a request's
// context: a bad argument (invalid_query for q, else invalid_parameter),
// an unknown id, a deadline or cancellation (timeout), a full disk. Any
// other error is internal.
func Of(err error) string {
	var ve *index.ValidationError
	switch {
	case errors.As(err, &ve):
		if ve.Param == "q" {
			return InvalidQuery
		}
		return InvalidParameter
	case errors.Is(err, index.ErrNotFound):
		return NotFound
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Timeout
	case diskFull(err):
		return InsufficientDisk
	}
	return Internal
}

// diskFull reports whether err comes from a full disk. The text check
// covers storage layers that format the system error instead of wrapping it.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		strings.Contains(err.Error(), "no space left on device")
}
