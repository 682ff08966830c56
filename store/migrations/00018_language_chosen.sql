-- +goose Up
-- Whether the user chose their language in the bot (/language, or the
-- greeting's switch before agreeing) rather than having their app's: the
-- Telegram command menu of their chats is then set in that language, not
-- left to the app's (flows.CommandMenus). Nothing tells whether the users
-- from before chose theirs: they did not, until they next use /language.
ALTER TABLE users ADD COLUMN language_chosen boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE users DROP COLUMN language_chosen;
