package replica

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"govsearch/index"
	"govsearch/web"
	"govsearch/web/errcode"
)

// A write a replica receives travels to the writer as one NATS request on
// SubjectWrite: the HTTP request's headers as message headers plus the
// ones below, its body as the data. The reply carries the writer's answer
// the same way. A body too large for one message goes through the object
// store BucketForward and the message names the object. While the writer
// works on a write it sends an empty progress reply every progressEvery,
// so that a replica gives up soon on a writer that died with the request.
const (
	hdrMethod   = "Govsearch-Method"
	hdrURI      = "Govsearch-Uri"
	hdrHost     = "Govsearch-Host"
	hdrClient   = "Govsearch-Client"
	hdrStatus   = "Govsearch-Status"
	hdrObject   = "Govsearch-Body-Object"
	hdrProgress = "Govsearch-Progress"
)

// ForwardTimeout bounds a forwarded write: the writer's ingest timeout
// (web.DefaultIngestTimeout) and its wait for the publication, with room.
var ForwardTimeout = web.DefaultIngestTimeout + time.Minute

// progressEvery is how often the writer says it is still at a write;
// silenceLimit is how long a replica waits without a word.
const (
	progressEvery = 2 * time.Second
	silenceLimit  = 5 * progressEvery
)

// errSilent means the writer stopped answering in the middle of a write.
var errSilent = errors.New("the writer went silent")

// IsWrite reports whether r is one of the API's write routes, which a
// replica forwards to the writer.
func IsWrite(r *http.Request) bool {
	p := r.URL.Path
	return (r.Method == http.MethodPost && p == "/api/reports") ||
		(r.Method == http.MethodDelete && strings.HasPrefix(p, "/api/reports/"))
}

// hopHeaders are connection-level headers that are not forwarded.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Te": true, "Trailer": true,
	"Transfer-Encoding": true, "Upgrade": true, "Content-Length": true, "Date": true,
}

// Forwarder sends a replica's writes to the writer.
type Forwarder struct {
	nc     *nats.Conn
	log    *slog.Logger
	count  atomic.Uint64
	bodies *bodyStore
}

// NewForwarder returns a forwarder over nc.
func NewForwarder(nc *nats.Conn, log *slog.Logger) *Forwarder {
	return &Forwarder{nc: nc, log: log, bodies: &bodyStore{nc: nc}}
}

// Count returns how many writes were forwarded and answered.
func (f *Forwarder) Count() uint64 { return f.count.Load() }

