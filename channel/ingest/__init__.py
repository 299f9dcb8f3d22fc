"""`legaltv ingest`: live contribution (RTMP through nginx-rtmp, SRT through ffmpeg) encoded in real
time into the house format and written to the object store on the wall clock."""

from channel.ingest.run import Ingest, run_ingest

__all__ = ["Ingest", "run_ingest"]
