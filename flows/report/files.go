package report

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// sniffLen is how many first bytes tell a file's kind (config.ContentMatches).
const sniffLen = 16

// fileAnswer takes the files of a message sent while a file field is
// asked (a Zalo event may carry several): each one's kind and declared
// size are checked before it is downloaded, through the channel it came
// from; then its first bytes; it is stored once by its SHA-256 and the
// draft's answer names it, all in one answer.
//
// A file replaces the one saved on a field that takes one, and the files
// saved when the user chose to send them again (st.Again); else it is
// added. more is set for a later message of an album whose first went to
// this field: it adds to what the album gave. What the field has no room
// for is not downloaded: an album is told so once, with how to change the
// files (albumFull), a file sent alone as a refused answer.
func (f *Flow) fileAnswer(c *bot.Conversation, st *state, files []*bot.File, more bool) error {
	fm, fl, err := f.field(c, st)
	if err != nil {
		return err
	}
	album := c.Update.Group != ""
	if fl.Type != config.TypeFile || len(files) == 0 {
		if more {
			// Said to the album's first file already.
			return save(c, stepAsk, st)
		}
		st.AlbumTold = album
		if fl.Type == config.TypeChoice || fl.Type == config.TypeYesNo {
			c.Say("report.file.not_here.choice")
		} else {
			c.Say("report.file.not_here")
		}
		return f.reask(c, st)
	}
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	if !ok {
		return f.open(c, st.Unit, st.Period)
	}
	cur, answered := values(d)[fl.Key]
	replace := !more && (fl.FileLimit() == 1 || st.Again == fl.Key)
	v := cur
	if replace || v.Type != config.TypeFile || v.Skipped {
		v = config.Value{Type: config.TypeFile}
	}
	added, full, refused := 0, 0, false
	for _, file := range files {
		if len(v.Files) >= fl.FileLimit() {
			full++
			continue
		}
		ref, size, err := f.takeFile(c, fl, file, v.Files)
		var ie *config.InputError
		if errors.As(err, &ie) {
			c.Reply(bot.Reply{Text: explain(c, ie)})
			refused = true
			if ie.ID == msgUnavailable {
				break // so are the others
			}
			continue
		}
		if err != nil {
			return err
		}
		next, err := fl.AddFile(v, ref)
		if errors.As(err, &ie) {
			c.Reply(bot.Reply{Text: explain(c, ie)})
			refused = true
			continue
		}
		if err != nil {
			return err
		}
		v = next
		added++
		c.Reply(bot.Reply{Text: c.T("report.file.received", "Name", ref.Name, "Size", size)})
	}
	if strings.TrimSpace(c.Update.Text) != "" && !(album && st.CaptionTold) {
		// A caption (Telegram) or text sent with images (Zalo): a file
		// question keeps only the files. Said once, not per photo.
		st.CaptionTold = album
		c.Reply(bot.Reply{Text: c.T("report.file.caption")})
	}
	switch {
	case full > 0 && album && !st.AlbumTold:
		st.AlbumTold = true
		c.Reply(bot.Reply{Text: f.albumFull(c, st, fm, fl, v)})
	case full > 0 && !album:
		c.Reply(bot.Reply{Text: explain(c, &config.InputError{ID: config.MsgFileTooMany, Params: map[string]any{"Max": fl.FileLimit()}})})
		refused = true
	}
	if added == 0 {
		if refused {
			return f.reask(c, st)
		}
		// Only files of an album the field has no room for: the
		// question stays on screen as it is.
		return save(c, stepAsk, st)
	}
	if st.Again == fl.Key {
		st.Again = ""
	}
	stay := len(v.Files) < fl.FileLimit()
	if stay && more && answered && len(cur.Files) > 0 && !refused {
		// The next file of an album: the question above, with its Done
		// button, stays; saying it again for every photo buries it.
		return f.saveQuietly(c, st, fl, v)
	}
	return f.saveAnswer(c, st, fm, fl, v, stay)
}

// msgUnavailable says that files sent on this channel cannot be taken.
const msgUnavailable = "report.file.unavailable"

