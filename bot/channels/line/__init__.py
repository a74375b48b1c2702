"""LINE through line-bot-sdk v3: signed webhooks in, replies out by reply token or push (the outbox).

Nothing of the consultation is kept on LINE's side beyond the messages themselves: the content
lives in our database, as the 2021 government guideline for LINE consultations asks."""
