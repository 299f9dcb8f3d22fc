"""The programme library: metadata, search, uploads into transcoding, subtitles (issue 5, producers)."""

__all__: list[str] = []
