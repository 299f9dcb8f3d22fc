"""Editorial actions on the air and the editorial API: takeover and release, pulling a programme,
withdrawing an approval (each republishes the channel), and the routes of reviews and the on-air desk.

They sit above `channel.grid` and `channel.playout`, which they drive; the rules they rest on (reviews,
what may air, the publish gate) are `channel.editorial`, below both.
"""
