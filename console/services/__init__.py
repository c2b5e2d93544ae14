"""Business rules of the console, free of HTTP so the CLI, the pages and the API share them."""
