"""Outbound messages: channels to WeChat, WeCom and group robots, access tokens, the delivery worker."""
