package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"hocvuso/bot"
)

// Template is an approved template message ("ZBS Template Message", once
// ZNS) sent to a user by their Zalo user id. Unlike a consultation message
// it needs no interaction in the last 7 days, so it is how a reminder
// reaches a user outside the window (channel-zalo.md §5).
type Template struct {
	// ID is the template's id as approved in the Zalo console
	// (ZALO_REMINDER_TEMPLATE_ID for reminders).
	ID string
	// Data fills the template's parameters, by the names they were approved
	// with; Zalo refuses a message whose parameters do not match.
	Data map[string]string
	// TrackingID is echoed in Zalo's delivery receipt; a deterministic id of
	// the reminder (rule, recipient, occurrence) lets a receipt be matched.
	// Optional, at most 48 characters.
	TrackingID string
}

// maxTrackingID is the longest tracking id Zalo takes (ZNS documents 48).
const maxTrackingID = 48

type templateRequest struct {
	UserID       string            `json:"user_id"`
	TemplateID   string            `json:"template_id"`
	TemplateData map[string]string `json:"template_data"`
	TrackingID   string            `json:"tracking_id,omitempty"`
}

// SendTemplate sends an approved template message to a user by Zalo user id
// (POST /v3.0/oa/message/template, body {user_id, template_id,
// template_data, tracking_id}). The endpoint and body are those
// channel-zalo.md gives from [S4][S5]; Zalo's own page could not be read,
// so they are unconfirmed.
//
// Errors are *APIError with Zalo's code (for example -249: this template
// cannot be sent by user id; -211: out of quota), ErrNight (-234: not at
// night), or bot.ErrBlocked (-213, -227) when the user cannot be reached at
// all.
func (c *Client) SendTemplate(ctx context.Context, userID string, t Template) error {
	switch {
	case userID == "":
		return errors.New("zalo: template without a user id")
	case strings.TrimSpace(t.ID) == "":
		return errors.New("zalo: template without a template id")
	case utf8.RuneCountInString(t.TrackingID) > maxTrackingID:
		return errors.New("zalo: template tracking id longer than 48 characters")
	}
	data := make(map[string]string, len(t.Data))
	for k, v := range t.Data {
		data[k] = bot.NFC(v)
	}
	body, err := json.Marshal(templateRequest{UserID: userID, TemplateID: t.ID, TemplateData: data, TrackingID: t.TrackingID})
	if err != nil {
		return err
	}
	return c.call(ctx, request{method: "message/template", path: "/v3.0/oa/message/template", body: body, contentType: "application/json"}, nil)
}
