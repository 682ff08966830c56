package report

import (
	"errors"
	"fmt"
	"strings"

	"hocvuso/bot"
	"hocvuso/flows/report/config"
	"hocvuso/store"
)

// sniffLen is how many first bytes tell a file's kind (config.ContentMatches).
const sniffLen = 16

// fileAnswer takes a file sent for a file field: its kind and declared size
// are checked before it is downloaded, through the channel it came from;
// then its first bytes; it is stored once by its SHA-256 and the draft's
// answer names it.
func (f *Flow) fileAnswer(c *bot.Conversation, st *state, file *bot.File) error {
	fm, fl, err := f.field(c, st)
	if err != nil {
		return err
	}
	if fl.Type != config.TypeFile || file == nil {
		if fl.Type == config.TypeChoice || fl.Type == config.TypeYesNo {
			c.Say("report.file.not_here.choice")
		} else {
			c.Say("report.file.not_here")
		}
		return f.reask(c, st)
	}
	lang := c.Lang()
	declared := file.Size
	if declared <= 0 {
		declared = 1 // not given (a Zalo photo): the download checks it
	}
	kind, err := fl.CheckFile(file.Name, file.MIME, declared, lang)
	if err != nil {
		return f.refuse(c, st, err)
	}
	fetch := f.fetcher(c.Update.Channel)
	if fetch == nil {
		c.Say("report.file.unavailable")
		return f.reask(c, st)
	}
	data, err := fetch.DownloadFile(c.Ctx, file.ID, fl.SizeLimit())
	if errors.Is(err, ErrFileTooLarge) {
		c.Reply(bot.Reply{Text: c.T("report.file.over_limit", "Max", fl.SizeLimitMB())})
		return f.reask(c, st)
	}
	if err != nil {
		// Most likely passing: the update is tried again.
		return fmt.Errorf("report: download %s file: %w", c.Update.Channel, err)
	}
	if len(data) == 0 {
		return f.refuse(c, st, &config.InputError{ID: config.MsgFileEmpty})
	}
	if err := fl.CheckContent(kind, data[:min(sniffLen, len(data))]); err != nil {
		return f.refuse(c, st, err)
	}
	name := file.Name
	if name == "" {
		name = "photo" + extOf(file.MIME)
	}
	mime := file.MIME
	sha, _, err := f.store.PutAttachment(c.Ctx, store.Attachment{
		Size: int64(len(data)), MIME: mime, Name: name, Content: data, UploadedBy: c.Session.UserID, UploadedAt: c.Now,
	})
	if err != nil {
		return err
	}
	d, ok, err := f.draft(c, st)
	if err != nil {
		return err
	}
	var cur config.Value
	if ok {
		cur = values(d)[fl.Key]
	}
	v, err := fl.AddFile(cur, config.FileRef{SHA256: sha, Name: name, MIME: mime, Size: int64(len(data)), Kind: kind})
	if err != nil {
		return f.refuse(c, st, err)
	}
	c.Reply(bot.Reply{Text: c.T("report.file.received", "Name", name, "Size", sizeText(len(data), lang))})
	return f.saveAnswer(c, st, fm, fl, v, len(v.Files) < fl.FileLimit())
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
