package main

import (
	"crypto/sha256"
	"encoding/json"
	"time"

	"hocvuso/bot/telegram/fakeapi"
)

// gauge times a fixed piece of CPU work on one core, of the kinds the bot
// does most: writing and reading JSON, allocating, hashing. This machine is
// shared, and its speed changes by a third or more from one hour to the
// next; printed with each run, the gauge tells a slower machine from a
// slower bot. It is the best of several rounds, since interruptions only
// ever add time.
func gauge() time.Duration {
	const rounds, ops = 25, 200
	at := time.Unix(1_764_000_000, 0)
	best := time.Duration(1<<63 - 1)
	var buf []byte
	for range rounds {
		start := time.Now()
		for i := range ops {
			buf = fakeapi.AppendTapUpdate(buf[:0], int64(i), "4242", 1_000_000, "quiz|ans|123|4|2", 77,
				"Câu 4/10 · An toàn\nSau sáp nhập xã, có người xưng công an gọi, bảo bạn cập nhật VNeID qua một đường link.", at)
			var u struct {
				ID       int64 `json:"update_id"`
				Callback struct {
					ID      string          `json:"id"`
					Data    string          `json:"data"`
					Message json.RawMessage `json:"message"`
				} `json:"callback_query"`
			}
			if err := json.Unmarshal(buf, &u); err != nil || u.ID != int64(i) {
				panic("gauge: the update does not read back")
			}
			sum := sha256.Sum256(buf)
			buf = append(buf, sum[:]...)
		}
		best = min(best, time.Since(start)/ops)
	}
	return best
}
