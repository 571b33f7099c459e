package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"govsearch/index"
	"govsearch/ingest"
	"govsearch/web/errcode"
)

// Error is an API error: the body {"error": {...}} of every failed request.
// Code is one of errcode's codes, which also gives its HTTP status.
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
func (e *Error) Status() int { return errcode.Status(e.Code) }

// errorBody is the JSON envelope of an Error.
type errorBody struct {
	Error *Error `json:"error"`
}

func paramError(param, message string) *Error {
	return &Error{Code: errcode.InvalidParameter, Message: message, Param: param}
}

var errIndexUnavailable = &Error{Code: errcode.IndexUnavailable, Message: "the index is not open yet; retry shortly"}

// toAPIError maps any error a handler returns to the API error it answers
// with. Unknown errors become "internal" with a generic message, so that no
// internal detail (paths, stack) reaches the client.
func toAPIError(err error) *Error {
	var apiErr *Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &mbe):
		return &Error{Code: errcode.PayloadTooLarge, Message: "the request body is larger than the limit"}
	}
	code := errcode.Of(err)
	var ve *index.ValidationError
	var fe *ingest.FileError
	switch {
	case errors.As(err, &ve):
		return &Error{Code: code, Message: ve.Message, Param: ve.Param}
	case code == errcode.NotFound:
		return &Error{Code: code, Message: "no such id"}
	case errors.Is(err, context.Canceled):
		return &Error{Code: code, Message: "the request was canceled"}
	case code == errcode.Timeout:
		return &Error{Code: code, Message: "the request took too long and was stopped"}
	case code == errcode.InsufficientDisk:
		return &Error{Code: code, Message: "the disk is full: the change was not written to disk and may be lost if the server stops; free space and send it again (searches still work)"}
	case errors.As(err, &fe):
		return &Error{Code: errcode.InvalidParameter, Message: "cannot parse the report: " + fe.Err.Error(), Param: "body"}
	}
	return &Error{Code: errcode.Internal, Message: "internal error"}
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
	if apiErr.Code == errcode.Internal {
		// The cause stays in the server's log; the client gets the code only.
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "internal error",
			slog.String("route", routeOf(c)), slog.String("error", err.Error()))
	}
	if c.Writer.Written() {
		c.Abort()
		return
	}
	if apiErr.Code == errcode.Unauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="govsearch"`)
	}
	writeJSON(c, apiErr.Status(), errorBody{Error: apiErr})
	c.Abort()
}
