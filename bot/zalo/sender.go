package zalo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"hocvuso/bot"
)

// Limits of the OA API (channel-zalo.md §3).
const (
	// maxText is the longest text message, counted here in UTF-16 units,
	// which are never fewer than Zalo's characters (whether it counts
	// code points or UTF-16 units is not documented). Longer text is
	// refused (-210), not cut, so it is split.
	maxText = 2000
	// maxButtons is the most buttons one message carries.
	maxButtons = 5
	// maxTitle is the longest button title, in characters.
	maxTitle = 100
	// maxFile and maxImage bound uploads: files (upload/file) and images
	// (upload/image).
	maxFile  = 5 << 20
	maxImage = 1 << 20
)

// ErrFileTooLarge is returned for a document over Zalo's 5 MB upload limit
// (wrapped with bot.ErrDocumentRefused), and by DownloadFile for files over
// the caller's limit.
var ErrFileTooLarge = errors.New("zalo: file too large")

// ErrFileType is returned, wrapped with bot.ErrDocumentRefused, for a
// document of a type Zalo does not take as a file (an XLSX workbook).
var ErrFileType = errors.New("zalo: Zalo does not send this type of file")

var (
	_ bot.Sender          = (*Client)(nil)
	_ bot.DocumentChecker = (*Client)(nil)
)

// Types of document Zalo carries: images through upload/image (up to
// 1 MB), PDF, DOC and DOCX through upload/file (up to 5 MB; the types
// channel-zalo.md and the OA's upload page name).
var (
	imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true}
	fileTypes  = map[string]bool{
		"application/pdf":    true,
		"application/msword": true,
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	}
	// byExtension types a document that comes without a MIME type.
	byExtension = map[string]string{
		".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
		".pdf": "application/pdf", ".doc": "application/msword",
		".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	}
)

// documentKind says how Zalo can carry d: as an "image" (upload/image, a
// media message) or a "file" (upload/file, a file message), with the MIME
// type to upload it with; or an error saying why it cannot.
func documentKind(d *bot.Document) (kind, mimeType string, err error) {
	mimeType = strings.ToLower(strings.TrimSpace(d.MIME))
	if i := strings.IndexByte(mimeType, ';'); i >= 0 {
		mimeType = strings.TrimSpace(mimeType[:i])
	}
	if mimeType == "" || mimeType == "application/octet-stream" {
		mimeType = byExtension[strings.ToLower(path.Ext(d.Name))]
	}
	switch {
	case imageTypes[mimeType] && len(d.Bytes) <= maxImage:
		return "image", mimeType, nil
	case !fileTypes[mimeType]:
		return "", "", fmt.Errorf("%w: %q (%s)", ErrFileType, d.Name, cmp.Or(d.MIME, "no type"))
	case len(d.Bytes) > maxFile:
		return "", "", fmt.Errorf("%w: %q has %d bytes, Zalo takes %d", ErrFileTooLarge, d.Name, len(d.Bytes), maxFile)
	}
	return "file", mimeType, nil
}

// CanSendDocument reports whether Zalo carries d: JPEG, PNG and GIF
// images up to 1 MB, and PDF, DOC and DOCX files up to 5 MB; nothing else
// (no XLSX, no larger file).
func CanSendDocument(d *bot.Document) bool {
	_, _, err := documentKind(d)
	return err == nil
}

// CanSendDocument implements bot.DocumentChecker (the package's
// CanSendDocument).
func (c *Client) CanSendDocument(d *bot.Document) bool { return CanSendDocument(d) }

type recipient struct {
	UserID string `json:"user_id"`
}

type button struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Payload string `json:"payload"`
}

type attachmentOut struct {
	Type    string `json:"type"`
	Payload any    `json:"payload"`
}

type messageOut struct {
	Text       string         `json:"text,omitempty"`
	Attachment *attachmentOut `json:"attachment,omitempty"`
}

type sendRequest struct {
	Recipient recipient  `json:"recipient"`
	Message   messageOut `json:"message"`
}

