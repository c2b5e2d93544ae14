"""Zalo Official Account channel: webhook input, OA message output, API client, tokens, signature.

Register in credentials.yml as ``bot.channels.zalo.ZaloInput``.
"""

from bot.channels.zalo.channel import ZaloInput
from bot.channels.zalo.output import ZaloOutput

__all__ = ["ZaloInput", "ZaloOutput"]