// takeFile checks, downloads and stores one file sent for fl, next to the
// files taken already for it (which name a photo sent without a name). A
// file the field does not take is an *config.InputError.
func (f *Flow) takeFile(c *bot.Conversation, fl *config.Field, file *bot.File, taken []config.FileRef) (config.FileRef, string, error) {
	lang := c.Lang()
	declared := file.Size
	if declared <= 0 {
		declared = 1 // not given (a Zalo photo): the download checks it
	}
	kind, err := fl.CheckFile(file.Name, file.MIME, declared, lang)
	if err != nil {
		return config.FileRef{}, "", err
	}
	fetch := f.fetcher(c.Update.Channel)
	if fetch == nil {
		return config.FileRef{}, "", &config.InputError{ID: msgUnavailable}
	}
	data, err := fetch.DownloadFile(c.Ctx, file.ID, fl.SizeLimit())
	if errors.Is(err, ErrFileTooLarge) {
		return config.FileRef{}, "", &config.InputError{ID: "report.file.over_limit", Params: map[string]any{"Max": fl.SizeLimitMB()}}
	}
	if err != nil {
		// Most likely passing: the update is tried again.
		return config.FileRef{}, "", fmt.Errorf("report: download %s file: %w", c.Update.Channel, err)
	}
	if len(data) == 0 {
		return config.FileRef{}, "", &config.InputError{ID: config.MsgFileEmpty}
	}
	if err := fl.CheckContent(kind, data[:min(sniffLen, len(data))]); err != nil {
		return config.FileRef{}, "", err
	}
	name := file.Name
	if name == "" {
		name = photoName(taken, extOf(file.MIME))
	}
	sha, _, err := f.store.PutAttachment(c.Ctx, store.Attachment{
		Size: int64(len(data)), MIME: file.MIME, Name: name, Content: data, UploadedBy: c.Session.UserID, UploadedAt: c.Now,
	})
	if err != nil {
		return config.FileRef{}, "", err
	}
	ref := config.FileRef{SHA256: sha, Name: name, MIME: file.MIME, Size: int64(len(data)), Kind: kind}
	return ref, sizeText(len(data), lang), nil
}

// albumFull tells that the field fl, which an album was sent to, has no
// room for the album's other files, and how to change the files saved.
func (f *Flow) albumFull(c *bot.Conversation, st *state, fm *config.Form, fl *config.Field, v config.Value) string {
	n := indexOf(fm.FieldsFor(st.kind()), fl.Key) + 1
	label := fl.Label.In(c.Lang())
	if fl.FileLimit() == 1 && len(v.Files) == 1 {
		return c.T("report.album.one", "N", n, "Field", label, "Name", v.Files[0].Name)
	}
	return c.T("report.album.many", "N", n, "Field", label, "Max", fl.FileLimit(), "Count", len(v.Files),
		"Again", c.T("report.button.files_again"))
}

// albumLeft takes a later message of an album whose question is no longer
// asked (its first files filled it, and the next question is shown): it
// answers nothing else. The user is told once that the album's other
// files were not saved; the screen stays as it is.
func (f *Flow) albumLeft(c *bot.Conversation, st *state) error {
	if !st.AlbumTold && st.AlbumKey != "" {
		st.AlbumTold = true
		fm, err := f.form(c.Ctx, st.Form, st.FormV)
		if err != nil {
			return err
		}
		d, ok, err := f.draft(c, st)
		if err != nil {
			return err
		}
		if fl, has := fm.Field(st.AlbumKey); has && ok && fl.Type == config.TypeFile {
			c.Reply(bot.Reply{Text: f.albumFull(c, st, fm, fl, values(d)[fl.Key])})
		}
	}
	st.AlbumTold = true
	return save(c, c.Session.Step, st)
}

// photoName names a photo sent without a name (every Zalo image, every
// Telegram photo) for the answer, the review and the officials' export:
// "anh-N" (ảnh, without diacritics, which file names do not always keep
// whole), N the first number no file taken already for the question has,
// whatever its extension; so that three photos read "anh-1.jpg, anh-2.jpg,
// anh-3.jpg", not the same name three times.
func photoName(taken []config.FileRef, ext string) string {
	used := make(map[string]bool, len(taken))
	for _, r := range taken {
		used[strings.TrimSuffix(r.Name, path.Ext(r.Name))] = true
	}
	for n := 1; ; n++ {
		if stem := fmt.Sprintf("anh-%d", n); !used[stem] {
			return stem + ext
		}
	}
}

// extOf is the usual extension of an image's media type, for a photo sent
// without a name.
func extOf(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "image/heic", "image/heif":
		return ".heic"
	}
	return ".jpg"
}

// sizeText writes a size in kB or MB, with the language's decimal mark.
func sizeText(n int, lang string) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d kB", max(1, (n+512)>>10))
	}
	s := fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
