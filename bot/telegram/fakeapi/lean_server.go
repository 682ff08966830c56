package fakeapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
)

// ServeLean serves the server on ln with a minimal HTTP/1.1 server, for
// load runs: net/http's server costs more CPU per call (a goroutine per
// request to watch the connection, header maps, a response writer) than the
// fake's lean answers themselves. Calls the lean fast path takes
// (sendMessage, editMessageText, answerCallbackQuery with a form body) are
// answered on the connection's goroutine; every other request is handed to
// ServeHTTP, so every answer is the one ServeHTTP gives. It returns when ln
// is closed; Close also closes the connections it serves.
//
// It understands what Go's HTTP client sends: one request at a time per
// connection, a Content-Length or chunked body, Expect: 100-continue.
func (s *Server) ServeLean(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		s.mu.Lock()
		if s.leanConns == nil {
			s.leanConns = make(map[net.Conn]struct{})
		}
		s.leanConns[c] = struct{}{}
		s.mu.Unlock()
		go s.serveLeanConn(c)
	}
}

// closeLeanConns closes the connections ServeLean serves.
func (s *Server) closeLeanConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.leanConns {
		c.Close()
	}
	s.leanConns = nil
}

// leanRequest is one request as read from the connection.
type leanRequest struct {
	method, target, proto string
	header                http.Header // only for requests the fast path does not take
	contentType           string
	length                int64 // -1 when chunked
	expectContinue, close bool
	body                  []byte
}

func (s *Server) serveLeanConn(c net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.leanConns, c)
		s.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReaderSize(c, 8<<10)
	var req leanRequest
	var out []byte
	for {
		if err := s.readLeanRequest(br, c, &req); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
			}
			return
		}
		out = s.answerLean(out[:0], &req, c)
		if _, err := c.Write(out); err != nil || req.close {
			return
		}
		if cap(out) > 64<<10 {
			out = nil // a download: do not keep its buffer
		}
	}
}

// readLeanRequest reads the next request into req, reusing its body buffer.
func (s *Server) readLeanRequest(br *bufio.Reader, c net.Conn, req *leanRequest) error {
	line, err := readLine(br)
	if err != nil {
		return err
	}
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || (proto != "HTTP/1.1" && proto != "HTTP/1.0") || target == "" {
		return fmt.Errorf("bad request line %q", line)
	}
	body := req.body[:0]
	*req = leanRequest{method: method, target: target, proto: proto, close: proto == "HTTP/1.0", body: body}
	fast := s.leanTarget(method, target)
	chunked := false
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("bad header line %q", line)
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Length"):
			if req.length, err = strconv.ParseInt(value, 10, 64); err != nil || req.length < 0 || req.length > maxUpload {
				return fmt.Errorf("bad Content-Length %q", value)
			}
		case strings.EqualFold(name, "Content-Type"):
			req.contentType = value
		case strings.EqualFold(name, "Transfer-Encoding"):
			chunked = strings.EqualFold(value, "chunked")
		case strings.EqualFold(name, "Connection"):
			switch {
			case strings.EqualFold(value, "close"):
				req.close = true
			case strings.EqualFold(value, "keep-alive"):
				req.close = false
			}
		case strings.EqualFold(name, "Expect"):
			req.expectContinue = strings.EqualFold(value, "100-continue")
		}
		if !fast {
			if req.header == nil {
				req.header = make(http.Header)
			}
			req.header.Add(name, value)
		}
	}
	if req.expectContinue {
		if _, err := c.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n")); err != nil {
			return err
		}
	}
	if chunked {
		req.length = -1
		req.body, err = readChunked(br, body)
		return err
	}
	if int64(cap(body)) < req.length {
		body = make([]byte, req.length)
	}
	req.body = body[:req.length]
	_, err = io.ReadFull(br, req.body)
	return err
}

// leanTarget reports whether a request line may take the fast path.
func (s *Server) leanTarget(method, target string) bool {
	if method != http.MethodPost || !strings.HasPrefix(target, "/bot") {
		return false
	}
	token, name, ok := strings.Cut(target[len("/bot"):], "/")
	return ok && token == s.token && leanMethodOf(name) != 0
}

