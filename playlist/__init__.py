"""Pure playout core: timeline, live playlists, EPG. No I/O."""
