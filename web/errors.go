package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
)

// Error codes of the API. Every 4xx and 5xx body carries exactly one of them;
// errorStatus is the only place that maps a code to an HTTP status.
const (
	CodeInvalidQuery     = "invalid_query"
	CodeInvalidParameter = "invalid_parameter"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodePayloadTooLarge  = "payload_too_large"
	CodeHeadersTooLarge  = "headers_too_large"
	CodeInternal         = "internal"
	CodeIndexUnavailable = "index_unavailable"
	CodeOverloaded       = "overloaded"
	CodeTimeout          = "timeout"
	CodeInsufficientDisk = "insufficient_storage"
)

// errorStatus is the table of error codes and their HTTP statuses.
var errorStatus = map[string]int{
	CodeInvalidQuery:     http.StatusBadRequest,
	CodeInvalidParameter: http.StatusBadRequest,
	CodeUnauthorized:     http.StatusUnauthorized,
	CodeForbidden:        http.StatusForbidden,
	CodeNotFound:         http.StatusNotFound,
	CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	CodePayloadTooLarge:  http.StatusRequestEntityTooLarge,
	CodeHeadersTooLarge:  http.StatusRequestHeaderFieldsTooLarge,
	CodeInternal:         http.StatusInternalServerError,
	CodeIndexUnavailable: http.StatusServiceUnavailable,
	CodeOverloaded:       http.StatusServiceUnavailable,
	CodeTimeout:          http.StatusGatewayTimeout,
	CodeInsufficientDisk: http.StatusInsufficientStorage,
}

// ErrorCodes returns every error code the API can answer with.
func ErrorCodes() []string {
	return []string{
		CodeInvalidQuery, CodeInvalidParameter, CodeUnauthorized, CodeForbidden,
		CodeNotFound, CodeMethodNotAllowed, CodePayloadTooLarge, CodeHeadersTooLarge, CodeInternal,
		CodeIndexUnavailable, CodeOverloaded, CodeTimeout, CodeInsufficientDisk,
	}
}

// Error is an API error: the body {"error": {...}} of every failed request.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

func (e *Error) Error() string {
	if e.Param != "" {
		return e.Code + ": " + e.Param + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

// Status returns the HTTP status of the error's code.
func (e *Error) Status() int {
	if s, ok := errorStatus[e.Code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON envelope of an Error.
type errorBody struct {
	Error *Error `json:"error"`
}

func paramError(param, message string) *Error {
	return &Error{Code: CodeInvalidParameter, Message: message, Param: param}
}

var errIndexUnavailable = &Error{Code: CodeIndexUnavailable, Message: "the index is not open yet; retry shortly"}

// toAPIError maps any error a handler returns to the API error it answers
// with. Unknown errors become "internal" with a generic message, so that no
// internal detail (paths, stack) reaches the client.
func toAPIError(err error) *Error {
	var apiErr *Error
	var qe *index.QueryError
	var fe *ingest.FileError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &mbe):
		return &Error{Code: CodePayloadTooLarge, Message: "the request body is larger than the limit"}
	case errors.As(err, &qe):
		code := CodeInvalidParameter
		if qe.Param == "q" || qe.Param == "" {
			code = CodeInvalidQuery
		}
		param := qe.Param
		if param == "" {
			param = "q"
		}
		return &Error{Code: code, Message: qe.Message, Param: param}
	case errors.Is(err, index.ErrNotFound):
		return &Error{Code: CodeNotFound, Message: "no such id"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeTimeout, Message: "the request took too long and was stopped"}
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeTimeout, Message: "the request was canceled"}
	case isDiskFull(err):
		return &Error{Code: CodeInsufficientDisk, Message: "the disk is full: the change was not written to disk and may be lost if the server stops; free space and send it again (searches still work)"}
	case errors.As(err, &fe):
		return &Error{Code: CodeInvalidParameter, Message: "cannot parse the report: " + fe.Err.Error(), Param: "body"}
	}
	return &Error{Code: CodeInternal, Message: "internal error"}
}

// isDiskFull reports whether err comes from a full disk. The text check
// covers storage layers that format the system error instead of wrapping it.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		strings.Contains(err.Error(), "no space left on device")
}

// handlerFunc is an API handler: it writes its success response itself and
// returns an error for anything else.
type handlerFunc func(c *gin.Context) error

// wrap turns a handlerFunc into a gin handler; it is the one place where
// errors become responses.
func (s *server) wrap(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	}
}

// fail answers err as a JSON error (unless the response has already begun)
// and records it for the access log.
func (s *server) fail(c *gin.Context, err error) {
	apiErr := toAPIError(err)
	c.Set(ctxErrorCode, apiErr.Code)
	if apiErr.Code == CodeInternal {
		// The cause stays in the server's log; the client gets the code only.
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "internal error",
			slog.String("route", routeOf(c)), slog.String("error", err.Error()))
	}
	if c.Writer.Written() {
		c.Abort()
		return
	}
	if apiErr.Code == CodeUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="govsearch"`)
	}
	writeJSON(c, apiErr.Status(), errorBody{Error: apiErr})
	c.Abort()
}
