package zalo

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"

	"hocvuso/bot"
)

// ErrIgnored is returned for events the bot has no use for: the OA's own
// messages echoed back, delivery and read receipts, reactions, anonymous
// visitors, ZNS and group events. The caller acknowledges them unhandled.
var ErrIgnored = errors.New("zalo: event ignored")

// CallbackPrefix starts the payload of every button the bot sends. A tap on
// an "oa.query.hide" button arrives as an ordinary user_send_text whose text
// is the payload (channel-zalo.md §1), so the prefix is what tells a tap
// from typing: nobody types "#cb:home|menu|3|".
const CallbackPrefix = "#cb:"

// str is a JSON string, or a number kept as its literal text. Zalo sends ids
// and timestamps as strings; ids exceed 2^53, so a number must never pass
// through a float64.
type str string

func (s *str) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = str(v)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("zalo: want a string or a number, got %.20s", b)
	}
	*s = str(n)
	return nil
}

type idField struct {
	ID str `json:"id"`
}

// event is the envelope of every webhook event Zalo posts. Which fields are
// set depends on event_name: user events have sender and recipient,
// follow/unfollow have follower and oa_id.
type event struct {
	AppID       str           `json:"app_id"`
	OAID        str           `json:"oa_id"`
	EventName   string        `json:"event_name"`
	Timestamp   str           `json:"timestamp"`
	Sender      idField       `json:"sender"`
	Recipient   idField       `json:"recipient"`
	Follower    idField       `json:"follower"`
	UserIDByApp str           `json:"user_id_by_app"`
	Source      string        `json:"source"`
	Message     *eventMessage `json:"message"`
}

type eventMessage struct {
	MsgID       str          `json:"msg_id"`
	Text        string       `json:"text"`
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL       string `json:"url"`
		Thumbnail string `json:"thumbnail"`
		Name      string `json:"name"`
		Size      str    `json:"size"`
		Type      string `json:"type"`
	} `json:"payload"`
}

// Decode parses one webhook body and translates it. Malformed JSON, or a
// user event without its user or its timestamp, is an error that will
// never go away: callers acknowledge it rather than retry.
//
//   - user_send_text: typed text (KindText, or KindCommand for "/cmd"), or
//     a tap on one of our buttons (KindCallback) when the text is
//     CallbackPrefix + the button's data;
//   - follow: a /start command, so the user is greeted; unfollow:
//     KindBlocked;
//   - user_send_file, user_send_image: KindFile, File.ID being the URL to
//     fetch it from (Client.DownloadFile); an event with several files
//     (images sent together) has the others in More and is an album
//     (Group, its message id);
//   - any other user_send_* (sticker, location, audio...) and
//     user_submit_info: KindOther, answered politely by the flows;
//   - everything else: ErrIgnored.
//
// Update.ID is message.msg_id, so a redelivered event is recognised; events
// without one (follow) get event:timestamp:user, which Zalo's retries keep.
// Seq is the timestamp in milliseconds.
func Decode(raw []byte) (*bot.Update, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, fmt.Errorf("zalo: decode event: %w", err)
	}
	return translate(&ev)
}

