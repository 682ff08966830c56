package zalo

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"sync"

	"hocvuso/bot"
)

// List is a numbered list shown in a chat, with the screen and update of
// the replies that showed it.
type List = bot.ChoiceList

// Choices remembers, per chat, the buttons last shown as a numbered list
// (a Zalo message carries at most 5 buttons; more become "1. …, 2. …" and
// the user types the number). The sender writes them, the webhook reads
// them to turn a typed number into the tap it stands for. Every replica
// must see the same lists: in production they live in Redis
// (store.State.ChoiceLists).
type Choices interface {
	// PutChoices records the list shown in chat; a list without data
	// forgets it.
	PutChoices(ctx context.Context, chat bot.ChatKey, l List) error
	// Choices returns the list, without data when there is none.
	Choices(ctx context.Context, chat bot.ChatKey) (List, error)
}

// MemoryChoices keeps the lists in this process: for tests and a single
// local replica.
type MemoryChoices struct {
	mu    sync.Mutex
	lists map[bot.ChatKey]List
}

// PutChoices implements Choices.
func (m *MemoryChoices) PutChoices(_ context.Context, chat bot.ChatKey, l List) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lists == nil {
		m.lists = make(map[bot.ChatKey]List)
	}
	if len(l.Data) == 0 {
		delete(m.lists, chat)
	} else {
		l.Data = slices.Clone(l.Data)
		m.lists[chat] = l
	}
	return nil
}

// Choices implements Choices.
func (m *MemoryChoices) Choices(_ context.Context, chat bot.ChatKey) (List, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.lists[chat]
	l.Data = slices.Clone(l.Data)
	return l, nil
}

// numberRE is a typed choice: "3", " 3 ", "3." or "3)".
var numberRE = regexp.MustCompile(`^\s*([0-9]{1,3})\s*[.)]?\s*$`)

// choose turns typed text that is the number of an item of the chat's
// list into a tap on that item. Other text, and numbers out of range, stay
// as they are.
func choose(ctx context.Context, choices Choices, u *bot.Update) error {
	if choices == nil || u.Kind != bot.KindText {
		return nil
	}
	m := numberRE.FindStringSubmatch(u.Text)
	if m == nil {
		return nil
	}
	list, err := choices.Choices(ctx, bot.ChatKey{Channel: u.Channel, ChatID: u.ChatID})
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > len(list.Data) {
		return nil
	}
	u.Kind, u.Data, u.CallbackID = bot.KindCallback, list.Data[n-1], u.ID
	return nil
}