// Send delivers a reply as consultation messages (POST /v3.0/oa/message/cs):
// its text, split into messages of at most 2,000 characters on word
// boundaries, then its document (uploaded first), then the document's
// caption. Zalo cannot edit a sent message: Reply.Edit gets a new one.
//
// Buttons (up to 5) go on the last text message as "oa.query.hide"
// buttons whose payload is CallbackPrefix + the button's data: a tap comes
// back as text the user does not see, and Decode makes it a KindCallback.
// More than 5 options become a numbered list at the end of the text, with
// an instruction (message "zalo.choose" in t.Lang) to type the number; the
// list is remembered (Choices) before the message leaves. The flows say
// how long: the list stands while the conversation stays on its screen
// (t.Screen), as its buttons would, so a hint typed text gets ("choose ✏️
// above") leaves it to choose from; a reply on another screen forgets it,
// so a number typed there is text (an answer), never an old item. The
// lists of one update's replies (t.UpdateID: a review sent in parts) are
// numbered on from one another, as one list. Messages outside the
// conversation (no t.UpdateID: notices) leave the list alone.
//
// A reply split into parts is not atomic: when a later part fails, the
// engine's retry sends the earlier parts again.
//
// Errors wrapping bot.ErrBlocked mean the user cannot be reached any more
// (-213 not following, -227 banned or inactive); ErrWindowClosed means no
// interaction in 7 days (-230, -232); ErrNight, not at night (-234). A
// document Zalo cannot carry (CanSendDocument) is refused before anything
// is sent, with an error wrapping bot.ErrDocumentRefused and ErrFileType
// or ErrFileTooLarge.
func (c *Client) Send(ctx context.Context, t bot.Target, r bot.Reply) error {
	if t.ChatID == "" {
		return errors.New("zalo: reply without a user id")
	}
	if r.Document != nil {
		if _, _, err := documentKind(r.Document); err != nil {
			return fmt.Errorf("%w: %w", bot.ErrDocumentRefused, err)
		}
	}
	text := bot.NFC(r.Text)
	var all []bot.Button
	for _, row := range r.Buttons {
		all = append(all, row...)
	}
	var buttons []button
	var data []string
	if len(all) > maxButtons {
		for _, b := range all {
			data = append(data, b.Data)
		}
	} else {
		for _, b := range all {
			buttons = append(buttons, button{Title: title(b.Label), Type: "oa.query.hide", Payload: CallbackPrefix + b.Data})
		}
	}
	// Before the message leaves: the user can answer only once it shows.
	first, last, err := c.remember(ctx, t, data)
	if err != nil {
		return fmt.Errorf("zalo: remember the numbered list: %w", err)
	}
	texts := split(text, maxText)
	if len(data) > 0 {
		// The list, with its instruction, is never cut: at the end of
		// the last part when it fits, else a message of its own.
		list := c.numbered(all, t.Lang, first, last)
		if n := len(texts); n > 0 && utf16Len(texts[n-1])+len("\n\n")+utf16Len(list) <= maxText {
			texts[n-1] += "\n\n" + list
		} else {
			texts = append(texts, split(list, maxText)...)
		}
	}

	type part struct {
		text string
		doc  bool
	}
	var parts []part
	for _, p := range texts {
		parts = append(parts, part{text: p})
	}
	if r.Document != nil {
		parts = append(parts, part{doc: true})
		for _, p := range split(bot.NFC(r.Document.Caption), maxText) {
			parts = append(parts, part{text: p})
		}
	}
	// The buttons go on the last text; a reply of buttons alone gets a
	// text to carry them, which Zalo requires.
	withButtons := -1
	if len(buttons) > 0 {
		for i := len(parts) - 1; i >= 0 && withButtons < 0; i-- {
			if !parts[i].doc {
				withButtons = i
			}
		}
		if withButtons < 0 {
			label := "…"
			if r.Document != nil && r.Document.Name != "" {
				label = bot.NFC(r.Document.Name)
			}
			parts = append(parts, part{text: label})
			withButtons = len(parts) - 1
		}
	}
	if len(parts) == 0 {
		c.log.Warn("zalo: empty reply not sent", "user", t.ChatID)
		return nil
	}
	for i, p := range parts {
		var err error
		if p.doc {
			err = c.sendDocument(ctx, t.ChatID, r.Document)
		} else {
			var bs []button
			if i == withButtons {
				bs = buttons
			}
			err = c.sendText(ctx, t.ChatID, p.text, bs)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Answer shows the notice of a tapped button. Zalo has no acknowledgement
// of taps to send, so an empty notice needs nothing; a notice (such as
// "this button is old") is sent as a message, or the user would never see
// it.
func (c *Client) Answer(ctx context.Context, u *bot.Update, notice string) error {
	if u == nil || u.Kind != bot.KindCallback || strings.TrimSpace(notice) == "" {
		return nil
	}
	return c.sendText(ctx, u.ChatID, bot.NFC(notice), nil)
}

// remember records what a reply does to the chat's numbered list, before
// it is sent (Send says when a list stands), and returns the numbers of the
// reply's own items, data, when it has any: first to last, last being also
// the highest number on show.
func (c *Client) remember(ctx context.Context, t bot.Target, data []string) (first, last int, err error) {
	first, last = 1, len(data)
	inConversation := t.UpdateID != ""
	if c.choices == nil || (!inConversation && len(data) == 0) {
		return first, last, nil
	}
	chat := bot.ChatKey{Channel: bot.Zalo, ChatID: t.ChatID}
	var cur List
	if inConversation {
		if cur, err = c.choices.Choices(ctx, chat); err != nil {
			return 0, 0, err
		}
	}
	switch {
	case len(data) == 0:
		if len(cur.Data) == 0 || cur.Screen == t.Screen {
			return first, last, nil
		}
		return first, last, c.choices.PutChoices(ctx, chat, List{})
	case inConversation && cur.UpdateID == t.UpdateID && len(cur.Data) > 0:
		// Another part of the same replies: numbered on. Sent again (a
		// retry), a part keeps the numbers it had.
		if i := indexRun(cur.Data, data); i >= 0 {
			return i + 1, len(cur.Data), nil
		}
		first = len(cur.Data) + 1
		cur.Data = append(cur.Data, data...)
		return first, len(cur.Data), c.choices.PutChoices(ctx, chat, cur)
	}
	return first, last, c.choices.PutChoices(ctx, chat, List{Data: data, Screen: t.Screen, UpdateID: t.UpdateID})
}

// indexRun is where run starts in list, or -1.
func indexRun(list, run []string) int {
	for i := 0; i+len(run) <= len(list); i++ {
		if slices.Equal(list[i:i+len(run)], run) {
			return i
		}
	}
	return -1
}

// numbered writes the options as a list numbered from first, and the
// instruction to type a number up to last. A label numbered already (the
// periods of /report: "1. Kế hoạch năm 2025") is shown with the list's
// number only, never "1. 1. Kế hoạch…" (nor "4. 1. …" numbered on).
func (c *Client) numbered(options []bot.Button, lang string, first, last int) string {
	var b strings.Builder
	for i, o := range options {
		fmt.Fprintf(&b, "%d. %s\n", first+i, unnumbered(bot.NFC(strings.TrimSpace(o.Label))))
	}
	if c.text != nil {
		if lang == "" {
			lang = "vi"
		}
		b.WriteString("\n")
		b.WriteString(c.text.Text(lang, "zalo.choose", map[string]any{"Max": last}))
	}
	return strings.TrimRightFunc(b.String(), unicode.IsSpace)
}

// unnumbered is label without a number of its own in front ("12. "), when
// something follows it.
func unnumbered(label string) string {
	i := strings.IndexFunc(label, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 || !strings.HasPrefix(label[i:], ". ") {
		return label
	}
	if rest := strings.TrimSpace(label[i+2:]); rest != "" {
		return rest
	}
	return label
}

// title fits a button's label in Zalo's 100 characters.
func title(label string) string {
	label = bot.NFC(strings.TrimSpace(label))
	if utf8.RuneCountInString(label) <= maxTitle {
		return label
	}
	return string([]rune(label)[:maxTitle-1]) + "…"
}

func (c *Client) sendText(ctx context.Context, user, text string, buttons []button) error {
	m := messageOut{Text: text}
	if len(buttons) > 0 {
		m.Attachment = &attachmentOut{Type: "template", Payload: map[string]any{"buttons": buttons}}
	}
	return c.send(ctx, user, m)
}

func (c *Client) send(ctx context.Context, user string, m messageOut) error {
	body, err := json.Marshal(sendRequest{Recipient: recipient{UserID: user}, Message: m})
	if err != nil {
		return err
	}
	return c.call(ctx, request{method: "message/cs", path: "/v3.0/oa/message/cs", body: body, contentType: "application/json"}, nil)
}

// sendDocument uploads a document and sends it: an image through
// upload/image as a media message, a PDF, DOC or DOCX through upload/file as
// a file message (documentKind).
func (c *Client) sendDocument(ctx context.Context, user string, d *bot.Document) error {
	kind, mimeType, err := documentKind(d)
	if err != nil {
		return fmt.Errorf("%w: %w", bot.ErrDocumentRefused, err)
	}
	name := d.Name
	if name == "" {
		name = "file"
	}
	if kind == "image" {
		var up struct {
			AttachmentID string `json:"attachment_id"`
		}
		if err := c.upload(ctx, "upload/image", name, mimeType, d.Bytes, &up); err != nil {
			return err
		}
		return c.send(ctx, user, messageOut{Attachment: &attachmentOut{Type: "template", Payload: map[string]any{
			"template_type": "media",
			"elements":      []map[string]string{{"media_type": "image", "attachment_id": up.AttachmentID}},
		}}})
	}
	var up struct {
		Token string `json:"token"`
	}
	if err := c.upload(ctx, "upload/file", name, mimeType, d.Bytes, &up); err != nil {
		return err
	}
	return c.send(ctx, user, messageOut{Attachment: &attachmentOut{Type: "file", Payload: map[string]string{"token": up.Token}}})
}

// upload posts a file as multipart field "file" to /v2.0/oa/<method>.
func (c *Client) upload(ctx context.Context, method, name, mimeType string, data []byte, out any) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := part.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.call(ctx, request{method: method, path: "/v2.0/oa/" + method, body: buf.Bytes(), contentType: w.FormDataContentType()}, out)
}

// DownloadFile fetches a file a user sent (bot.File.ID is its URL on
// Zalo's servers), refusing files over limit bytes with ErrFileTooLarge.
func (c *Client) DownloadFile(ctx context.Context, fileURL string, limit int64) ([]byte, error) {
	if !strings.HasPrefix(fileURL, "https://") && !strings.HasPrefix(fileURL, "http://") {
		return nil, fmt.Errorf("zalo: not a file URL: %q", fileURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fileURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		observe("download", "error")
		return nil, fmt.Errorf("zalo: download: %w", err)
	}
	defer resp.Body.Close()
	observe("download", strconv.Itoa(resp.StatusCode))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("zalo: download: HTTP %s", resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %d bytes", ErrFileTooLarge, resp.ContentLength)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("zalo: download: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrFileTooLarge, limit)
	}
	return data, nil
}

// utf16Len counts a text in UTF-16 code units, as Zalo's limit does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16Units(r)
	}
	return n
}

// utf16Units counts a rune in UTF-16 code units.
func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// split cuts text into messages of at most limit UTF-16 units, between
// paragraphs (a blank line: a question and its answer stay together),
// else at a line break, else a space, in the second half of each window,
// so that parts are neither cut mid-word nor tiny; a word longer than a
// whole message is cut. Parts are trimmed of surrounding white space;
// blank parts are dropped.
func split(text string, limit int) []string {
	var parts []string
	for {
		text = strings.TrimSpace(text)
		if text == "" {
			return parts
		}
		// end is the window's length in bytes, half the byte offset of its
		// middle (in units, as the limit counts).
		end, units, half := 0, 0, 0
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if units+utf16Units(r) > limit && end > 0 {
				break
			}
			units += utf16Units(r)
			end += size
			if units <= limit/2 {
				half = end
			}
		}
		if end == len(text) {
			return append(parts, text)
		}
		cut := end
		window := text[:end]
		if i := strings.LastIndex(window, "\n\n"); i >= half && i > 0 {
			cut = i
		} else if i := strings.LastIndexByte(window, '\n'); i >= half && i > 0 {
			cut = i
		} else if r, _ := utf8.DecodeRuneInString(text[end:]); !unicode.IsSpace(r) {
			// Unless the window ends with a whole word, back to a space.
			if i := strings.LastIndexFunc(window, unicode.IsSpace); i >= half && i > 0 {
				cut = i
			}
		}
		parts = append(parts, strings.TrimSpace(text[:cut]))
		text = text[cut:]
	}
}