func translate(ev *event) (*bot.Update, error) {
	var kind bot.Kind
	user := string(ev.Sender.ID)
	switch name := ev.EventName; {
	case name == "user_send_text":
		kind = bot.KindText
	case name == "follow", name == "unfollow":
		if ev.Follower.ID != "" {
			user = string(ev.Follower.ID)
		}
		kind = bot.KindCommand
		if name == "unfollow" {
			kind = bot.KindBlocked
		}
	case name == "user_send_file", name == "user_send_image":
		kind = bot.KindFile
	case strings.HasPrefix(name, "user_send_"), name == "user_submit_info":
		kind = bot.KindOther
	default:
		return nil, ErrIgnored
	}
	if user == "" {
		return nil, fmt.Errorf("zalo: %s event without its user", ev.EventName)
	}
	seq, err := strconv.ParseInt(string(ev.Timestamp), 10, 64)
	if err != nil || seq < 0 {
		return nil, fmt.Errorf("zalo: %s event with a bad timestamp %q", ev.EventName, ev.Timestamp)
	}
	u := &bot.Update{
		Channel:  bot.Zalo,
		Seq:      seq,
		ChatID:   user,
		UserID:   user,
		Kind:     kind,
		Received: time.Now(),
	}
	m := ev.Message
	if m == nil {
		m = &eventMessage{}
	}
	u.ID = string(m.MsgID)
	if u.ID == "" {
		u.ID = ev.EventName + ":" + string(ev.Timestamp) + ":" + user
	}
	switch kind {
	case bot.KindText:
		fromText(u, m.Text)
	case bot.KindCommand: // follow
		u.Text, u.Command = "/start", "start"
	case bot.KindFile:
		u.Text = bot.NFC(m.Text)
		files := fileList(ev.EventName, m.Attachments)
		if len(files) == 0 {
			// Nothing we could fetch: answered like any other odd input.
			u.Kind = bot.KindOther
			break
		}
		u.File = files[0]
		if len(files) > 1 {
			u.More, u.Group = files[1:], u.ID
		}
	case bot.KindOther:
		u.Text = bot.NFC(m.Text)
	}
	return u, nil
}

func fromText(u *bot.Update, text string) {
	u.Text = bot.NFC(text)
	switch {
	case strings.HasPrefix(u.Text, CallbackPrefix):
		u.Kind = bot.KindCallback
		u.Data = strings.TrimPrefix(u.Text, CallbackPrefix)
		u.CallbackID = u.ID
	case u.Text == "":
		u.Kind = bot.KindOther
	default:
		if cmd, args, ok := bot.ParseCommand(u.Text); ok {
			u.Kind, u.Command, u.Args = bot.KindCommand, cmd, args
		}
	}
}

// fileList describes the attachments that can be fetched, in their
// order. Zalo may put several images in one event.
func fileList(event string, atts []attachment) []*bot.File {
	var out []*bot.File
	for _, a := range atts {
		p := a.Payload
		if p.URL == "" || (a.Type != "file" && a.Type != "image") {
			continue
		}
		size, _ := strconv.ParseInt(string(p.Size), 10, 64)
		f := &bot.File{ID: p.URL, Name: bot.NFC(p.Name), Size: max(size, 0)}
		// payload.type is an extension ("pdf") in the samples seen; a media
		// type is taken as it is.
		if mt, _, err := mime.ParseMediaType(p.Type); err == nil && strings.Contains(mt, "/") {
			f.MIME = mt
		}
		for _, ext := range []string{"." + p.Type, path.Ext(p.Name), urlExt(p.URL)} {
			if f.MIME == "" {
				f.MIME = typeOf(ext)
			}
		}
		if (a.Type == "image" || event == "user_send_image") && !strings.HasPrefix(f.MIME, "image/") {
			// Zalo serves the photos users send as JPEG.
			f.MIME = "image/jpeg"
		}
		out = append(out, f)
	}
	return out
}

// urlExt is the extension of a URL's path, without its query.
func urlExt(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	return path.Ext(u)
}

// types are the files users send most, known here so that the result does
// not depend on the machine's mime.types.
var types = map[string]string{
	".pdf":  "application/pdf",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt":  "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".csv":  "text/csv",
	".txt":  "text/plain",
	".zip":  "application/zip",
	".rar":  "application/vnd.rar",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".gif":  "image/gif",
	".webp": "image/webp",
	".heic": "image/heic",
	".mp4":  "video/mp4",
}

// typeOf is the media type of a file extension, or "".
func typeOf(ext string) string {
	ext = strings.ToLower(ext)
	if t, ok := types[ext]; ok {
		return t
	}
	if ext == "" || ext == "." {
		return ""
	}
	t := mime.TypeByExtension(ext)
	if mt, _, err := mime.ParseMediaType(t); err == nil {
		return mt
	}
	return ""
}