// Wrap sends the write routes to the writer and everything else to next.
func (f *Forwarder) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsWrite(r) {
			f.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ServeHTTP forwards r to the writer and answers with the writer's answer:
// its status, headers and body. Without a writer to answer it is a JSON
// 503; a writer that does not answer in ForwardTimeout is a 504.
func (f *Forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	status := f.forward1(w, r)
	f.log.LogAttrs(r.Context(), slog.LevelInfo, "forwarded write",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.Float64("ms", ms(time.Since(start))))
}

func (f *Forwarder) forward1(w http.ResponseWriter, r *http.Request) int {
	if !f.nc.IsConnected() {
		return writeError(w, &web.Error{Code: errcode.IndexUnavailable, Message: "no writer is reachable: this replica is cut off from NATS; searches still work, retry the write later"})
	}
	// One byte over the writer's limit lets the writer answer its 413.
	body, err := io.ReadAll(io.LimitReader(r.Body, web.DefaultMaxBodyBytes+1))
	if err != nil {
		return writeError(w, &web.Error{Code: errcode.InvalidParameter, Param: "body", Message: "cannot read the body: " + err.Error()})
	}
	ctx, cancel := context.WithTimeout(r.Context(), ForwardTimeout)
	defer cancel()
	msg := nats.NewMsg(SubjectWrite)
	for k, vs := range r.Header {
		if !hopHeaders[k] && !strings.HasPrefix(k, "Govsearch-") {
			msg.Header[k] = vs
		}
	}
	msg.Header.Set(hdrMethod, r.Method)
	msg.Header.Set(hdrURI, r.URL.RequestURI())
	msg.Header.Set(hdrHost, r.Host)
	msg.Header.Set(hdrClient, r.RemoteAddr)
	if err := f.bodies.attach(ctx, msg, body); err != nil {
		return writeError(w, &web.Error{Code: errcode.IndexUnavailable, Message: "no writer is reachable: cannot pass the body on through NATS: " + err.Error()})
	}
	reply, err := f.request(ctx, msg)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return writeError(w, &web.Error{Code: errcode.IndexUnavailable, Message: "no writer is reachable: no writer is connected to NATS; searches still work, retry the write later"})
	case errors.Is(err, errSilent):
		return writeError(w, &web.Error{Code: errcode.IndexUnavailable, Message: "the writer stopped answering during the write (did it stop?); the write may or may not have been applied"})
	case errors.Is(err, context.DeadlineExceeded):
		return writeError(w, &web.Error{Code: errcode.Timeout, Message: "the writer did not answer in time; the write may or may not have been applied"})
	case err != nil:
		return writeError(w, &web.Error{Code: errcode.IndexUnavailable, Message: "no writer is reachable: " + err.Error()})
	}
	data, err := f.bodies.detach(ctx, reply)
	if err != nil {
		return writeError(w, &web.Error{Code: errcode.Internal, Message: "the writer answered, but its answer could not be read: " + err.Error()})
	}
	status, err := strconv.Atoi(reply.Header.Get(hdrStatus))
	if err != nil || status < 100 || status > 999 {
		return writeError(w, &web.Error{Code: errcode.Internal, Message: "the writer's answer has no status"})
	}
	for k, vs := range reply.Header {
		if !hopHeaders[k] && !strings.HasPrefix(k, "Govsearch-") {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(data)
	f.count.Add(1)
	return status
}

// request sends msg to the writer and returns its final reply, skipping
// progress replies; silence for silenceLimit is errSilent.
func (f *Forwarder) request(ctx context.Context, msg *nats.Msg) (*nats.Msg, error) {
	inbox := f.nc.NewRespInbox()
	sub, err := f.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	msg.Reply = inbox
	if err := f.nc.PublishMsg(msg); err != nil {
		return nil, err
	}
	for {
		wait, cancel := context.WithTimeout(ctx, silenceLimit)
		m, err := sub.NextMsgWithContext(wait)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
			return nil, errSilent
		case err != nil:
			return nil, err
		case len(m.Data) == 0 && m.Header.Get("Status") == "503":
			// The server's answer to a request nobody subscribes to.
			return nil, nats.ErrNoResponders
		case m.Header.Get(hdrProgress) != "":
			continue
		}
		return m, nil
	}
}

// inlineLimit is how much of a message's payload a body may take before it
// goes through the object store; the rest is for the headers.
func inlineLimit(nc *nats.Conn) int {
	return int(nc.MaxPayload()) - 64<<10
}

// bodyStore carries bodies too large for one message through the object
// store BucketForward, which the writer creates.
type bodyStore struct {
	nc *nats.Conn
	mu sync.Mutex
	o  jetstream.ObjectStore // bound on first use
}

func (b *bodyStore) bucket(ctx context.Context) (jetstream.ObjectStore, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.o != nil {
		return b.o, nil
	}
	js, err := jetstream.New(b.nc)
	if err != nil {
		return nil, err
	}
	o, err := js.ObjectStore(ctx, BucketForward)
	if err != nil {
		return nil, err
	}
	b.o = o
	return o, nil
}

// attach sets msg's data to body, or, when it is too large for one
// message, stores it in the bucket and names the object.
func (b *bodyStore) attach(ctx context.Context, msg *nats.Msg, body []byte) error {
	if len(body) <= inlineLimit(b.nc) {
		msg.Data = body
		return nil
	}
	o, err := b.bucket(ctx)
	if err != nil {
		return err
	}
	name := "body/" + nuid.Next()
	if _, err := o.PutBytes(ctx, name, body); err != nil {
		return err
	}
	msg.Header.Set(hdrObject, name)
	return nil
}

// detach returns msg's body, collecting (and deleting) it from the bucket
// when it was too large for the message.
func (b *bodyStore) detach(ctx context.Context, msg *nats.Msg) ([]byte, error) {
	name := msg.Header.Get(hdrObject)
	if name == "" {
		return msg.Data, nil
	}
	o, err := b.bucket(ctx)
	if err != nil {
		return nil, err
	}
	body, err := o.GetBytes(ctx, name)
	if err != nil {
		return nil, err
	}
	_ = o.Delete(ctx, name)
	return body, nil
}

// writeError answers e in the API's error body and returns the status.
func writeError(w http.ResponseWriter, e *web.Error) int {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status())
	_ = index.WriteJSON(w, struct {
		Error *web.Error `json:"error"`
	}{e})
	return e.Status()
}