func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", errors.New("header line too long")
		}
		if len(line) == 0 {
			return "", err
		}
		return "", io.ErrUnexpectedEOF
	}
	return string(bytes.TrimRight(line, "\r\n")), nil
}

func readChunked(br *bufio.Reader, body []byte) ([]byte, error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return body, err
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 || int64(len(body))+n > maxUpload {
			return body, fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, then a blank line
				line, err := readLine(br)
				if err != nil || line == "" {
					return body, err
				}
			}
		}
		start := len(body)
		body = append(body, make([]byte, n)...)
		if _, err := io.ReadFull(br, body[start:]); err != nil {
			return body, err
		}
		if crlf, err := readLine(br); err != nil || crlf != "" {
			return body, errors.New("bad chunk end")
		}
	}
}

// answerLean appends the whole HTTP response to a request to out.
func (s *Server) answerLean(out []byte, req *leanRequest, c net.Conn) []byte {
	if req.header == nil && s.nfaults.Load() == 0 && req.length >= 0 &&
		req.contentType == "application/x-www-form-urlencoded" {
		_, name, _ := strings.Cut(req.target[len("/bot"):], "/")
		head := len(out)
		out = append(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0000000\r\n\r\n"...)
		body := len(out)
		var aerr *apiError
		var ok bool
		out, aerr, ok = s.leanCall(leanMethodOf(name), req.body, out)
		if ok {
			if aerr != nil {
				out = append(out[:head], statusLine(aerr.code)...)
				out = append(out, "Content-Type: application/json\r\nContent-Length: 0000000\r\n\r\n"...)
				body = len(out)
				out = append(out, errorJSON(aerr.code, aerr.desc, aerr.retryAfter)...)
			}
			return setLength(out, body)
		}
		out = out[:head]
	}
	return s.answerGeneral(out, req, c)
}

// answerGeneral hands a request to ServeHTTP and appends its response.
func (s *Server) answerGeneral(out []byte, req *leanRequest, c net.Conn) []byte {
	u, err := url.ParseRequestURI(req.target)
	if err != nil {
		out = append(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"...)
		req.close = true
		return out
	}
	header := req.header
	if header == nil {
		header = http.Header{"Content-Type": {req.contentType}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-s.closed:
			cancel()
		case <-ctx.Done():
		}
	}()
	r := (&http.Request{
		Method: req.method, URL: u, RequestURI: req.target, Proto: req.proto, ProtoMajor: 1, ProtoMinor: 1,
		Header: header, Host: header.Get("Host"), RemoteAddr: c.RemoteAddr().String(),
		Body: io.NopCloser(bytes.NewReader(req.body)), ContentLength: int64(len(req.body)),
	}).WithContext(ctx)
	if req.proto == "HTTP/1.0" {
		r.ProtoMinor = 0
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	res := rec.Result()
	out = append(out, statusLine(res.StatusCode)...)
	for name, values := range res.Header {
		if name == "Content-Length" || name == "Transfer-Encoding" || name == "Connection" {
			continue
		}
		for _, v := range values {
			out = append(out, name...)
			out = append(out, ": "...)
			out = append(out, v...)
			out = append(out, "\r\n"...)
		}
	}
	if req.close {
		out = append(out, "Connection: close\r\n"...)
	}
	out = append(out, "Content-Length: "...)
	out = strconv.AppendInt(out, int64(rec.Body.Len()), 10)
	out = append(out, "\r\n\r\n"...)
	return append(out, rec.Body.Bytes()...)
}

func statusLine(code int) string {
	return "HTTP/1.1 " + strconv.Itoa(code) + " " + http.StatusText(code) + "\r\n"
}

// setLength writes the length of the body that starts at out[body:] into
// the seven-digit Content-Length placeholder just before it, zero-padded
// (1*DIGIT: leading zeros are valid).
func setLength(out []byte, body int) []byte {
	n := len(out) - body
	field := out[body-4-7 : body-4] // "0000000" before "\r\n\r\n"
	for i := len(field) - 1; i >= 0; i-- {
		field[i] = byte('0' + n%10)
		n /= 10
	}
	return out
}

// errorJSON is the body writeError writes.
func errorJSON(code int, desc string, retryAfter int) []byte {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	return append(b, '\n')
}
