package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// hookConn posts updates to the webhook over one kept-alive HTTP/1.1
// connection, as Telegram does: one request at a time, answered before the
// next. It is a minimal client (Content-Length requests; Content-Length or
// chunked answers) so that the load tool spends its CPU on little more than
// the system calls, and the figures measure the bot. Not safe for
// concurrent use: each virtual user has its own.
type hookConn struct {
	addr string // host:port
	head []byte // the request up to the Content-Length value
	conn net.Conn
	r    *bufio.Reader
	req  []byte
	// The last answer's body and its Content-Type: a Bot API method the
	// bot sent back in it (Telegram runs it).
	body        []byte
	contentType string
}

func newHookConn(addr, path, secret string) *hookConn {
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: hocvuso-load\r\n" +
		"Content-Type: application/json\r\nX-Telegram-Bot-Api-Secret-Token: " + secret + "\r\nContent-Length: "
	return &hookConn{addr: addr, head: []byte(head)}
}

// post sends one body and returns the answer's status. A kept-alive
// connection the server closed meanwhile is redialled once.
func (h *hookConn) post(body []byte) (int, error) {
	h.req = append(h.req[:0], h.head...)
	h.req = strconv.AppendInt(h.req, int64(len(body)), 10)
	h.req = append(h.req, "\r\n\r\n"...)
	h.req = append(h.req, body...)
	for attempt := 0; ; attempt++ {
		reused := h.conn != nil
		if !reused {
			c, err := net.DialTimeout("tcp", h.addr, 10*time.Second)
			if err != nil {
				return 0, err
			}
			h.conn = c
			if h.r == nil {
				h.r = bufio.NewReaderSize(c, 4096)
			} else {
				h.r.Reset(c)
			}
		}
		_ = h.conn.SetDeadline(time.Now().Add(60 * time.Second))
		status, keep, err := h.roundTrip()
		if err != nil || !keep {
			h.conn.Close()
			h.conn = nil
		}
		if err != nil && reused && attempt == 0 && errors.Is(err, errStale) {
			continue
		}
		return status, err
	}
}

// errStale is a kept-alive connection that was closed before answering.
var errStale = errors.New("connection closed before an answer")

func (h *hookConn) roundTrip() (status int, keep bool, err error) {
	if _, err := h.conn.Write(h.req); err != nil {
		return 0, false, fmt.Errorf("%w: %v", errStale, err)
	}
	line, err := h.r.ReadSlice('\n')
	if err != nil {
		if len(line) == 0 && (err == io.EOF || errors.Is(err, net.ErrClosed)) {
			return 0, false, errStale
		}
		return 0, false, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	keep = line[7] == '1'
	length, chunked := int64(-1), false
	h.body, h.contentType = h.body[:0], ""
	for {
		line, err = h.r.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("bad header %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return 0, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Content-Type")):
			h.contentType = string(value)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		}
	}
	switch {
	case chunked:
		err = h.readChunked()
	case length > 1<<20:
		return 0, false, fmt.Errorf("answer of %d bytes", length)
	case length >= 0:
		h.body = append(h.body, make([]byte, length)...)
		_, err = io.ReadFull(h.r, h.body)
	default: // the body runs to the end of the connection
		var b bytes.Buffer
		_, err = b.ReadFrom(io.LimitReader(h.r, 1<<20))
		h.body = append(h.body, b.Bytes()...)
		keep = false
	}
	return status, keep, err
}

func (h *hookConn) readChunked() error {
	for {
		line, err := h.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 { // trailers, then a blank line
			for {
				line, err := h.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		if n > 1<<20 || len(h.body)+int(n) > 1<<20 {
			return fmt.Errorf("answer chunk of %d bytes", n)
		}
		start := len(h.body)
		h.body = append(h.body, make([]byte, n)...)
		if _, err := io.ReadFull(h.r, h.body[start:]); err != nil {
			return err
		}
		if _, err := h.r.Discard(2); err != nil {
			return err
		}
	}
}

func (h *hookConn) close() {
	if h.conn != nil {
		h.conn.Close()
		h.conn = nil
	}
}
