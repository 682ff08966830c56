// Package console is a channel in the terminal: one local user chats with
// the bot through standard input and output. Buttons are shown numbered;
// typing the number or the label taps the button (only the label where the
// screen asks for a typed number, bot.Reply.Number). "/file PATH" sends a
// file of this computer.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"hocvuso/bot"
)

// Console is both the inbound reader and the bot.Sender of the channel.
type Console struct {
	in       io.Reader
	out      io.Writer
	user     string
	lang     string
	mu       sync.Mutex
	buttons  []bot.Button // the last buttons shown, numbered from 1
	number   bool         // their screen asks for a typed number: digits are text
	lastID   string       // the message that carried them
	messages int
	seq      int64
	dir      string // where documents are saved; "" saves none
	// text writes what the console says itself (why a /file is not sent),
	// in talk: the conversation's language, as its last reply gave it.
	text bot.Translator
	talk string
}

// New returns a console for the local user name, whose language tag is lang.
func New(in io.Reader, out io.Writer, user, lang string) *Console {
	// Update ids must not repeat across runs: the engine remembers them a day.
	return &Console{in: in, out: out, user: user, lang: lang, seq: time.Now().UnixNano()}
}

// SaveIn has every document the bot sends (an export's workbook, a
// certificate) saved in dir, its path printed: the terminal cannot show a
// file, and a document only named would be lost to the user.
func (c *Console) SaveIn(dir string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dir = dir
}

// SetText has what the console says itself (why a "/file PATH" is not
// sent) written from tr, in lang until a reply of the conversation gives
// its language (bot.Target.Lang), which /language changes. Without it, the
// console says it in English.
func (c *Console) SetText(tr bot.Translator, lang string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.text, c.talk = tr, lang
}

// Run reads lines until EOF, "/quit" or ctx ends, handing each to handle.
func (c *Console) Run(ctx context.Context, handle func(context.Context, *bot.Update) error) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	// stop ends the reader when Run returns (at /quit), so it is not left
	// blocked on handing over a line nobody will take.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 64*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			case <-stop:
				return
			}
		}
		errc <- sc.Err()
	}()
	for {
		c.prompt()
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case line := <-lines:
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			if line == "/quit" || line == "/exit" {
				return nil
			}
			var u *bot.Update
			if cmd, path, ok := bot.ParseCommand(line); ok && cmd == "file" {
				// A file to send, as a chat app attaches one.
				var err error
				if u, err = c.File(path); err != nil {
					fmt.Fprintf(c.out, "! %s\n", c.fileError(err))
					continue
				}
			} else {
				u = c.Translate(line)
			}
			if err := handle(ctx, u); err != nil {
				fmt.Fprintf(c.out, "! %v\n", err)
			}
		}
	}
}

func (c *Console) prompt() { fmt.Fprint(c.out, "> ") }

// errNoPath is File's error for "/file" without a path.
var errNoPath = errors.New("/file PATH: the path of the file to send is missing")

// notFile is File's error for a path that names no regular file.
type notFile string

func (p notFile) Error() string { return string(p) + " is not a file" }

// fileError is what the console says of File's error: in the
// conversation's language when it has a catalogue (SetText), for the
// reasons it knows (no path, no such file, not a file); else, and for the
// system's other errors (a file it may not read), the error itself.
func (c *Console) fileError(err error) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.text == nil {
		return err.Error()
	}
	var pe *fs.PathError
	var nf notFile
	switch {
	case errors.Is(err, errNoPath):
		return c.text.Text(c.talk, "console.file.path", nil)
	case errors.As(err, &nf):
		return c.text.Text(c.talk, "console.file.notfile", map[string]any{"Path": string(nf)})
	case errors.Is(err, fs.ErrNotExist) && errors.As(err, &pe):
		return c.text.Text(c.talk, "console.file.none", map[string]any{"Path": pe.Path})
	}
	return err.Error()
}

// File turns "/file PATH" into the update of a file sent: its ID is the
// file's absolute path, which ReadFile reads when the bot takes it (a
// report's file question). A path that is not a readable regular file is
// an error, printed, and nothing is sent.
func (c *Console) File(path string) (*bot.Update, error) {
	path = strings.Trim(strings.TrimSpace(path), `"'`)
	if path == "" {
		return nil, errNoPath
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notFile(abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	_ = f.Close()
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.update(bot.KindFile, "")
	typ, _, _ := strings.Cut(mime.TypeByExtension(strings.ToLower(filepath.Ext(abs))), ";")
	u.File = &bot.File{ID: abs, Name: filepath.Base(abs), MIME: typ, Size: st.Size()}
	return u, nil
}

// ErrFileTooLarge is ReadFile's error for a file over the limit.
var ErrFileTooLarge = errors.New("console: the file is larger than the limit")

// ReadFile reads a file sent with /file (File's ID, its path), up to
// limit bytes: a longer file is ErrFileTooLarge.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrFileTooLarge, path, limit)
	}
	return data, nil
}

