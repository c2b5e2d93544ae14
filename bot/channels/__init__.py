"""Input and output channels of the assistant: the web widget (REST, socket.io) and Zalo OA.

Every channel sends citizen text through :mod:`bot.channels.guard` before Rasa sees it.
"""
