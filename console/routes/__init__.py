"""HTTP routes, split by area: sign-in, FAQ pages, admin pages, the bot-facing API."""
