"""The HTTP shell every route runs in: request ids, the error envelope, the crash handler, the access
log, body limits and `nosniff`. Pure ASGI pieces that know no domain; `channel.app` orders them."""

__all__: list[str] = []