// Translate turns a typed line into an update: a tap when it names one of
// the buttons on screen, else a command or text.
func (c *Console) Translate(line string) *bot.Update {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.update(bot.KindText, bot.NFC(line))
	if b, ok := c.match(u.Text); ok {
		u.Kind, u.Data, u.CallbackID, u.MessageID = bot.KindCallback, b.Data, u.ID, c.lastID
		return u
	}
	if cmd, args, ok := bot.ParseCommand(u.Text); ok {
		u.Kind, u.Command, u.Args = bot.KindCommand, cmd, args
	}
	return u
}

// update is a new update of the local user, with the next id; c.mu is held.
func (c *Console) update(kind bot.Kind, text string) *bot.Update {
	c.seq++
	return &bot.Update{
		Channel: bot.Console, ID: strconv.FormatInt(c.seq, 10), Seq: c.seq,
		ChatID: c.user, UserID: c.user, DisplayName: c.user, LanguageCode: c.lang,
		Text: text, Kind: kind, Received: time.Now(),
	}
}

func (c *Console) match(text string) (bot.Button, bool) {
	if n, err := strconv.Atoi(text); err == nil && n >= 1 && n <= len(c.buttons) && !c.number {
		return c.buttons[n-1], true
	}
	want := label(text)
	if want == "" {
		return bot.Button{}, false
	}
	for _, b := range c.buttons {
		if label(b.Label) == want {
			return b, true
		}
	}
	// Most of a label, from its start, also taps it ("kiem tra nhanh" for
	// "⚡ Kiểm tra nhanh (10 câu)"), when one button alone fits: a short
	// piece of text stays text, for the flows that ask for typing.
	var found []bot.Button
	for _, b := range c.buttons {
		l := label(b.Label)
		if strings.HasPrefix(l, want+" ") && len(want)*5 >= len(l)*3 {
			found = append(found, b)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return bot.Button{}, false
}

// label keeps only letters, digits and single spaces of a folded text, so
// "🌐 Ngôn ngữ / Language" matches "ngon ngu language".
func label(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) {
			return r
		}
		return ' '
	}, bot.Fold(s))
	return strings.Join(strings.Fields(s), " ")
}

// Send implements bot.Sender.
func (c *Console) Send(_ context.Context, t bot.Target, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.UpdateID != "" && t.ChatID == c.user { // a reply of the conversation, in its language
		c.talk = bot.LangFromTag(t.Lang)
	}
	c.messages++
	var b strings.Builder
	b.WriteString("\n")
	if r.Text != "" {
		b.WriteString(r.Text)
		b.WriteString("\n")
	}
	if d := r.Document; d != nil {
		fmt.Fprintf(&b, "📎 %s (%d B)\n", c.save(d), len(d.Bytes))
		if d.Caption != "" {
			b.WriteString(d.Caption)
			b.WriteString("\n")
		}
	}
	if len(r.Buttons) > 0 {
		c.buttons = c.buttons[:0]
		c.lastID = strconv.Itoa(c.messages)
		c.number = r.Number
		for _, row := range r.Buttons {
			for _, btn := range row {
				c.buttons = append(c.buttons, btn)
				if c.number {
					// A typed number is the answer: these are tapped by label.
					fmt.Fprintf(&b, "  [%s]\n", btn.Label)
					continue
				}
				fmt.Fprintf(&b, "  [%d] %s\n", len(c.buttons), btn.Label)
			}
		}
	}
	_, err := io.WriteString(c.out, b.String())
	return err
}

// save writes d in the console's directory, beside any file already there
// ("name-2.xlsx" when "name.xlsx" exists), and returns its path; without a
// directory, or when it cannot be written, d's name followed by why.
func (c *Console) save(d *bot.Document) string {
	name := filepath.Base(filepath.Clean("/" + d.Name))
	if name == "/" || name == "." {
		name = "file"
	}
	if c.dir == "" {
		return name
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; i < 100; i++ {
		path := filepath.Join(c.dir, name)
		if i > 1 {
			path = filepath.Join(c.dir, fmt.Sprintf("%s-%d%s", stem, i, ext))
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err == nil {
			_, err = f.Write(d.Bytes)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				_ = os.Remove(path) // no half a file
			}
		}
		if err != nil {
			return fmt.Sprintf("%s: %v", name, err)
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return path
	}
	return fmt.Sprintf("%s: %s", name, fs.ErrExist)
}

// Answer implements bot.Sender: the notice of a tapped button is printed.
func (c *Console) Answer(_ context.Context, _ *bot.Update, notice string) error {
	if notice == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.out, "(%s)\n", notice)
	return err
}