// Answerer is the writer's side of forwarding: it answers the requests on
// SubjectWrite with its own HTTP handler, exactly as if they had come to
// its port, so keys, limits, parsing and errors are the writer's.
type Answerer struct {
	nc      *nats.Conn
	handler http.Handler
	pub     *Publisher
	log     *slog.Logger
	sub     *nats.Subscription
	wg      sync.WaitGroup
	bodies  *bodyStore
}

// Answer subscribes the writer's handler to SubjectWrite. All writers
// would share the queue group, but there is one.
func Answer(nc *nats.Conn, handler http.Handler, pub *Publisher, log *slog.Logger) (*Answerer, error) {
	a := &Answerer{nc: nc, handler: handler, pub: pub, log: log, bodies: &bodyStore{nc: nc}}
	sub, err := nc.QueueSubscribe(SubjectWrite, "govsearch-writer", func(m *nats.Msg) {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.answer(m)
		}()
	})
	if err != nil {
		return nil, fmt.Errorf("subscribing to %s: %w", SubjectWrite, err)
	}
	a.sub = sub
	return a, nil
}

// Close stops taking requests and waits for those being answered.
func (a *Answerer) Close() {
	_ = a.sub.Unsubscribe()
	// Once the server has the unsubscription, a replica's next write gets
	// "no responders" at once instead of silence.
	_ = a.nc.FlushTimeout(time.Second)
	a.wg.Wait()
}

func (a *Answerer) answer(m *nats.Msg) {
	ctx, cancel := context.WithTimeout(context.Background(), ForwardTimeout)
	defer cancel()
	go func() {
		tick := time.NewTicker(progressEvery)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				p := nats.NewMsg(m.Reply)
				p.Header.Set(hdrProgress, "1")
				_ = a.nc.PublishMsg(p)
			}
		}
	}()
	rec := httptest.NewRecorder()
	if req, err := a.request(ctx, m); err != nil {
		writeError(rec, &web.Error{Code: errcode.InvalidParameter, Param: "body", Message: "the forwarded write could not be read: " + err.Error()})
	} else {
		a.handler.ServeHTTP(rec, req)
	}
	reply := nats.NewMsg(m.Reply)
	for k, vs := range rec.Header() {
		reply.Header[k] = vs
	}
	reply.Header.Set(hdrStatus, strconv.Itoa(rec.Code))
	if err := a.bodies.attach(ctx, reply, rec.Body.Bytes()); err != nil {
		a.log.Warn("cannot answer a forwarded write", "error", err.Error())
		return
	}
	if err := m.RespondMsg(reply); err != nil {
		a.log.Warn("cannot answer a forwarded write", "error", err.Error())
		return
	}
	a.pub.countForwarded()
}

// request rebuilds the HTTP request a replica forwarded.
func (a *Answerer) request(ctx context.Context, m *nats.Msg) (*http.Request, error) {
	body, err := a.bodies.detach(ctx, m)
	if err != nil {
		return nil, err
	}
	uri := m.Header.Get(hdrURI)
	if !strings.HasPrefix(uri, "/") {
		return nil, fmt.Errorf("bad request URI %q", uri)
	}
	req, err := http.NewRequestWithContext(ctx, m.Header.Get(hdrMethod), uri, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range m.Header {
		if !strings.HasPrefix(k, "Govsearch-") {
			req.Header[k] = vs
		}
	}
	req.RequestURI = uri
	req.Host = m.Header.Get(hdrHost)
	req.RemoteAddr = m.Header.Get(hdrClient)
	return req, nil
}
