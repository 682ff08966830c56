package flows

import (
	"strings"
	"unicode"

	"hocvuso/bot"
)

// Talk is what a message of small talk says: thanks, an acknowledgement,
// a greeting. Users write it to a bot as to a person, after a receipt or a
// result; it asks for nothing.
type Talk uint8

const (
	NoTalk   Talk = iota // not small talk: any other text
	Thanks               // "cảm ơn", "thank you"
	Agreed               // "ok", "vâng", "dạ", "👍"
	Greeting             // "xin chào", "hello"
)

// Message is the catalogue id of the answer to t.
func (t Talk) Message() string {
	switch t {
	case Thanks:
		return "smalltalk.thanks"
	case Agreed:
		return "smalltalk.agreed"
	case Greeting:
		return "smalltalk.greeting"
	}
	return ""
}

// The words of small talk. They are parsing vocabulary, never shown to
// anyone: changing them changes what is read as small talk, and
// smalltalk_test.go is where that is checked. The list is closed and small
// on purpose: anything not in it is not small talk, and gets the answer any
// other text gets. Phrases are compared folded (bot.Fold: lower case,
// without diacritics, đ as d), so "cảm ơn", "cám ơn" and "cam on" are one.
var (
	talkPhrases = map[string]Talk{}
	// talkEmoji alone, as the whole message, say something.
	talkEmoji = map[rune]Talk{'👍': Agreed, '👌': Agreed, '🙏': Thanks}
	// talkParticles may end a message without changing what it says
	// ("cảm ơn ạ", "ok nhé"). "ạ" is compared with its mark, and "a"
	// only after another word, so that "a" alone stays a quiz's letter.
	talkParticles = map[string]bool{"ạ": true, "a": true, "nhé": true, "nhe": true, "nha": true, "nhá": true}
)

func init() {
	add := func(t Talk, phrases ...string) {
		for _, p := range phrases {
			talkPhrases[p] = t
		}
	}
	// Thanks: "cảm ơn", who says it, and to whom.
	for _, who := range []string{"", "em ", "toi ", "minh ", "xin ", "em xin ", "da ", "vang ", "da em ", "ok ", "oke "} {
		for _, thanks := range []string{"cam on", "camon"} {
			for _, whom := range []string{"", " ban", " em", " anh", " chi", " bot", " nhieu", " ban nhieu", " rat nhieu", " nhieu lam", " ban rat nhieu"} {
				add(Thanks, who+thanks+whom)
			}
		}
	}
	add(Thanks, "thanks", "thank you", "thank u", "thanks a lot", "thank you so much", "thank you very much",
		"many thanks", "thx", "tks", "ok thanks", "ok thank you")
	add(Agreed, "ok", "oke", "okay", "okie", "oki", "o ke", "ok ok", "ok ban", "ok roi", "okay ban",
		"vang", "da", "da vang", "vang a", "u", "uh", "uhm", "um", "uk", "duoc", "duoc roi", "dc", "roi", "biet roi",
		"got it", "alright", "all right", "sure", "fine")
	add(Greeting, "xin chao", "chao", "chao ban", "xin chao ban", "chao bot", "chao em", "chao anh", "chao chi",
		"chao buoi sang", "chao buoi chieu", "chao buoi toi", "alo",
		"hello", "hi", "hey", "helo", "hello bot", "hi bot", "hello ban", "hi ban",
		"good morning", "good afternoon", "good evening")
}

// maxTalk is the longest message, in bytes, read as small talk: a few
// words, an emoji or two.
const maxTalk = 120

// SmallTalk reads text as small talk: one of a closed list of thanks,
// acknowledgements and greetings, in any case, with or without
// diacritics, in any Unicode form, its punctuation and emoji not counted,
// and a particle ("ạ", "nhé") at its end; or emoji of talkEmoji alone,
// all saying the same.
// Anything else is NoTalk.
func SmallTalk(text string) Talk {
	if len(text) > maxTalk {
		return NoTalk
	}
	// emoji is what the emoji of talkEmoji say, if they are the only ones
	// (skin tones aside): "👍", "👍🏽👍", not "👍❤️".
	var emoji Talk
	other := false
	words := strings.FieldsFunc(bot.NFC(strings.ToLower(text)), func(r rune) bool {
		if t, ok := talkEmoji[r]; ok {
			other = other || emoji != NoTalk && emoji != t
			emoji = t
		} else if unicode.Is(unicode.So, r) {
			other = true
		}
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) ||
			unicode.In(r, unicode.Cf, unicode.Me, unicode.Variation_Selector)
	})
	if len(words) == 0 {
		if other {
			return NoTalk
		}
		return emoji
	}
	for len(words) > 1 && talkParticles[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return talkPhrases[bot.Fold(strings.Join(words, " "))]
}
